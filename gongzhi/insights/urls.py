from django.urls import path

from gongzhi.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("hot/", views.hot_issues, name="hot_issues"),
    path("hot/refresh/", views.refresh, name="refresh"),
    path("hot/<int:pk>/", views.hot_issue, name="hot_issue"),
    path("hot/<int:pk>/project/", views.make_project, name="make_project"),
]
