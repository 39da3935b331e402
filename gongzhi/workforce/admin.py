"""The workforce in the admin: read-only and area-scoped. Every change goes through the services,
which keep post histories, the hours ledger and adopted rounds unchanged."""

from django.contrib import admin

from gongzhi.core.admin_scope import ScopedAdmin
from gongzhi.workforce.models import (
    AssessmentRound,
    Bonus,
    Chief,
    Forum,
    Mentorship,
    TrainingPlan,
    WorkerProfile,
)


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkerProfile)
class WorkerProfileAdmin(ReadOnlyAdmin):
    list_display = ("name", "neighborhood", "post_level", "qualification", "started_on")
    list_filter = ("post_level", "qualification")
    search_fields = ("name",)


@admin.register(TrainingPlan)
class TrainingPlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "year", "target_hours", "subdistrict")


@admin.register(Mentorship)
class MentorshipAdmin(ReadOnlyAdmin):
    list_display = ("mentor", "mentee", "neighborhood", "started_on", "ends_on", "status", "outcome")
    list_filter = ("status",)


@admin.register(Forum)
class ForumAdmin(ReadOnlyAdmin):
    list_display = ("held_on", "kind", "topic", "speaker")
    list_filter = ("kind",)


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "period", "pool", "status", "adopted_at")
    list_filter = ("status", "kind")


@admin.register(Bonus)
class BonusAdmin(ReadOnlyAdmin):
    list_display = (
        "round",
        "profile",
        "post_level",
        "personal_score",
        "neighborhood_score",
        "points",
        "amount",
    )


@admin.register(Chief)
class ChiefAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "kind",
        "neighborhood",
        "unit_label",
        "status",
        "term_starts",
        "term_ends",
        "monthly_allowance",
    )
    list_filter = ("kind", "status")
