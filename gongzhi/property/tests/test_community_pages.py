"""The pages of rules and stars, benefits, committee records and joint meetings, per role; and the
property company's own account: its compound only, and the complaints routed to it."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongzhi.concerns.models import Concern
from gongzhi.concerns.services import transition
from gongzhi.concerns.tests.conftest import concern_for
from gongzhi.core.errors import NotInScope
from gongzhi.core.roles import AREA_ROLES, ROLES
from gongzhi.property import selectors, services
from gongzhi.property.models import (
    BenefitClaim,
    CommitteeReport,
    FeeStandard,
    JointMeeting,
    OwnersCommittee,
    RuleVersion,
    StarReview,
)
from gongzhi.property.testing import ADMIN, add_property, benefit, compound_a, honoured_volunteer
from gongzhi.property.tests.test_pages import READERS, STAFF

ROLE_CODES = list(ROLES)
COMPOUND_ROLES = STAFF | {"property_staff", "owners_committee_member"}


@pytest.fixture
def prop(world):
    add_property(world)
    return world


def _as(client, world, code):
    client.force_login(world.users[code])
    return client


@pytest.mark.parametrize("code", ROLE_CODES)
def test_the_community_page_is_read_by_property_readers_and_kept_by_staff(client, prop, code):
    url = reverse("property:community", args=[prop.neighborhood_a.pk])
    services.adopt_rule_version(
        actor=prop.users[ADMIN],
        neighborhood=prop.neighborhood_a,
        text="爱护环境",
        short_form="环境靠大家",
        adopted_on=date(2026, 1, 1),
    )
    response = _as(client, prop, code).get(url)
    assert response.status_code == (200 if code in READERS else 403)
    if code in READERS:
        assert "环境靠大家" in response.content.decode()
    post = {"action": "rules", "text": "新规", "short_form": "新规好记", "adopted_on": "2026-06-01"}
    response = client.post(url, post)
    assert response.status_code == (302 if code in STAFF else 403)
    assert RuleVersion.objects.filter(short_form="新规好记").exists() == (code in STAFF)


@pytest.mark.parametrize("code", ROLE_CODES)
def test_stars_are_reviewed_on_the_page_by_staff_only(client, prop, code):
    url = reverse("property:community", args=[prop.neighborhood_a.pk])
    post = {"action": "stars", "household": prop.household_a.pk, "stars": "2", "reason": "邻里互助"}
    response = _as(client, prop, code).post(url, post)
    assert response.status_code == (302 if code in STAFF else 403)
    assert StarReview.objects.exists() == (code in STAFF)


def test_a_household_of_another_neighborhood_is_not_found_on_the_page(client, prop):
    url = reverse("property:community", args=[prop.neighborhood_a.pk])
    post = {"action": "stars", "household": prop.household_b.pk, "stars": "2", "reason": "x"}
    assert _as(client, prop, "neighborhood_secretary").post(url, post).status_code == 404
    assert not StarReview.objects.exists()


def test_a_neighborhood_of_another_subdistrict_is_not_found(client, prop):
    url = reverse("property:community", args=[prop.household_far.neighborhood.pk])
    assert _as(client, prop, ADMIN).get(url).status_code == 404


@pytest.mark.parametrize("code", sorted(STAFF))
def test_a_redemption_posted_twice_with_its_key_spends_once(client, prop, code):
    person, offer = honoured_volunteer(prop), benefit(prop, cost=10)
    url = reverse("property:community", args=[prop.neighborhood_a.pk])
    page = _as(client, prop, code).get(url).content.decode()
    assert person.name in page and offer.item.name in page
    post = {"action": "redeem", "volunteer": person.pk, "benefit": offer.pk, "key": "form-1"}
    assert client.post(url, post).status_code == 302
    assert client.post(url, post).status_code == 302
    assert BenefitClaim.objects.count() == 1


@pytest.mark.parametrize("code", ROLE_CODES)
def test_the_manage_page_changes_the_fee_with_the_owners_decision_for_staff_only(client, prop, code):
    url = reverse("property:manage", args=[compound_a(prop).pk])
    response = _as(client, prop, code).get(url)
    assert response.status_code == (200 if code in READERS else 403)
    # The first standard needs no decision; this one is the second and names none: refused for all.
    response = client.post(url, {"action": "fee", "rate": "0.50", "effective_from": "2027-01-01"})
    assert response.status_code == (302 if code in STAFF else 403)
    assert not FeeStandard.objects.filter(rate="0.50").exists()
    response = client.post(
        url, {"action": "committee", "term_starts": "2029-06-01", "term_ends": "2034-06-01"}
    )
    assert OwnersCommittee.objects.filter(term_starts=date(2029, 6, 1)).exists() == (code in STAFF)


def test_a_compound_of_another_subdistrict_has_no_manage_page(client, prop):
    far = prop.household_far.building.compound
    assert _as(client, prop, ADMIN).get(reverse("property:manage", args=[far.pk])).status_code == 404


@pytest.mark.parametrize("code", ROLE_CODES)
def test_a_stairwell_covenant_is_adopted_by_staff_and_shown_to_its_readers(client, prop, code):
    stairwell = prop.household_a.stairwell
    response = _as(client, prop, code).post(
        reverse("property:covenant", args=[stairwell.pk]),
        {"text": "楼道整洁", "short_form": "楼道是我家，整洁靠大家", "adopted_on": "2026-03-01"},
    )
    assert response.status_code == (302 if code in STAFF else 403)
    assert RuleVersion.objects.exists() == (code in STAFF)
    if code in READERS:
        services.adopt_rule_version(
            actor=prop.users[ADMIN],
            stairwell=stairwell,
            text="v",
            short_form="楼道是我家",
            adopted_on=date(2026, 4, 1),
        )
        page = client.get(reverse("property:stairwell", args=[stairwell.pk])).content.decode()
        assert "楼道是我家" in page


@pytest.mark.parametrize("code", ROLE_CODES)
def test_a_joint_committee_meeting_is_scheduled_by_staff(client, prop, code):
    body = services.create_joint_committee(
        actor=prop.users[ADMIN], neighborhood=prop.neighborhood_a, kind="multi_party", name="多位一体联席会"
    )
    response = _as(client, prop, code).post(
        reverse("property:joint_meeting", args=[body.pk]), {"title": "停车难", "held_at": "2026-05-08T19:00"}
    )
    # The neighborhood's body is beyond the compound's and stairwell's roles: absent to them.
    expected = 302 if code in STAFF else (404 if code in READERS else 403)
    assert response.status_code == expected
    assert JointMeeting.objects.exists() == (code in STAFF)


@pytest.mark.parametrize("code", ROLE_CODES)
def test_committee_reports_are_scheduled_and_heard_by_staff(client, prop, code):
    from gongzhi.org import factories as f

    committee = OwnersCommittee.objects.get()
    committee.branch = f.PartyOrgFactory(neighborhood=prop.neighborhood_a, subdistrict=prop.subdistrict)
    committee.save(update_fields=["branch"])
    url = reverse("property:committee_action", args=[committee.pk])
    response = _as(client, prop, code).post(url, {"action": "reports", "year": "2026"})
    hidden = code in AREA_ROLES and code not in COMPOUND_ROLES  # out of scope looks absent
    assert response.status_code == (302 if code in STAFF else (404 if hidden else 403))
    assert CommitteeReport.objects.count() == (2 if code in STAFF else 0)


# --- The property company's own account ---------------------------------------------------------


def test_the_company_sees_its_compound_and_not_the_neighbors(client, prop):
    other = prop.household_a2.building.compound
    services.form_committee(
        actor=prop.users[ADMIN], compound=other, term_starts=date(2025, 1, 1), term_ends=date(2030, 1, 1)
    )
    staff = _as(client, prop, "property_staff")
    assert staff.get(reverse("property:compound", args=[compound_a(prop).pk])).status_code == 200
    assert staff.get(reverse("property:compound", args=[other.pk]) + "?year=2026").status_code == 404
    # The neighbor's records are out of its scope: the committee is absent, the list shows none.
    assert (
        staff.get(
            reverse("property:committee", args=[OwnersCommittee.objects.get(compound=other).pk])
        ).status_code
        == 404
    )
    assert list(selectors.committees_of(prop.users["property_staff"], other)) == []
    assert list(selectors.contracts_of(prop.users["property_staff"], compound_a(prop)))


def test_the_company_answers_the_complaints_routed_to_it_only(prop):
    ours = concern_for(prop)
    theirs = concern_for(prop, actor=prop.users[ADMIN], household=prop.household_a2)
    Concern.objects.filter(pk=ours.pk).update(
        handler_kind="property_company", handler_compound=compound_a(prop), state="dispatched"
    )
    Concern.objects.filter(pk=theirs.pk).update(
        handler_kind="property_company",
        handler_compound=prop.household_a2.building.compound,
        state="dispatched",
    )
    company = prop.users["property_staff"]
    assert [c.pk for c in selectors.complaints_of(company, compound_a(prop))] == [ours.pk]
    transition(actor=company, concern=Concern.objects.get(pk=ours.pk), action="start", note="已派保安")
    assert Concern.objects.get(pk=ours.pk).state == "handling"
    with pytest.raises(NotInScope):
        transition(actor=company, concern=Concern.objects.get(pk=theirs.pk), action="start")
    assert selectors.complaint_counts(compound_a(prop), date.today().year)["received"] >= 1


@pytest.mark.parametrize("code", ROLE_CODES)
def test_only_the_subdistrict_edits_a_property_company(client, prop, code):
    from gongzhi.property.models import PropertyCompany

    company = PropertyCompany.objects.get()
    url = reverse("property:manage", args=[compound_a(prop).pk])
    post = {"action": "edit_company", "company": company.pk, "name": "杨行红色物业", "has_party_branch": "on"}
    response = _as(client, prop, code).post(url, post)
    # Everyone else who reads the company (the neighborhood's staff, the company) gets 403.
    assert response.status_code == (302 if code == ADMIN else 403)
    company.refresh_from_db()
    assert (company.name == "杨行红色物业") == (code == ADMIN)
    assert company.has_party_branch == (code == ADMIN)


def test_a_company_name_taken_by_another_is_refused(prop):
    from gongzhi.property.models import PropertyCompany

    admin = prop.users[ADMIN]
    other = services.create_company(actor=admin, subdistrict=prop.subdistrict, name="宝杨物业")
    with pytest.raises(ValidationError):
        services.update_company(actor=admin, company=other, name="杨行物业")
    assert PropertyCompany.objects.get(pk=other.pk).name == "宝杨物业"


def test_a_household_is_rated_by_building_and_room_as_typed(client, prop):
    url = reverse("property:community", args=[prop.neighborhood_a.pk])
    home = prop.household_a
    staff = _as(client, prop, "neighborhood_secretary")
    post = {
        "action": "stars",
        "building": home.building.number,
        "room": home.room,
        "stars": "3",
        "reason": "示范",
    }
    assert staff.post(url, post).status_code == 302
    assert StarReview.objects.get().household_id == home.pk
    response = staff.post(url, post | {"room": "9999"}, follow=True)
    assert "9999" in response.content.decode() and StarReview.objects.count() == 1


def test_a_building_typed_without_its_suffix_finds_the_flat(client, prop):
    """Issue 23: "5" and "301" (or "5-301" in one box) find 5号楼 301."""
    url = reverse("property:community", args=[prop.neighborhood_a.pk])
    home = prop.household_a
    staff = _as(client, prop, "neighborhood_secretary")
    number = home.building.number.removesuffix("号楼")
    post = {
        "action": "stars",
        "building": f"{number}-{home.room}",
        "room": "",
        "stars": "2",
        "reason": "互助",
    }
    assert staff.post(url, post).status_code == 302
    assert StarReview.objects.get().household_id == home.pk
