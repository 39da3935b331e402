"""Call-up drills: a tabletop drill predicts from past answers and sends nothing; a live drill
messages only its teams, every message marked 【演练】, and never becomes a real call-up."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from gongzhi.notifications import services as notify_services
from gongzhi.notifications.models import Message
from gongzhi.volunteers import drills, prediction, services
from gongzhi.volunteers import testing as t
from gongzhi.volunteers.models import DRILL_MARK, CallUpAnswer, Emergency, KindFixed, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GONGZHI_WEBHOOK_URL = ""


def _member(world, team, name, **kwargs):
    person = t.volunteer(world, name, **kwargs)
    Volunteer.objects.filter(pk=person.pk).update(team=team)
    person.refresh_from_db()
    return person


def _posts(admin, drill, count=2):
    post = services.add_post(
        actor=admin, emergency=drill, name="东门", latitude=Decimal("31.3"), longitude=Decimal("121.4")
    )
    start = timezone.now() + timedelta(hours=1)
    shift = services.add_shift(
        actor=admin, emergency=drill, starts_at=start, ends_at=start + timedelta(hours=4)
    )
    services.set_need(actor=admin, post=post, shift=shift, count=count)
    return post


@pytest.fixture
def crew(world):
    """A team of four (one with an account, one without a phone), a second team and a volunteer
    of no team in the same neighborhood."""
    admin = world.users["subdistrict_admin"]
    team = t.team(world)
    other_team = services.create_team(actor=admin, neighborhood=world.neighborhood_a, name="护河队")
    members = [_member(world, team, n) for n in ("甲", "乙", "丙")]
    members.append(_member(world, team, "丁", with_user=True, phone=""))
    outsiders = [
        _member(world, other_team, "外队", with_user=True),
        t.volunteer(world, "无队", with_user=True),
    ]
    return {"admin": admin, "team": team, "members": members, "outsiders": outsiders}


def _drill(world, crew, kind, **kwargs):
    drill = services.create_drill(
        actor=crew["admin"],
        subdistrict=world.subdistrict,
        neighborhood=world.neighborhood_a,
        title="防汛演练",
        kind=kind,
        teams=[crew["team"]],
        **kwargs,
    )
    _posts(crew["admin"], drill)
    return drill


def _past_call_up(world, crew, answers: dict, minutes: float = 10):
    """A closed real call-up of everyone, answered as `answers` says, `minutes` after the call."""
    admin = crew["admin"]
    e = services.open_emergency(actor=admin, subdistrict=world.subdistrict, title="往期召集")
    services.call_up(actor=admin, emergency=e)
    for person, yes in answers.items():
        a = CallUpAnswer.objects.get(emergency=e, volunteer=person)
        services.answer_call_up(token=a.token, accept=yes)
        CallUpAnswer.objects.filter(pk=a.pk).update(answered_at=a.called_at + timedelta(minutes=minutes))
    services.close_emergency(actor=admin, emergency=e)
    return e


# --- the prediction ---------------------------------------------------------------------------


def test_the_rate_is_pulled_towards_the_area_by_two_imagined_call_ups():
    e = prediction.estimate(1, prediction.History(called=1, yes=1, delays=(12.0,)), 0.5, 30.0, True)
    assert e.rate == round((1 + 2 * 0.5) / 3, 4) and e.delay_minutes == 12.0 and e.basis == "own"
    newcomer = prediction.estimate(2, prediction.History(), 0.6, 20.0, True)
    assert (newcomer.rate, newcomer.delay_minutes, newcomer.basis) == (0.6, 20.0, "area")
    nothing = prediction.area_prior({})
    assert nothing == (prediction.DEFAULT_RATE, prediction.DEFAULT_DELAY_MINUTES, False)


def test_the_simulation_is_the_same_for_the_same_seed_and_order_free():
    estimates = [prediction.Estimate(i, 0.5, 20.0, "area") for i in range(1, 40)]
    first = prediction.simulate(estimates, seed=7)
    assert first == prediction.simulate(list(reversed(estimates)), seed=7)
    assert first != prediction.simulate(estimates, seed=8)
    assert 5 < sum(o.answers_yes for o in first) < 35


def test_times_to_fill_read_the_curve():
    assert prediction.times_to_fill([(5, 1), (9, 2), (20, 4)], 4) == {50: 9, 80: 20, 100: 20}
    assert prediction.times_to_fill([(5, 1)], 4) == {50: None, 80: None, 100: None}


# --- tabletop ---------------------------------------------------------------------------------


def test_tabletop_predicts_from_past_answers_sends_nothing_and_is_deterministic(world, crew):
    a, b, c, d = crew["members"]
    _past_call_up(world, crew, {a: True, b: False, c: True}, minutes=10)
    Volunteer.objects.filter(pk=c.pk).update(phone_unreachable=True)
    drill = _drill(world, crew, "tabletop")
    messages_before = Message.objects.count()

    first = drills.tabletop_figures(drill, seed=drill.pk)
    assert first == drills.tabletop_figures(drill, seed=drill.pk)
    figures = services.run_tabletop(actor=crew["admin"], drill=drill)

    assert Message.objects.count() == messages_before
    assert not CallUpAnswer.objects.filter(emergency=drill).exists()
    assert figures == first
    people = {p["volunteer"]: p for p in figures["people"]}
    # c's phone is dead and c has no account: not reached; d is reached by the inbox only
    assert set(people) == {a.pk, b.pk, d.pk}
    unreachable = {u["volunteer"]: u["reason"] for u in figures["unreachable"]}
    assert unreachable == {c.pk: "phone_unreachable", d.pk: "no_phone"}
    past = drills.histories(drill)
    assert past[a.pk] == prediction.History(1, 1, (10.0,))
    rate, _delay, _known = prediction.area_prior(past)
    assert people[a.pk]["rate"] == round((1 + 2 * rate) / 3, 4) and people[a.pk]["delay"] == 10.0
    assert people[b.pk]["rate"] == round((0 + 2 * rate) / 3, 4)
    assert people[d.pk]["basis"] == "own"  # called before (in the inbox), did not answer
    assert figures["places"] == 2 and set(figures["times"]) == {"50", "80", "100"}
    drill.refresh_from_db()
    assert drill.status == "closed" and drill.drill_result["summary"] == figures
    with pytest.raises(ValidationError):
        services.run_tabletop(actor=crew["admin"], drill=drill)


def test_a_tabletop_drill_cannot_be_called_up(world, crew):
    drill = _drill(world, crew, "tabletop")
    with pytest.raises(ValidationError):
        services.call_up(actor=crew["admin"], emergency=drill)
    with pytest.raises(ValidationError):
        services.run_live(actor=crew["admin"], drill=drill)
    assert not Message.objects.exists()


def test_sms_failures_of_past_call_ups_count_as_unreachable(world, crew):
    a = crew["members"][0]
    past = _past_call_up(world, crew, {})
    answer = CallUpAnswer.objects.get(emergency=past, volunteer=a)
    Message.objects.filter(key=f"callup:{answer.pk}/sms").update(status="failed")
    drill = _drill(world, crew, "tabletop")
    figures = drills.tabletop_figures(drill, seed=1)
    assert {u["volunteer"]: u["reason"] for u in figures["unreachable"]}[a.pk] == "sms_failed"
    assert a.pk not in {p["volunteer"] for p in figures["people"]}


# --- live -------------------------------------------------------------------------------------


def _everything_that_notifies(world, crew, drill):
    """Every path that sends on a call-up: the call-up, a second call-up, answers, the plan, a
    drop-out, standing down, and delivering all that is queued."""
    admin = crew["admin"]
    services.run_live(actor=admin, drill=drill)
    services.run_live(actor=admin, drill=drill)
    answers = list(CallUpAnswer.objects.filter(emergency=drill).order_by("pk"))
    for answer in answers[:2]:
        services.answer_call_up(token=answer.token, accept=True)
    services.plan_assignment(actor=admin, emergency=drill)
    services.drop_out(actor=admin, emergency=drill, volunteer=answers[0].volunteer)
    services.answer_call_up(token=answers[2].token, accept=False)
    services.close_emergency(actor=admin, emergency=drill)
    notify_services.fan_out(workers=2)


@pytest.mark.django_db(transaction=True)
def test_a_live_drill_marks_every_message_and_reaches_only_its_teams(world, crew):
    drill = _drill(world, crew, "live")
    _everything_that_notifies(world, crew, drill)

    members = {v.pk for v in crew["members"]}
    called = set(CallUpAnswer.objects.filter(emergency=drill).values_list("volunteer_id", flat=True))
    assert called == members
    messages = list(Message.objects.all())
    assert messages and all(
        m.subject.startswith(DRILL_MARK) and m.body.startswith(DRILL_MARK) for m in messages
    )
    outsider_users = {o.user_id for o in crew["outsiders"]}
    assert not Message.objects.filter(user_id__in=outsider_users).exists()
    outsider_phones = {o.contact_phone() for o in crew["outsiders"]}
    assert not [m for m in messages if m.address in outsider_phones]
    assert not CallUpAnswer.objects.filter(volunteer__in=crew["outsiders"]).exists()
    answer_ids = set(CallUpAnswer.objects.filter(emergency=drill).values_list("pk", flat=True))
    assert {int(m.key.split(":")[1].split("/")[0]) for m in messages} <= answer_ids


def test_a_real_call_up_carries_no_drill_mark(world, crew):
    e = services.open_emergency(actor=crew["admin"], subdistrict=world.subdistrict, title="真实召集")
    services.call_up(actor=crew["admin"], emergency=e)
    assert Message.objects.exists()
    assert not Message.objects.filter(subject__startswith=DRILL_MARK).exists()


def test_live_report_times_come_from_the_real_answers(world, crew):
    drill = _drill(world, crew, "live")
    services.run_live(actor=crew["admin"], drill=drill)
    for minutes, person in zip((4, 9), crew["members"], strict=False):
        a = CallUpAnswer.objects.get(emergency=drill, volunteer=person)
        services.answer_call_up(token=a.token, accept=True)
        CallUpAnswer.objects.filter(pk=a.pk).update(answered_at=a.called_at + timedelta(minutes=minutes))
    figures = drills.live_figures(drill)
    assert figures["times"] == {"50": 4.0, "80": 9.0, "100": 9.0}
    assert figures["yes"] == 2 and figures["called"] == 4 and figures["pending"] == 2
    assert figures["by_team"][0]["name"] == crew["team"].name and figures["by_team"][0]["yes"] == 2
    services.close_emergency(actor=crew["admin"], emergency=drill)
    drill.refresh_from_db()
    assert drill.drill_result["summary"]["times"] == figures["times"]
    assert drill.closed_at is not None


def test_posts_without_a_chief_are_listed(world, crew):
    drill = _drill(world, crew, "live")
    lead = crew["members"][0]
    services.add_post(
        actor=crew["admin"],
        emergency=drill,
        name="西门",
        latitude=Decimal("31.3"),
        longitude=Decimal("121.4"),
        post_lead=lead,
    )
    services.run_live(actor=crew["admin"], drill=drill)
    chiefless = {c["reason"] for c in drills.live_figures(drill)["chiefless"]}
    assert chiefless == {"none", "no_yes"}


# --- never a real call-up ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_drill_never_becomes_a_real_call_up(world, crew):
    drill = _drill(world, crew, "live")
    drill.kind = Emergency.Kind.REAL
    with pytest.raises(KindFixed):
        drill.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        Emergency.objects.filter(pk=drill.pk).update(kind="real")
    real = services.open_emergency(actor=crew["admin"], subdistrict=world.subdistrict, title="真实")
    with pytest.raises(DatabaseError), transaction.atomic():
        Emergency.objects.filter(pk=real.pk).update(kind="live")
    assert Emergency.objects.get(pk=drill.pk).kind == "live"
    with pytest.raises(ValidationError):
        services.run_tabletop(actor=crew["admin"], drill=drill)


# --- creating ---------------------------------------------------------------------------------


def test_create_drill_is_idempotent_on_its_key_and_checks_its_input(world, crew):
    make = dict(
        actor=crew["admin"],
        subdistrict=world.subdistrict,
        neighborhood=world.neighborhood_a,
        title="演练",
        teams=[crew["team"]],
    )
    first = services.create_drill(kind="live", key="k-1", **make)
    assert services.create_drill(kind="live", key="k-1", **make) == first
    assert Emergency.objects.filter(kind="live").count() == 1
    with pytest.raises(ValidationError) as bad:
        services.create_drill(kind="real", **make)
    assert "kind" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        services.create_drill(kind="live", **{**make, "teams": []})
    assert "teams" in bad.value.message_dict
    far_team = services.create_team(actor=crew["admin"], neighborhood=world.neighborhood_b, name="远队")
    with pytest.raises(ValidationError) as bad:
        services.create_drill(kind="live", **{**make, "teams": [far_team]})
    assert "teams" in bad.value.message_dict
    assert Emergency.objects.filter(kind="live").count() == 1


def test_a_drill_copies_an_earlier_call_ups_posts_shifts_and_needs(world, crew):
    source = services.open_emergency(actor=crew["admin"], subdistrict=world.subdistrict, title="台风")
    _posts(crew["admin"], source, count=3)
    drill = services.create_drill(
        actor=crew["admin"],
        subdistrict=world.subdistrict,
        title="台风演练",
        kind="tabletop",
        teams=[crew["team"]],
        copy_from=source,
    )
    assert [p.name for p in drill.posts.all()] == ["东门"]
    assert drill.shifts.count() == 1 and drill.shifts.get().starts_at > timezone.now()
    assert [n.count for n in drill.posts.get().needs.all()] == [3]


def test_a_running_drill_needs_posts_first(world, crew):
    drill = services.create_drill(
        actor=crew["admin"], subdistrict=world.subdistrict, title="空演练", kind="live", teams=[crew["team"]]
    )
    with pytest.raises(ValidationError):
        services.run_live(actor=crew["admin"], drill=drill)
    assert not Message.objects.exists()


def test_a_drills_yes_is_not_emergency_service(world, crew):
    from gongzhi.workforce.services.promotions import emergency_service

    drill = _drill(world, crew, "live")
    services.run_live(actor=crew["admin"], drill=drill)
    person = crew["members"][3]  # the one with an account
    answer = CallUpAnswer.objects.get(emergency=drill, volunteer=person)
    services.answer_call_up(token=answer.token, accept=True)
    services.plan_assignment(actor=crew["admin"], emergency=drill)
    assert emergency_service([person.user_id]) == {}
