from django.urls import path

from gongzhi.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_message, name="open"),
    path("read-all/", views.read_all, name="read_all"),
]
