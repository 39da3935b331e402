from django.contrib import admin

from gongzhi.insights.models import HotIssue


@admin.register(HotIssue)
class HotIssueAdmin(admin.ModelAdmin):
    list_display = ["title", "subdistrict", "neighborhood", "rank", "heat", "concerns_count", "current"]
    list_filter = ["current", "subdistrict"]
    search_fields = ["title", "place"]
    readonly_fields = [f.name for f in HotIssue._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # computed by `gongzhi insights refresh`, never typed in
