from django.urls import path

from gongzhi.insights import views, views_block, views_dashboard, views_notices, views_opendata

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
    path("notices/", views_notices.notice_list, name="notices"),
    path("notices/new/", views_notices.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views_notices.notice_detail, name="notice"),
    path("notices/<int:pk>/edit/", views_notices.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/publish/", views_notices.notice_publish, name="notice_publish"),
    path("notices/<int:pk>/withdraw/", views_notices.notice_withdraw, name="notice_withdraw"),
    path("notices/<int:pk>/print/", views_notices.notice_print, name="notice_print"),
    path("notices/concern/<int:concern_pk>/", views_notices.concern_progress, name="concern_progress"),
    path("my/notices/", views_notices.my_notices, name="my_notices"),
    path("my/notices/<int:pk>/", views_notices.my_notice, name="my_notice"),
    path("n/<str:token>/", views_notices.notice_public, name="notice_public"),
]
