"""Admin of what a subdistrict edits itself: categories, routing rules, time limits, the calendar.

Concerns are not edited here: every change to them goes through the services, which
keep the lifecycle and its history.
"""

from django.contrib import admin
from django.db import transaction

from gongzhi.concerns.models import CalendarDay, Category, RoutingRule, TimeLimit
from gongzhi.core import audit, permissions
from gongzhi.core.admin_scope import ScopedAdmin


@admin.register(Category)
class CategoryAdmin(ScopedAdmin):
    list_display = ("name", "code", "tier", "data_category", "subdistrict", "active", "order")
    list_filter = ("tier", "data_category", "active")
    search_fields = ("name", "code")


@admin.register(RoutingRule)
class RoutingRuleAdmin(ScopedAdmin):
    list_display = ("category", "neighborhood", "handler_kind", "department", "partner_unit")
    list_filter = ("handler_kind",)


@admin.register(TimeLimit)
class TimeLimitAdmin(ScopedAdmin):
    list_display = ("category", "tier", "response_days", "resolution_days")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The holiday calendar is the country's: subdistrict admins keep it current for everyone."""

    list_display = ("date", "working", "name", "confirmed")
    list_filter = ("working", "confirmed")
    date_hierarchy = "date"

    def _keeper(self, request) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        return user.is_active and any(a.role == "subdistrict_admin" for a in permissions.assignments_of(user))

    def has_module_permission(self, request):
        return self._keeper(request)

    def has_view_permission(self, request, obj=None):
        return self._keeper(request)

    def has_change_permission(self, request, obj=None):
        return self._keeper(request)

    def has_add_permission(self, request):
        return self._keeper(request)

    def has_delete_permission(self, request, obj=None):
        return self._keeper(request)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
        audit.record("update" if change else "create", obj, actor=request.user, changes=changed)

    @transaction.atomic
    def delete_model(self, request, obj):
        audit.record("delete", obj, actor=request.user)
        super().delete_model(request, obj)
