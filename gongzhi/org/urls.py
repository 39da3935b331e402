from django.urls import path

from gongzhi.org import block_views, ledger_views, views

app_name = "org"

urlpatterns = [
    path("neighborhoods/<int:pk>/", views.neighborhood_detail, name="neighborhood"),
    path("households/", views.household_list, name="households"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("residents/<int:pk>/unmask/", views.resident_unmask, name="resident_unmask"),
    path("residents/lookup/", views.resident_lookup, name="resident_lookup"),
    *ledger_views.urlpatterns,
    *block_views.urlpatterns,
]
