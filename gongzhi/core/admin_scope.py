"""The Django admin under the same area scope as every page: one base class for all models."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction

from gongzhi.core import audit, permissions
from gongzhi.core.roles import ROLES


class ScopedAdmin(admin.ModelAdmin):
    """Lists, edit forms and foreign-key choices show only what the user's roles reach."""

    list_per_page = 50
    show_full_result_count = False  # a COUNT over a whole town on every page is wasted work

    def get_queryset(self, request):
        return permissions.scoped(request.user, super().get_queryset(request))

    def _reads(self, request) -> bool:
        return permissions.may_read_class(request.user, self.model.data_class)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and self._reads(request)

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or permissions.can(request.user, obj)

    def has_change_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        if obj is None:
            return self._writes(request)
        return permissions.can(request.user, obj, permissions.WRITE)

    def has_add_permission(self, request):
        return self.has_module_permission(request) and self._writes(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def _writes(self, request) -> bool:
        return any(
            self.model.data_class in ROLES[a.role].write for a in permissions.assignments_of(request.user)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if hasattr(related, "scope_paths"):
            kwargs["queryset"] = permissions.scoped(request.user, related._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new record must land inside the user's area; otherwise the whole save rolls back.
        if not permissions.can(request.user, obj, permissions.WRITE):
            raise PermissionDenied
        changed = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
        audit.record("update" if change else "create", obj, actor=request.user, changes=changed)

    @transaction.atomic
    def delete_model(self, request, obj):
        audit.record("delete", obj, actor=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
