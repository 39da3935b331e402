from django.urls import path

from gongzhi.deliberation import views

app_name = "deliberation"

urlpatterns = [
    path("votes/", views.vote_list, name="votes"),
    path("votes/new/", views.vote_create, name="vote_create"),
    path("votes/<int:pk>/", views.vote_detail, name="vote"),
    path("votes/<int:pk>/turnout/", views.vote_turnout, name="vote_turnout"),
    path("votes/<int:pk>/disclose/", views.vote_disclose, name="vote_disclose"),
    path("votes/<int:pk>/paper/", views.paper_ballot, name="paper_ballot"),
    path("votes/<int:pk>/void/", views.void_ballot, name="void_ballot"),
    path("votes/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("votes/<int:pk>/notice/", views.notice, name="notice"),
    path("votes/<int:pk>/<slug:step>/", views.vote_step, name="vote_step"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
]
