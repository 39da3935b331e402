from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from gongzhi.accounts import duties
from gongzhi.accounts.models import DataSubjectRequest, User
from gongzhi.core.admin_scope import ScopedAdmin


def _keeps_accounts(user) -> bool:
    """The system admin keeps staff accounts (separation of duties); a superuser may too."""
    return duties.keeps_system(user)


@admin.register(User)
class GongzhiUserAdmin(UserAdmin):
    """Staff accounts only: residents' accounts are theirs, reached through the registry's scope."""

    list_display = ("username", "display_name", "kind", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff")
    fieldsets = (*UserAdmin.fieldsets, (None, {"fields": ("kind", "display_name")}))

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=User.Kind.STAFF)

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser hands out the superuser flag; the system admin keeps ordinary accounts.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("is_superuser", "user_permissions", "groups", "last_login", "date_joined")

    def has_module_permission(self, request):
        return _keeps_accounts(request.user)

    def has_view_permission(self, request, obj=None):
        return _keeps_accounts(request.user)

    def has_change_permission(self, request, obj=None):
        return _keeps_accounts(request.user)

    def has_add_permission(self, request):
        return _keeps_accounts(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are disabled, never deleted: the audit trail names them


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(ScopedAdmin):
    list_display = ("pk", "kind", "status", "neighborhood", "due_on")
    list_filter = ("status", "kind")
    # The value asked for may be a phone number: it stays out of the admin (the queue masks it).
    exclude = ("new_value",)
    readonly_fields = [f.name for f in DataSubjectRequest._meta.fields if f.name != "new_value"]

    def has_add_permission(self, request):
        return False  # residents file requests on their own page; staff decide in the queue
