"""Admin of the visit plan and the contact card: rules, hotlines, staff work phones.

Visits themselves are not edited here: they are recorded through the services.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongzhi.core.admin_scope import ScopedAdmin
from gongzhi.core.roles import ROLES
from gongzhi.org.models import SensitiveTag
from gongzhi.visits.models import Hotline, StaffContact, VisitRule
from gongzhi.visits.selectors import VISITING_ROLES


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
