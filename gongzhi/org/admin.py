from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongzhi.core.admin_scope import ScopedAdmin
from gongzhi.org import models


class ResidentAdminForm(forms.ModelForm):
    """Numbers are never shown in full here; typing a new one replaces the stored value."""

    new_id_number = forms.CharField(label=_("new ID number"), required=False)
    new_phone = forms.CharField(label=_("new phone"), required=False)

    class Meta:
        model = models.Resident
        fields = (
            "household",
            "user",
            "name",
            "gender",
            "birth_date",
            "is_owner",
            "is_tenant",
            "is_registered",
            "lives_here",
        )

    def clean(self):
        data = super().clean()
        for field, setter in (("new_id_number", "set_id_number"), ("new_phone", "set_phone")):
            if data.get(field):
                try:
                    getattr(self.instance, setter)(data[field])
                except forms.ValidationError as exc:
                    self.add_error(field, exc)
        return data


class ResidentTagInline(admin.TabularInline):
    model = models.ResidentTag
    extra = 0


@admin.register(models.Resident)
class ResidentAdmin(ScopedAdmin):
    form = ResidentAdminForm
    list_display = ("name", "household", "id_number_masked", "phone_masked", "is_owner", "lives_here")
    list_filter = ("is_owner", "is_tenant", "is_registered", "lives_here")
    search_fields = ("name",)
    readonly_fields = ("id_number_masked", "phone_masked")
    raw_id_fields = ("household", "user")

    def get_inlines(self, request, obj):
        from gongzhi.core.permissions import may_read_class

        return [ResidentTagInline] if may_read_class(request.user, "sensitive") else []


@admin.register(models.Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ("building", "room", "floor_area", "neighborhood", "micro_grid")
    search_fields = ("room", "building__compound__name")
    list_select_related = ("building__compound", "neighborhood", "micro_grid")
    raw_id_fields = ("building", "stairwell")


@admin.register(models.Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ("compound", "number", "floors", "neighborhood", "micro_grid")
    search_fields = ("number", "compound__name")
    list_select_related = ("compound", "neighborhood", "micro_grid")
    raw_id_fields = ("compound",)


@admin.register(models.Compound)
class CompoundAdmin(ScopedAdmin):
    list_display = ("name", "neighborhood", "built_year")
    search_fields = ("name",)
    list_filter = ("neighborhood",)


@admin.register(models.Neighborhood)
class NeighborhoodAdmin(ScopedAdmin):
    list_display = ("name", "code", "kind", "subdistrict", "block")
    search_fields = ("name", "code")


@admin.register(models.PartyMember)
class PartyMemberAdmin(ScopedAdmin):
    list_display = ("name", "party_org", "status", "in_service", "dual_registration")
    list_filter = ("status", "in_service")
    search_fields = ("name",)
    raw_id_fields = ("resident",)


@admin.register(models.PartyOrg)
class PartyOrgAdmin(ScopedAdmin):
    list_display = ("name", "level", "branch_kind", "parent", "neighborhood")
    list_filter = ("level", "branch_kind")
    search_fields = ("name",)


@admin.register(models.RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin):
    list_display = ("user", "role", "post_level", "subdistrict", "neighborhood")
    list_filter = ("role",)


for model in (
    models.District,
    models.Subdistrict,
    models.Block,
    models.Stairwell,
    models.PartnerUnit,
    models.PartnerPledge,
    models.Department,
    models.ServicePoint,
):
    admin.site.register(model, ScopedAdmin)
