"""Projects in the admin: read-only and area-scoped. Every change goes through the services
(pages, API), which check the lifecycle, money rules and immutability of adopted allocations."""

from django.contrib import admin

from gongzhi.core.admin_scope import ScopedAdmin
from gongzhi.projects.models import Allocation, Comment, Disclosure, Expense, Project, ReviewRound


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "state", "neighborhood", "approved_budget", "created_at")
    list_filter = ("state", "kind", "origin")
    search_fields = ("title",)


@admin.register(ReviewRound)
class ReviewRoundAdmin(ReadOnlyAdmin):
    list_display = ("name", "stage", "state", "subdistrict", "created_at")


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ("review_round", "status", "rule_name", "created_at", "adopted_at")
    list_filter = ("status",)


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdmin):
    list_display = ("project", "category", "description", "amount", "spent_on", "override_reason")
    list_filter = ("category",)


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ("title", "project", "opens_on", "closes_on")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("disclosure", "kind", "created_at")
    list_filter = ("kind",)
