"""Micro-grids in the Django admin, scoped like every other record (core.admin_scope)."""

from django.contrib import admin

from gongzhi.core.admin_scope import ScopedAdmin
from gongzhi.grids.models import MicroGrid


@admin.register(MicroGrid)
class MicroGridAdmin(ScopedAdmin):
    list_display = ("code", "name", "level", "neighborhood", "grid_chief")
    list_filter = ("level",)
    search_fields = ("code", "name")
