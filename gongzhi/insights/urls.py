from django.urls import path

from gongzhi.insights import views, views_block, views_dashboard, views_opendata

app_name = "insights"

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("screen/", views_dashboard.screen, name="screen"),
    path("blocks/<int:pk>/", views_block.block_dashboard, name="block_dashboard"),
    path("report/", views_dashboard.report_page, name="report"),
    path("report.<str:fmt>", views_dashboard.report_download, name="report_download"),
    path("open-data/", views_opendata.open_data, name="open_data"),
    path("open-data/<str:code>.zip", views_opendata.open_data_download, name="open_data_download"),
    path("hot/", views.hot_issues, name="hot_issues"),
    path("hot/refresh/", views.refresh, name="refresh"),
    path("hot/<int:pk>/", views.hot_issue, name="hot_issue"),
    path("hot/<int:pk>/project/", views.make_project, name="make_project"),
]
