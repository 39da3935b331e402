"""Property governance in the admin: for looking only; every change goes through the services
(the pages and `gongzhi.property.services`), so each is validated and audited."""

from django.contrib import admin

from gongzhi.core.admin_scope import ScopedAdmin
from gongzhi.property.models import (
    ChecklistItem,
    Contract,
    FeeStandard,
    MonthlyFigures,
    OwnersCommittee,
    PropertyCompany,
    ScoreRule,
)


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(ReadOnlyAdmin):
    list_display = ("name", "subdistrict", "has_party_branch")
    search_fields = ("name",)


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("compound", "company", "starts_on", "ends_on")


@admin.register(FeeStandard)
class FeeStandardAdmin(ReadOnlyAdmin):
    list_display = ("compound", "rate", "effective_from", "decision")


@admin.register(MonthlyFigures)
class MonthlyFiguresAdmin(ReadOnlyAdmin):
    list_display = ("compound", "month", "fee_billed", "fee_collected", "burglaries", "battery_thefts")
    list_filter = ("month",)


@admin.register(OwnersCommittee)
class OwnersCommitteeAdmin(ReadOnlyAdmin):
    list_display = ("compound", "term_starts", "term_ends", "branch")


@admin.register(ScoreRule)
class ScoreRuleAdmin(ReadOnlyAdmin):
    list_display = ("metric", "subdistrict", "weight", "direction", "worst", "best")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdmin):
    list_display = ("label", "kind", "subdistrict")
