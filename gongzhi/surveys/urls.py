from django.urls import path

from gongzhi.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/questions/", views.question_add, name="question_add"),
    path("<int:pk>/questions/<int:qid>/", views.question_change, name="question_change"),
    path("<int:pk>/respondents/import/", views.respondents_import, name="import"),
    path("<int:pk>/action/", views.survey_action, name="action"),
    path("<int:pk>/results/", views.survey_results, name="results"),
    path("<int:pk>/export.xlsx", views.survey_export, name="export"),
    path("attach/", views.attach, name="attach"),
    path("a/<str:token>/", views.answer, name="answer"),
    path("o/<str:token>/", views.open_answer, name="open"),
]
