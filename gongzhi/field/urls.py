from django.urls import path

from gongzhi.field import views

app_name = "field"

urlpatterns = [
    path("", views.home, name="home"),
    path("data.json", views.data, name="data"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
