from django.urls import path

from gongzhi.property import community_views, views

app_name = "property"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("neighborhoods/<int:pk>/", views.neighborhood, name="neighborhood"),
    path("compounds/<int:pk>/", views.compound, name="compound"),
    path("compounds/<int:pk>/figures/", views.figures_entry, name="figures"),
    path("figures/import/", views.figures_upload, name="upload"),
    path("committees/<int:pk>/", views.committee, name="committee"),
    path("committees/<int:pk>/action/", views.committee_action, name="committee_action"),
    path("stairwells/<int:pk>/", views.stairwell, name="stairwell"),
    path("rules/", views.rules, name="rules"),
    path("stairwells/<int:pk>/covenant/", community_views.covenant, name="covenant"),
    path("neighborhoods/<int:pk>/community/", community_views.community, name="community"),
    path("compounds/<int:pk>/manage/", community_views.manage, name="manage"),
    path("joint/<int:pk>/meetings/", community_views.joint_meeting, name="joint_meeting"),
]
