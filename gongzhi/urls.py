from django.contrib import admin
from django.urls import include, path

from gongzhi.api import api

urlpatterns = [
    path("", include("gongzhi.core.urls")),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("org/", include("gongzhi.org.urls")),
    path("grids/", include("gongzhi.grids.urls")),
    path("deliberation/", include("gongzhi.deliberation.urls")),
    path("concerns/", include("gongzhi.concerns.urls")),
    path("volunteers/", include("gongzhi.volunteers.urls")),
    path("notifications/", include("gongzhi.notifications.urls")),
    path("insights/", include("gongzhi.insights.urls")),
    path("projects/", include("gongzhi.projects.urls")),
    path("surveys/", include("gongzhi.surveys.urls")),
    path("workforce/", include("gongzhi.workforce.urls")),
    path("open311/v2/", include("gongzhi.concerns.open311")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
