from django.urls import path

from gongzhi.insights import views, views_dashboard

app_name = "insights"

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("screen/", views_dashboard.screen, name="screen"),
    path("report/", views_dashboard.report_page, name="report"),
    path("report.<str:fmt>", views_dashboard.report_download, name="report_download"),
    path("hot/", views.hot_issues, name="hot_issues"),
    path("hot/refresh/", views.refresh, name="refresh"),
    path("hot/<int:pk>/", views.hot_issue, name="hot_issue"),
    path("hot/<int:pk>/project/", views.make_project, name="make_project"),
]
