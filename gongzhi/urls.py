from django.contrib import admin
from django.urls import include, path

from gongzhi import workbench
from gongzhi.api import api
from gongzhi.core import urls as core_urls
from gongzhi.field import views as field_views

urlpatterns = [
    # The workbench sits on top (it reads every app) but keeps its name in core's namespace.
    path(
        "",
        include(
            (
                [
                    path("", workbench.workbench, name="workbench"),
                    path("workbench/area/", workbench.workbench_area, name="workbench_area"),
                    *core_urls.urlpatterns,
                ],
                "core",
            )
        ),
    ),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("org/", include("gongzhi.org.urls")),
    path("grids/", include("gongzhi.grids.urls")),
    path("deliberation/", include("gongzhi.deliberation.urls")),
    path("concerns/visits/", include("gongzhi.visits.urls")),
    path("concerns/", include("gongzhi.concerns.urls")),
    path("volunteers/", include("gongzhi.volunteers.urls")),
    path("notifications/", include("gongzhi.notifications.urls")),
    path("insights/", include("gongzhi.insights.urls")),
    path("governance/", include("gongzhi.governance.urls")),
    path("projects/", include("gongzhi.projects.urls")),
    path("surveys/", include("gongzhi.surveys.urls")),
    path("property/", include("gongzhi.property.urls")),
    path("workforce/", include("gongzhi.workforce.urls")),
    path("field/", include("gongzhi.field.urls")),
    # The field pages' service worker, at the root so its scope may be the whole site.
    path("sw.js", field_views.service_worker, name="service_worker"),
    path("open311/v2/", include("gongzhi.concerns.open311")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Errors in the reader's language, in the site's layout; htmx requests get a fragment (core/error_views.py).
handler400 = "gongzhi.core.error_views.bad_request"
handler403 = "gongzhi.core.error_views.permission_denied"
handler404 = "gongzhi.core.error_views.page_not_found"
handler500 = "gongzhi.core.error_views.server_error"
