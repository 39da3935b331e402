from django.urls import path

from gongzhi.concerns import views, views_assist, views_joint, views_visit

app_name = "concerns"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.intake, name="intake"),
    path("export/", views.queue_export, name="queue_export"),
    # The visit form, at the paths it had beside the visit plan (/concerns/visits/…): it may open
    # a concern, which is intake.
    path("visits/new/", views_visit.visit_new, name="visit_new"),
    path("visits/households/", views_visit.visit_households, name="visit_households"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/tier/", views.retier, name="retier"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("b/<int:building_id>/", views.building_notice, name="building_notice"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("supervision/", views.supervision, name="supervision"),
    path("<int:pk>/joint/", views_joint.joint_new, name="joint_new"),
    path("joint/", views_joint.joint_parts, name="joint_parts"),
    path("joint/parts/<int:pk>/done/", views_joint.joint_part_done, name="joint_part_done"),
    path("kpi/", views.kpi, name="kpi"),
    path("kpi.xlsx", views.kpi_export, name="kpi_export"),
    path("assist/", views_assist.staff_assist, name="staff_assist"),
    path("<int:pk>/category/", views_assist.recategorize, name="recategorize"),
    path("<int:pk>/join/", views_assist.join, name="join"),
    path("<int:pk>/deliberate/", views_assist.deliberate, name="deliberate"),
    path("calendar/", views_assist.calendar, name="calendar"),
    path("r/assist/", views_assist.resident_assist, name="resident_assist"),
    path("r/new/", views.resident_report, name="resident_report"),
    path("r/<str:token>/", views.resident_progress, name="resident_progress"),
]
