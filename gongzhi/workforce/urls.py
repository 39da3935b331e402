from django.urls import path

from gongzhi.workforce import views, views_people, views_training

app_name = "workforce"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    path("people/", views_people.people, name="people"),
    path("people/new/", views_people.new_person, name="new_person"),
    path("people/<int:pk>/", views_people.person, name="person"),
    path("designs/", views_people.designs, name="designs"),
    path("training/", views.training, name="training"),
    path("plan/", views_training.plan, name="plan"),
    path("sessions/<int:pk>/", views_training.session, name="session"),
    path("classes/", views_training.classes, name="classes"),
    path("check-in/<str:token>/", views.check_in, name="check_in"),
    path("pairs/", views.pairs, name="pairs"),
    path("pairs/<int:pk>/", views.pair, name="pair"),
    path("forums/", views.forums, name="forums"),
    path("forums/<int:pk>/rate/", views.rate_forum, name="rate_forum"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/personal/", views.personal_score, name="personal_score"),
    path("rounds/<int:pk>/raters/", views.add_rater, name="add_rater"),
    path("score/", views.score, name="score"),
    path("chiefs/", views.chiefs, name="chiefs"),
    path("chiefs/mine/", views.my_chief_posts, name="my_chief"),
    path("chiefs/<int:pk>/step/", views.chief_step, name="chief_step"),
]
