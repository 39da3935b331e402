"""Admin of what a subdistrict edits itself: categories, routing rules, time limits, the calendar.

Concerns and visits are not edited here: every change to them goes through the services, which
keep the lifecycle and its history.
"""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gongzhi.concerns.models import (
    CalendarDay,
    Category,
    Hotline,
    RoutingRule,
    StaffContact,
    TimeLimit,
    VisitRule,
)
from gongzhi.concerns.visits_selectors import VISITING_ROLES
from gongzhi.core import audit, permissions
from gongzhi.core.admin_scope import ScopedAdmin
from gongzhi.org.models import SensitiveTag
from gongzhi.org.roles import ROLES


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


# ---- the visit plan and the contact card (visits) ------------------------------------------------


class VisitRuleForm(forms.ModelForm):
    tag = forms.ChoiceField(
        label=_("sensitive tag"), choices=[("", "—"), *SensitiveTag.choices], required=False
    )
    role = forms.ChoiceField(
        label=_("staff role"),
        choices=[("", "—"), *((r, ROLES[r].label) for r in VISITING_ROLES)],
        required=False,
    )

    class Meta:
        model = VisitRule
        fields = ("subdistrict", "kind", "every", "tag", "role", "active", "note")


@admin.register(VisitRule)
class VisitRuleAdmin(ScopedAdmin):
    """The same rules as the visit-plan page; the model's clean() checks N, tag and role."""

    form = VisitRuleForm
    list_display = ("subdistrict", "kind", "every", "tag", "role", "active", "updated_at")
    list_filter = ("kind", "active")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Hotline)
class HotlineAdmin(ScopedAdmin):
    list_display = ("name", "number", "subdistrict", "neighborhood", "position")


@admin.register(StaffContact)
class StaffContactAdmin(ScopedAdmin):
    """Staff work phones printed on contact cards (work numbers, not residents' data)."""

    list_display = ("user", "work_phone", "on_card", "subdistrict")
