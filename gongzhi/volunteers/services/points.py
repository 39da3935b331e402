"""The points ledger and time bank: rules, redemption, banked hours, corrections, statements."""

from decimal import Decimal
from io import BytesIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, permissions
from gongzhi.core.errors import NotInScope
from gongzhi.core.permissions import EXPORT, require
from gongzhi.org.models import Subdistrict
from gongzhi.volunteers.models import (
    Balance,
    LedgerEntry,
    PointRule,
    Redemption,
    RedemptionItem,
    Volunteer,
)
from gongzhi.volunteers.services.common import parse_hours
from gongzhi.volunteers.services.honour import household_stars


def active_rule(subdistrict_id: int) -> PointRule | None:
    return (
        PointRule.objects.filter(subdistrict_id=subdistrict_id, active=True)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic
def set_point_rule(*, actor, subdistrict: Subdistrict, name: str, points_per_hour) -> PointRule:
    """A new rule replaces the active one for hours confirmed from now on; past entries keep theirs."""
    if not permissions.can_create(actor, PointRule, {"subdistrict": subdistrict.pk}):
        raise PermissionDenied(_("Only the subdistrict sets point rules."))
    try:
        rate = int(points_per_hour)
    except (TypeError, ValueError):
        raise ValidationError({"points_per_hour": _("Points per hour must be a whole number.")}) from None
    if rate < 0:
        raise ValidationError({"points_per_hour": _("Points per hour cannot be negative.")})
    PointRule.objects.filter(subdistrict=subdistrict, active=True).update(active=False)
    rule = PointRule.objects.create(
        subdistrict=subdistrict, name=(name or "").strip() or str(rate), points_per_hour=rate
    )
    audit.record("create", rule, actor=actor, changes={"points_per_hour": rate})
    return rule


@transaction.atomic
def add_redemption_item(
    *, actor, subdistrict: Subdistrict, name: str, kind: str, cost_points, stock, min_stars: int = 0
) -> RedemptionItem:
    if not permissions.can_create(actor, RedemptionItem, {"subdistrict": subdistrict.pk}):
        raise PermissionDenied(_("Only the subdistrict lists redemption items."))
    item = RedemptionItem(
        subdistrict=subdistrict,
        name=(name or "").strip(),
        kind=kind,
        cost_points=cost_points,
        stock=stock,
        min_stars=min_stars,
    )
    if not 0 <= int(min_stars) <= 3:
        raise ValidationError({"min_stars": _("Stars needed are 0 to 3.")})
    item.full_clean()
    item.save()
    audit.record("create", item, actor=actor, changes={"cost_points": cost_points, "stock": stock})
    return item


def _locked_balance(volunteer: Volunteer) -> Balance:
    """The per-person row every ledger entry locks; made on first use if an import skipped it."""
    balance = Balance.objects.select_for_update().filter(volunteer=volunteer).first()
    if balance is None:
        try:
            with transaction.atomic():
                Balance.objects.create(volunteer=volunteer)
        except IntegrityError:
            pass  # made meanwhile by a concurrent entry
        balance = Balance.objects.select_for_update().get(volunteer=volunteer)
    return balance


def post_entry(entry: LedgerEntry, actor) -> LedgerEntry:
    """Write one entry and move the balance with it; refuse anything that would go below zero."""
    balance = _locked_balance(entry.volunteer)
    if balance.points + entry.points < 0:
        raise ValidationError({"points": _("Not enough points.")})
    if balance.hours + entry.hours < 0:
        raise ValidationError({"hours": _("Not enough banked hours.")})
    balance.points = F("points") + entry.points
    balance.hours = F("hours") + entry.hours
    balance.save(update_fields=["points", "hours"])
    entry.save()
    audit.record(
        "create",
        entry,
        actor=actor,
        summary=f"{entry.volunteer} {entry.points:+d} / {entry.hours:+}h",
        changes={"kind": entry.kind, "points": entry.points, "hours": str(entry.hours)},
    )
    return entry


@transaction.atomic
def redeem(*, actor, volunteer: Volunteer, item: RedemptionItem) -> Redemption:
    """Spend points on an item while stock lasts. The balance row lock serialises a person's spending."""
    require(actor, volunteer)
    item = RedemptionItem.objects.select_for_update().get(pk=item.pk)
    if item.subdistrict_id != volunteer.neighborhood.subdistrict_id:
        raise NotInScope(_("No such item in your area."))
    if item.stock < 1:
        raise ValidationError({"item": _("This item is out of stock.")})
    if item.min_stars and household_stars(volunteer) < item.min_stars:
        raise ValidationError(
            {"item": _("This benefit needs a household rated %(n)s stars or more.") % {"n": item.min_stars}}
        )
    redemption = Redemption.objects.create(
        volunteer=volunteer, item=item, points=item.cost_points, created_by=actor
    )
    post_entry(
        LedgerEntry(
            volunteer=volunteer,
            kind=LedgerEntry.Kind.REDEEMED,
            points=-item.cost_points,
            redemption=redemption,
            memo=item.name,
            created_by=actor,
        ),
        actor,
    )
    RedemptionItem.objects.filter(pk=item.pk).update(stock=F("stock") - 1)
    return redemption


@transaction.atomic
def use_banked_hours(*, actor, volunteer: Volunteer, hours, memo: str) -> LedgerEntry:
    """Draw on the time bank for a service received (e.g. elderly care); the memo says which."""
    require(actor, volunteer)
    if not (memo or "").strip():
        raise ValidationError({"memo": _("Say which service the hours paid for.")})
    return post_entry(
        LedgerEntry(
            volunteer=volunteer,
            kind=LedgerEntry.Kind.BANK_WITHDRAWAL,
            hours=-parse_hours(hours),
            memo=memo.strip()[:255],
            created_by=actor,
        ),
        actor,
    )


@transaction.atomic
def reverse_entry(*, actor, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Correct a mistaken entry by its exact opposite; a reversed redemption returns its stock."""
    require(actor, entry)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    entry = LedgerEntry.objects.select_related("volunteer").get(pk=entry.pk)
    if entry.kind == LedgerEntry.Kind.REVERSAL:
        raise ValidationError(_("A correction is not itself reversed; post a new entry instead."))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry has already been reversed."))
    reversal = post_entry(
        LedgerEntry(
            volunteer=entry.volunteer,
            kind=LedgerEntry.Kind.REVERSAL,
            points=-entry.points,
            hours=-entry.hours,
            reverses=entry,
            memo=reason.strip()[:255],
            created_by=actor,
        ),
        actor,
    )
    if entry.redemption_id:
        RedemptionItem.objects.filter(pk=entry.redemption.item_id).update(stock=F("stock") + 1)
    return reversal


def export_statement(*, actor, volunteer: Volunteer) -> bytes:
    """The person's time-bank and points statement as an xlsx workbook; the export is audited."""
    from gongzhi.core.sheets import Workbook

    # The export capability, or the chief of the person's team (who tells them their hours).
    chief = volunteer.team_id is not None and volunteer.team.chief_id == getattr(actor, "pk", None)
    if not permissions.can(actor, volunteer, EXPORT) and not (chief and permissions.can(actor, volunteer)):
        require(actor, volunteer, permissions.READ)
        raise PermissionDenied(_("You may not export statements."))
    book = Workbook()
    sheet = book.active
    sheet.title = _("Points statement")[:31]
    sheet.append(
        [_("date"), _("kind"), _("source"), _("points"), _("hours"), _("points balance"), _("hours balance")]
    )
    points, hours = 0, Decimal("0")
    for entry in volunteer.ledger_entries.order_by("created_at", "id"):
        points, hours = points + entry.points, hours + entry.hours
        local = timezone.localtime(entry.created_at)
        sheet.append(
            [
                local.strftime("%Y-%m-%d %H:%M"),
                str(entry.get_kind_display()),
                entry.memo,
                entry.points,
                entry.hours,
                points,
                hours,
            ]
        )
    out = BytesIO()
    book.save(out)
    audit.record(
        "export", volunteer, actor=actor, summary=_("statement of %(volunteer)s") % {"volunteer": volunteer}
    )
    return out.getvalue()
