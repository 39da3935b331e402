"""Who did something, as people read it. Histories store a plain label; the few labels that name
no person ("system" for timers and imports, "resident" for a signed-out reporter) are stored as
these English words (the audit hash covers them) and shown in the reader's language."""

from django.utils.translation import gettext_lazy as _

NO_PERSON = {"system": _("system"), "resident": _("resident")}


def actor_name(label: str) -> str:
    return str(NO_PERSON[label]) if label in NO_PERSON else label
