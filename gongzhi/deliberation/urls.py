from django.urls import path

from gongzhi.deliberation import views

app_name = "deliberation"

urlpatterns = [
    path("votes/", views.vote_list, name="votes"),
    path("votes/new/", views.vote_create, name="vote_create"),
    path("votes/new/<slug:kind>/", views.vote_create_kind, name="vote_create_kind"),
    path("votes/<int:pk>/electors/", views.vote_electors, name="vote_electors"),
    path("votes/<int:pk>/", views.vote_detail, name="vote"),
    path("votes/<int:pk>/turnout/", views.vote_turnout, name="vote_turnout"),
    path("votes/<int:pk>/disclose/", views.vote_disclose, name="vote_disclose"),
    path("votes/<int:pk>/paper/", views.paper_ballot, name="paper_ballot"),
    path("votes/<int:pk>/void/", views.void_ballot, name="void_ballot"),
    path("votes/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("votes/<int:pk>/notice/", views.notice, name="notice"),
    path("votes/<int:pk>/group/", views.vote_part, {"part": "group"}, name="vote_group"),
    path("votes/<int:pk>/excuse/", views.vote_part, {"part": "excuse"}, name="vote_excuse"),
    path("votes/<int:pk>/<slug:step>/", views.vote_step, name="vote_step"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/duties/", views.meeting_duties, name="meeting_duties"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/residents/", views.meeting_residents, name="meeting_residents"),
    path("meetings/<int:pk>/agenda/check/", views.meeting_agenda_check, name="meeting_agenda_check"),
    path("meetings/<int:pk>/attend/", views.meeting_attend, name="meeting_attend"),
    path("meetings/<int:pk>/agenda/", views.meeting_part, {"part": "agenda"}, name="meeting_agenda"),
    path("meetings/<int:pk>/invite/", views.meeting_part, {"part": "invite"}, name="meeting_invite"),
    path("meetings/<int:pk>/minutes/", views.meeting_part, {"part": "minutes"}, name="meeting_minutes"),
    path("meetings/<int:pk>/decision/", views.meeting_part, {"part": "decision"}, name="meeting_decision"),
    path("meetings/<int:pk>/task/", views.meeting_part, {"part": "task"}, name="meeting_task"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
]
