from django.contrib import admin

from gongzhi.notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Delivery queue for operators: addresses are never listed (they are personal data)."""

    list_display = ["key", "channel", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "status"]
    search_fields = ["key"]
    readonly_fields = [f.name for f in Message._meta.fields if f.name != "address"]
    exclude = ["address"]

    def has_add_permission(self, request) -> bool:
        return False
