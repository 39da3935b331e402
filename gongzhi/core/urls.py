from django.urls import path

from gongzhi.core import export_views, upload_views, views

# The workbench joins this namespace in gongzhi/urls.py: it aggregates apps above core.
app_name = "core"

urlpatterns = [
    path("audit/", views.audit_trail, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/verify/start/", views.audit_verify_start, name="audit_verify_start"),
    path("audit/verify/<int:pk>/", views.audit_verification_detail, name="audit_verification"),
    path("exports/", export_views.export_list, name="exports"),
    path("exports/new/", export_views.export_new, name="export_new"),
    path("exports/<int:pk>/", export_views.export_detail, name="export"),
    path("exports/<int:pk>/decide/", export_views.export_decide, name="export_decide"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    path("files/<str:name>/", upload_views.stored_file, name="stored_file"),
]
