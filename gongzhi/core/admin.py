from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gongzhi.core.admin_scope import ScopedAdmin
from gongzhi.core.models import AuditRecord

admin.site.site_header = _("gongzhi co-governance administration")
admin.site.site_title = _("gongzhi admin")
admin.site.index_title = _("Data of your area")


@admin.register(AuditRecord)
class AuditRecordAdmin(ScopedAdmin):
    """Read-only: the trail is append-only, also from the admin."""

    list_display = ("at", "actor_label", "action", "summary", "reason", "ip")
    list_filter = ("action",)
    search_fields = ("actor_label", "summary")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
