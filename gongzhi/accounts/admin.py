from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from gongzhi.accounts.models import User


@admin.register(User)
class GongzhiUserAdmin(UserAdmin):
    """Accounts are managed by the system admin only (separation of duties, see the security issue)."""

    list_display = ("username", "display_name", "kind", "is_active", "is_staff")
    fieldsets = (*UserAdmin.fieldsets, (None, {"fields": ("kind", "display_name")}))

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
