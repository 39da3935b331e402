"""What the workforce models share: their scope paths, post levels, score range and training lines."""

import secrets
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.roles import POST_LEVELS

AREA_SCOPE = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
SUBDISTRICT_SCOPE = {"subdistrict": "subdistrict_id"}
LEVEL_CHOICES = list(POST_LEVELS.items())
SCORE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def through(prefix: str, paths: dict[str, str]) -> dict[str, str]:
    return {kind: prefix + path for kind, path in paths.items()}


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Line(models.TextChoices):
    """The four training lines (四条线)."""

    THEORY = "theory", _("theory (理论素养)")
    MUST_KNOW = "must_know", _("must-know (应知应会)")
    PRACTICE = "practice", _("practice (实战实训)")
    CAPABILITY = "capability", _("capability (能力提升)")
