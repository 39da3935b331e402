"""The points and time-bank ledger: append-only, traceable, never below zero."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from gongzhi.core.models import AuditRecord
from gongzhi.volunteers import services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import AppendOnlyError, Balance, LedgerEntry, RedemptionItem

pytestmark = pytest.mark.django_db


def served(world, hours: str = "3", rate: int = 10):
    """A volunteer who served and had their hours confirmed under a rule of `rate` points/hour."""
    admin = world.users["subdistrict_admin"]
    services.set_point_rule(actor=admin, subdistrict=world.subdistrict, name="每小时", points_per_hour=rate)
    activity = t.activity(world, started=True)
    person = t.volunteer(world, "张三", with_user=True)
    signup = services.sign_up(actor=person.user, activity=activity, volunteer=person)
    t.attend(person, activity)
    entry = services.confirm_hours(actor=world.users["volunteer_team_chief"], signup=signup, hours=hours)
    return person, entry


def item(world, cost: int = 10, stock: int = 5) -> RedemptionItem:
    return services.add_redemption_item(
        actor=world.users["subdistrict_admin"],
        subdistrict=world.subdistrict,
        name="物业费减免",
        kind=RedemptionItem.Kind.PROPERTY_FEE,
        cost_points=cost,
        stock=stock,
    )


def test_confirmed_hours_earn_points_by_the_subdistricts_rule_and_bank_the_hours(world):
    person, entry = served(world, hours="2.5", rate=10)
    assert (entry.points, entry.hours) == (25, Decimal("2.50"))
    assert entry.signup.activity.title == "1+2+1 夜巡"
    balance = Balance.objects.get(volunteer=person)
    assert (balance.points, balance.hours) == (25, Decimal("2.50"))


def test_confirming_twice_posts_one_entry(world):
    person, entry = served(world)
    again = services.confirm_hours(actor=world.users["volunteer_team_chief"], signup=entry.signup, hours="5")
    assert again.pk == entry.pk
    assert LedgerEntry.objects.filter(volunteer=person).count() == 1


def test_redemption_spends_points_takes_stock_and_is_traceable(world):
    person, _ = served(world, hours="3", rate=10)
    prize = item(world, cost=20, stock=1)
    redemption = services.redeem(actor=world.users["social_worker"], volunteer=person, item=prize)
    assert redemption.ledger_entry.points == -20
    assert Balance.objects.get(volunteer=person).points == 10
    prize.refresh_from_db()
    assert prize.stock == 0
    with pytest.raises(ValidationError):
        services.redeem(actor=world.users["social_worker"], volunteer=person, item=prize)


def test_redemption_beyond_the_balance_is_refused_and_changes_nothing(world):
    person, _ = served(world, hours="1", rate=10)
    prize = item(world, cost=11)
    with pytest.raises(ValidationError, match="points"):
        services.redeem(actor=world.users["social_worker"], volunteer=person, item=prize)
    assert Balance.objects.get(volunteer=person).points == 10
    assert LedgerEntry.objects.filter(volunteer=person).count() == 1
    prize.refresh_from_db()
    assert prize.stock == 5


def test_correction_is_a_reversing_entry_and_the_original_stays(world):
    person, entry = served(world, hours="3", rate=10)
    reversal = services.reverse_entry(
        actor=world.users["neighborhood_secretary"], entry=entry, reason="录错时长"
    )
    assert (reversal.points, reversal.hours, reversal.reverses_id) == (-30, Decimal("-3.00"), entry.pk)
    assert LedgerEntry.objects.filter(volunteer=person).count() == 2
    assert Balance.objects.get(volunteer=person).points == 0
    with pytest.raises(ValidationError):
        services.reverse_entry(actor=world.users["neighborhood_secretary"], entry=entry, reason="again")


def test_reversing_earned_points_already_spent_is_refused(world):
    person, entry = served(world, hours="3", rate=10)
    services.redeem(actor=world.users["social_worker"], volunteer=person, item=item(world, cost=25))
    with pytest.raises(ValidationError):
        services.reverse_entry(actor=world.users["neighborhood_secretary"], entry=entry, reason="录错")
    assert Balance.objects.get(volunteer=person).points == 5


def test_reversed_redemption_returns_points_and_stock(world):
    person, _ = served(world, hours="3", rate=10)
    prize = item(world, cost=25, stock=1)
    redemption = services.redeem(actor=world.users["social_worker"], volunteer=person, item=prize)
    services.reverse_entry(
        actor=world.users["neighborhood_secretary"], entry=redemption.ledger_entry, reason="退回"
    )
    prize.refresh_from_db()
    assert (prize.stock, Balance.objects.get(volunteer=person).points) == (1, 30)


def test_ledger_entries_cannot_be_edited_or_deleted(world):
    _, entry = served(world)
    entry.points = 1000
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_banked_hours_pay_for_elderly_care_but_not_beyond_the_balance(world):
    person, _ = served(world, hours="3")
    services.use_banked_hours(
        actor=world.users["social_worker"], volunteer=person, hours="2", memo="助老陪护"
    )
    with pytest.raises(ValidationError, match="hours"):
        services.use_banked_hours(
            actor=world.users["social_worker"], volunteer=person, hours="1.5", memo="助老"
        )
    assert Balance.objects.get(volunteer=person).hours == Decimal("1.00")


def test_statement_exports_to_xlsx_with_running_balances_and_is_audited(world):
    person, _ = served(world, hours="3", rate=10)
    services.use_banked_hours(
        actor=world.users["social_worker"], volunteer=person, hours="1", memo="助老陪护"
    )
    data = services.export_statement(actor=world.users["neighborhood_secretary"], volunteer=person)
    book = load_workbook(BytesIO(data))
    assert book.sheetnames == ["积分明细"]  # the sheet named in Chinese, not "statement"
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[-1][-2:] == (30, 2)
    record = AuditRecord.objects.get(action="export", object_id=str(person.pk))
    assert record.summary.endswith("的积分明细")


def test_social_worker_may_not_export_statements(world):
    person, _ = served(world)
    with pytest.raises(PermissionDenied):
        services.export_statement(actor=world.users["social_worker"], volunteer=person)


def test_only_the_team_chief_confirms_hours(world):
    activity = t.activity(world, started=True)
    person = t.volunteer(world, "李四", with_user=True)
    signup = services.sign_up(actor=person.user, activity=activity, volunteer=person)
    t.attend(person, activity)
    with pytest.raises(PermissionDenied):
        services.confirm_hours(actor=world.users["social_worker"], signup=signup)


def test_served_hours_count_only_inside_the_activity(world):
    activity = t.activity(world, started=True)
    person = t.volunteer(world, "王五", with_user=True)
    signup = services.sign_up(actor=person.user, activity=activity, volunteer=person)
    signup.checked_in_at = activity.starts_at - timedelta(hours=2)
    signup.checked_out_at = activity.starts_at + timedelta(minutes=90)
    assert services.served_hours(signup) == Decimal("1.50")
