from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def choice_label(choice: str) -> str:
    labels = {"yes": _("In favour"), "no": _("Against"), "abstain": _("Abstain")}
    return labels.get(choice, "—")


@register.filter
def verdict(value) -> str:
    if value is None:
        return "—"
    return _("Yes") if value else _("No")
