"""Issue 19, finding 11: a deletion reaches every account and record linked to the person.

Every model holding personal data is declared by its app (`core.personal_data.hold`): either a
query for the rows that must be gone or blank after the person's deletion is approved, or the
reason the rows stay. The first test finds the models with a personal field and fails on one no
app declared; the second approves a deletion for a resident with a second account, an account of
their phone, a volunteer record with its own account, SMS sign-in codes and counters, a reported
concern and a wish, and checks every declared model.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.conf import settings

from gongzhi.core import personal_data

# A field by these names holds something about a person wherever it is.
PERSONAL_NAMES = {
    "phone",
    "phone_digest",
    "id_number",
    "id_number_digest",
    "birth_date",
    "display_name",
    "first_name",
    "last_name",
    "email",
    "reporter_name",
    "reporter_phone",
    "wisher_name",
    "shown_name",
}
# Models with such a field that hold no resident's data, and why.
NOT_PERSONAL = {
    "visits.StaffContact": "staff members' work phones, published for residents to call",
    "workforce.WorkerProfile": "staff records of social workers (personnel files, not residents')",
    "grids.GridAssignmentHistory": "names of the grid workers (staff) moved between grids",
    "org.PartnerUnit": "the contact person a partner unit names for its unit",
    "property.PropertyCompany": "a company's published contact",
    "projects.PanelMember": "review panel members are staff accounts",
    "org.RoleAssignment": "staff role assignments",
}


def personal_fields() -> dict[str, list[str]]:
    """label → its fields that hold something about a person: encrypted fields, the names above,
    a link to a register entry, and a `name` or `user` beside one of those."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    resident = apps.get_model("org", "Resident")
    found = {}
    for model in apps.get_models():
        if not model.__module__.startswith("gongzhi"):
            continue
        fields = [f for f in model._meta.get_fields() if getattr(f, "concrete", False)]
        hits = [
            f.name
            for f in fields
            if type(f).__module__ == "gongzhi.core.fields"
            or f.name in PERSONAL_NAMES
            or (f.is_relation and f.related_model is resident)
        ]
        if hits:
            hits += [
                f.name
                for f in fields
                if f.name == "name" or (f.is_relation and f.related_model is user_model and f.name == "user")
            ]
            found[model._meta.label] = sorted(set(hits))
    return found


def test_every_model_with_a_personal_field_is_declared():
    declared = {h.model for h in personal_data.holdings()}
    missing = sorted(set(personal_fields()) - declared - set(NOT_PERSONAL))
    assert not missing, f"models with personal fields that no app declared in personal_data.py: {missing}"
    for holding in personal_data.holdings():
        apps.get_model(holding.model)  # a declared model exists
        assert holding.reaching or holding.kept, f"{holding.model}: neither a check nor a reason to keep"


@pytest.fixture
def person(world, settings, tmp_path):
    """A resident reachable five ways, and her deletion request, pending."""
    from gongzhi.accounts import services as account_services
    from gongzhi.accounts.models import DataSubjectRequest, User
    from gongzhi.core import pii
    from gongzhi.org import factories as f
    from gongzhi.volunteers import services as volunteer_services
    from gongzhi.volunteers.models import MicroWish

    settings.VAR_DIR = tmp_path
    resident = world.resident_a
    resident.name = "张秀英"
    resident.set_phone("13600136000")
    asking = f.UserFactory(username="wechat-zhang", kind=User.Kind.RESIDENT, display_name="张秀英")
    resident.user = asking
    resident.save()
    # An account she signed in to with her phone (an SMS code), never linked to the register.
    by_phone = f.UserFactory(username="phone-zhang", kind=User.Kind.RESIDENT, display_name="张秀英")
    by_phone.phone = "13600136000"
    by_phone.phone_digest = pii.blind_index("phone", "13600136000")
    by_phone.save()
    account_services.request_phone_code(phone="13600136000", client="203.0.113.9")
    # A volunteer record of hers with its own account and another phone.
    volunteering = f.UserFactory(username="volunteer-zhang", kind=User.Kind.RESIDENT, display_name="张秀英")
    volunteer_services.register_volunteer(
        actor=world.users["subdistrict_admin"],
        neighborhood=world.neighborhood_a,
        name="张秀英",
        resident=resident,
        user=volunteering,
        phone="13900139000",
    )
    MicroWish.objects.create(
        neighborhood=world.neighborhood_a,
        title="想要一副老花镜",
        resident=resident,
        wisher_name="张秀英",
        posted_by=world.users["social_worker"],
    )
    request = DataSubjectRequest.objects.create(
        user=asking,
        resident=resident,
        subdistrict=world.subdistrict,
        neighborhood=world.neighborhood_a,
        kind=DataSubjectRequest.Kind.DELETION,
        due_on=date.today(),
    )
    return {"user": asking, "resident": resident, "request": request, "others": [by_phone, volunteering]}


def snapshot(instance):
    """The row as it was: what the person left behind, for the checks after the deletion."""
    return type(instance).objects.get(pk=instance.pk)


@pytest.mark.django_db
def test_a_deletion_reaches_every_account_and_record_of_the_person(world, person):
    from gongzhi.accounts import rights
    from gongzhi.accounts.models import User

    user, resident = snapshot(person["user"]), snapshot(person["resident"])
    held = {h.model: h for h in personal_data.holdings()}
    before = {
        label: len(list(held[label].reaching(user, resident)))
        for label in (
            "accounts.User",
            "accounts.PhoneCode",
            "accounts.LoginThrottle",
            "notifications.Message",
        )
        + ("volunteers.Volunteer", "volunteers.MicroWish", "org.Resident")
    }
    assert all(before.values()), before  # the scenario reaches the person every way it checks
    assert before["accounts.User"] == 3

    rights.decide(actor=world.users["neighborhood_secretary"], request=person["request"], approve=True)

    left = {h.model: list(h.reaching(user, resident)) for h in held.values() if h.reaching}
    assert not {label: rows for label, rows in left.items() if rows}, "records still reaching the person"
    for other in person["others"]:
        other = User.objects.get(pk=other.pk)
        assert not other.is_active and other.display_name == "" and other.phone_digest == ""
