from django.urls import path, register_converter

from gongzhi.governance import views


class PlaceKey:
    regex = "[sn][0-9]{1,18}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PlaceKey, "place")

app_name = "governance"

urlpatterns = [
    path("", views.home, name="home"),
    path("<place:key>/", views.place, name="place"),
    path("<place:key>/switch/", views.switch, name="switch"),
]
