"""Surveys in the admin: for looking only; every change goes through the survey pages' services."""

from django.contrib import admin

from gongzhi.core.admin_scope import ScopedAdmin
from gongzhi.surveys.models import Question, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("position", "kind", "text", "required", "options")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(ScopedAdmin):
    list_display = ("title", "neighborhood", "target", "status", "opens_at", "closes_at")
    list_filter = ("status", "target")
    search_fields = ("title",)
    readonly_fields = ("neighborhood", "compound", "created_by", "open_token")
    inlines = [QuestionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
