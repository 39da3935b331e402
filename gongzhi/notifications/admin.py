from django.contrib import admin

from gongzhi.core.permissions import keeps_system
from gongzhi.notifications.models import Message

# What a message says and links to stays out of the admin: bodies carry sign-in codes and links
# carry call-up answer tokens; addresses are personal data. Operators see delivery state only.
HIDDEN = ("address", "body", "link")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Delivery queue for the system admin (or a technical superuser): state, never content."""

    list_display = ["key", "channel", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "status"]
    search_fields = ["key"]
    exclude = list(HIDDEN)
    readonly_fields = [f.name for f in Message._meta.fields if f.name not in HIDDEN]

    def has_module_permission(self, request) -> bool:
        return keeps_system(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return keeps_system(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the worker sends and retries; nobody edits a queued message

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
