from django.urls import path

from gongzhi.grids import views

app_name = "grids"

urlpatterns = [
    path("neighborhoods/<int:pk>/", views.grid_map, {"kind": "neighborhood"}, name="neighborhood_map"),
    path("subdistricts/<int:pk>/", views.grid_map, {"kind": "subdistrict"}, name="subdistrict_map"),
    path("neighborhoods/<int:pk>/draw/", views.draw, {"kind": "neighborhood"}, name="neighborhood_draw"),
    path("subdistricts/<int:pk>/draw/", views.draw, {"kind": "subdistrict"}, name="subdistrict_draw"),
    path(
        "neighborhoods/<int:pk>/import/",
        views.map_import,
        {"kind": "neighborhood"},
        name="neighborhood_import",
    ),
    path(
        "subdistricts/<int:pk>/import/", views.map_import, {"kind": "subdistrict"}, name="subdistrict_import"
    ),
    path("micro/<int:pk>/print/", views.grid_print, name="grid_print"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/adopt/", views.plan_adopt, name="plan_adopt"),
    path("plans/<int:pk>/discard/", views.plan_discard, name="plan_discard"),
    path("plans/<int:pk>/move/", views.plan_move, name="plan_move"),
    path("plans/<int:pk>/move/preview/", views.plan_move_preview, name="plan_move_preview"),
]
