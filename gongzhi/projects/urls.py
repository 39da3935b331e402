from django.urls import path

from gongzhi.projects.views import detail, projects, public, rounds, subdistrict

app_name = "projects"


def action(route: str, name: str):
    """A small form of the detail page: one view, told by the URL which action it is."""
    return path(route, detail.project_action, {"action": name}, name=name)


urlpatterns = [
    path("", projects.project_list, name="list"),
    path("new/", projects.project_create, name="create"),
    path("my-tasks/", projects.my_tasks, name="my_tasks"),
    path("from-vote/<int:vote_pk>/", projects.start_from_vote, name="from_vote"),
    path("<int:pk>/", detail.project_detail, name="detail"),
    path("<int:pk>/edit/", projects.project_edit, name="edit"),
    path("<int:pk>/transition/", detail.transition, name="transition"),
    action("<int:pk>/budget-lines/", "add_line"),
    action("<int:pk>/milestones/", "add_milestone"),
    path("<int:pk>/milestones/<int:milestone_pk>/done/", detail.milestone_done, name="milestone_done"),
    action("<int:pk>/tasks/", "add_task"),
    path("<int:pk>/tasks/<int:task_pk>/done/", detail.task_done, name="task_done"),
    action("<int:pk>/check-ins/", "add_check_in"),
    path("<int:pk>/actions/<int:action_pk>/", detail.tick_action, name="tick_action"),
    action("<int:pk>/expenses/", "add_expense"),
    action("<int:pk>/disclosures/", "disclose"),
    path("<int:pk>/disclosures/<int:disclosure_pk>/comments/", detail.comments, name="comments"),
    path("settings/", subdistrict.settings_page, name="settings"),
    path("rounds/", rounds.rounds, name="rounds"),
    path("rounds/new/", rounds.round_create, name="round_create"),
    path("rules/new/", rounds.rule_create, name="rule_create"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path("rounds/<int:pk>/score/<int:project_pk>/", rounds.score, name="score"),
    path("rounds/<int:pk>/close/", rounds.round_close, name="round_close"),
    path("rounds/<int:pk>/allocations/", rounds.allocation_preview, name="allocation_preview"),
    path(
        "rounds/<int:pk>/allocations/<int:allocation_pk>/adopt/",
        rounds.allocation_adopt,
        name="allocation_adopt",
    ),
    path("rounds/<int:pk>/export.xlsx", rounds.round_export, name="round_export"),
    path("public/<str:token>/", public.public_disclosure, name="public"),
    path("public/compound/<int:compound_id>/", public.public_compound, name="public_compound"),
]
