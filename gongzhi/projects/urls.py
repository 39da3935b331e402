from django.urls import path

from gongzhi.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
    path("from-vote/<int:vote_pk>/", views.start_from_vote, name="from_vote"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/budget-lines/", views.add_line, name="add_line"),
    path("<int:pk>/milestones/", views.add_milestone, name="add_milestone"),
    path("<int:pk>/milestones/<int:milestone_pk>/done/", views.milestone_done, name="milestone_done"),
    path("<int:pk>/tasks/", views.add_task, name="add_task"),
    path("<int:pk>/tasks/<int:task_pk>/done/", views.task_done, name="task_done"),
    path("<int:pk>/check-ins/", views.add_check_in, name="add_check_in"),
    path("<int:pk>/actions/<int:action_pk>/", views.tick_action, name="tick_action"),
    path("<int:pk>/expenses/", views.add_expense, name="add_expense"),
    path("<int:pk>/disclosures/", views.disclose, name="disclose"),
    path("<int:pk>/disclosures/<int:disclosure_pk>/comments/", views.comments, name="comments"),
    path("settings/", views.settings_page, name="settings"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/score/<int:project_pk>/", views.score, name="score"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/allocations/", views.allocation_preview, name="allocation_preview"),
    path(
        "rounds/<int:pk>/allocations/<int:allocation_pk>/adopt/",
        views.allocation_adopt,
        name="allocation_adopt",
    ),
    path("rounds/<int:pk>/export.xlsx", views.round_export, name="round_export"),
    path("public/<str:token>/", views.public_disclosure, name="public"),
    path("public/compound/<int:compound_id>/", views.public_compound, name="public_compound"),
]
