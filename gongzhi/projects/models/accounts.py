"""A project's accounts and notice: spending rules, expenses, disclosures (公示) and residents'
comments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import StoredFile
from gongzhi.org.models import Subdistrict
from gongzhi.projects.models.projects import (
    MONEY,
    SUBDISTRICT_SCOPE,
    ExpenseCategory,
    Project,
    new_token,
    through_project,
)


class SpendingRule(models.Model):
    """The subdistrict's rule for one expense category: caps and forbidden items."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="spending_rules")
    category = models.CharField(_("category"), max_length=16, choices=ExpenseCategory.choices)
    cap_per_person = models.DecimalField(_("cap per person"), null=True, blank=True, **MONEY)
    cap_per_event = models.DecimalField(_("cap per event"), null=True, blank=True, **MONEY)
    # One forbidden item per line, matched as a substring of the expense description.
    forbidden_items = models.TextField(_("forbidden items"), blank=True)

    scope_paths = SUBDISTRICT_SCOPE
    visible_from_below = True
    data_class = "project"

    class Meta:
        verbose_name = _("spending rule")
        verbose_name_plural = _("spending rules")
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "category"], name="spending_rule_per_category")
        ]

    def __str__(self) -> str:
        return self.get_category_display()

    def forbidden_list(self) -> list[str]:
        return [w.strip() for w in self.forbidden_items.replace("，", "\n").splitlines() if w.strip()]


class Expense(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="expenses")
    category = models.CharField(_("category"), max_length=16, choices=ExpenseCategory.choices)
    description = models.CharField(_("description"), max_length=255)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    persons = models.PositiveIntegerField(_("persons"), null=True, blank=True)
    # Who was paid: a contractor is shown by name on the public accounts, a person masked (张*).
    payee = models.CharField(_("payee / contractor"), max_length=128, blank=True)
    payee_is_person = models.BooleanField(_("the payee is a private person"), default=False)
    spent_on = models.DateField(_("spent on"))
    receipt = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receipt"),
    )
    breaches = models.JSONField(default=list, blank=True)
    override_reason = models.CharField(_("override reason"), max_length=255, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The form's one-time key: a retried submission finds the expense it already made.
    request_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = through_project("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_positive")]

    def __str__(self) -> str:
        return self.description


class Disclosure(models.Model):
    """公示: a public notice of a project's budget and accounts, open for comment for a period."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="disclosures")
    token = models.CharField(max_length=32, unique=True, default=new_token)
    title = models.CharField(_("title"), max_length=128)
    body = models.TextField(_("notice text"), blank=True)
    opens_on = models.DateField(_("notice opens on"))
    closes_on = models.DateField(_("notice closes on"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    scope_paths = through_project("project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="disclosure_period"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Comment(models.Model):
    """A resident's comment on or objection to a disclosure, made within its notice period."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        OBJECTION = "objection", _("objection")

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="comments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(_("text"))
    # Shown masked (张*); no contact details are kept.
    name = models.CharField(_("name"), max_length=32, blank=True)
    client_digest = models.CharField(max_length=64, db_index=True)
    reply = models.TextField(_("reply"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = through_project("disclosure__project__")
    scope_distinct = True
    data_class = "project"

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.disclosure} · {self.get_kind_display()}"
