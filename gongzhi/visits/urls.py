from django.urls import path

from gongzhi.visits import views

app_name = "visits"

# Mounted at /concerns/visits/ (the paths the visits had inside the concerns app). The visit form
# (new/, households/) is concerns' (it may open a concern): concerns/urls.py.
urlpatterns = [
    path("coverage/", views.coverage, name="coverage"),
    path("coverage.xlsx", views.coverage_export, name="coverage_export"),
    path("rules/", views.rules, name="rules"),
    path("map/<str:kind>/<int:pk>.json", views.map_layer, name="map_layer"),
    path("map/buildings/<int:pk>/", views.map_building, name="map_building"),
    path("cards/", views.cards, name="cards"),
    path("cards/grids/<int:pk>/", views.grid_cards, name="grid_cards"),
    path("cards/households/<int:pk>/", views.household_card, name="household_card"),
]
