from django.urls import path

from gongzhi.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("people/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("people/<int:pk>/statement.xlsx", views.statement_export, name="statement"),
    path("people/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/sign-up/", views.activity_sign_up, name="sign_up"),
    path("sign-ups/<int:pk>/cancel/", views.signup_cancel, name="cancel"),
    path("sign-ups/<int:pk>/confirm/", views.hours_confirm, name="confirm"),
    path("check-in/<str:token>/", views.check_in, name="check_in"),
    path("emergencies/", views.emergency_list, name="emergencies"),
    path("emergencies/<int:pk>/", views.emergency_detail, name="emergency"),
    path("emergencies/<int:pk>/fill/", views.emergency_fill, name="emergency_fill"),
    path("emergencies/<int:pk>/plan.xlsx", views.emergency_export, name="emergency_export"),
    path("emergencies/<int:pk>/plan/", views.emergency_plan, name="emergency_plan"),
    path("emergencies/<int:pk>/<str:part>/", views.emergency_edit, name="emergency_edit"),
    path("rosters/", views.roster_list, name="rosters"),
    path("rosters/<int:pk>/", views.roster_detail, name="roster"),
    path("duties/<int:pk>/attendance/", views.duty_attendance, name="duty_attendance"),
    path("duties/<int:pk>/swap/", views.swap_request, name="swap_request"),
    path("swaps/<int:pk>/answer/", views.swap_answer, name="swap_answer"),
    path("my-duties/", views.my_duties, name="my_duties"),
    path("honour-roll/", views.honour_roll, name="honour_roll"),
    path("honour-roll/manage/", views.honour_manage, name="honour_manage"),
    path("wishes/", views.wish_list, name="wishes"),
    path("wishes/board/", views.wish_board, name="wish_board"),
    path("wishes/<int:pk>/claim/", views.wish_claim, name="wish_claim"),
    path("wishes/<int:pk>/confirm/", views.wish_confirm, name="wish_confirm"),
    path("wishes/done/<str:token>/", views.wish_confirm_link, name="wish_confirm_link"),
    path("answer/<str:token>/", views.call_up_answer, name="answer"),
    path("answer/<str:token>/<str:choice>/", views.call_up_answer, name="answer_choice"),
]
