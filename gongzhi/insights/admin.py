from django.contrib import admin

from gongzhi.core.admin_scope import ScopedAdmin
from gongzhi.insights.models import HotIssue


@admin.register(HotIssue)
class HotIssueAdmin(ScopedAdmin):
    """Hot issues are mined from concerns: the same area scope as the concerns themselves."""

    list_display = ["title", "subdistrict", "neighborhood", "rank", "heat", "concerns_count", "current"]
    list_filter = ["current"]
    search_fields = ["title", "place"]
    readonly_fields = [f.name for f in HotIssue._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # computed by `gongzhi insights refresh`, never typed in

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the next refresh replaces them
