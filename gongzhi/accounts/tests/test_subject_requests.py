"""Data-subject rights: a resident sees and downloads what the platform holds about them and asks
for a correction or deletion; the neighborhood secretary in scope decides within 15 working days,
with a reason for a refusal; corrections go through the register's own service; all audited."""

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.accounts import rights
from gongzhi.accounts.models import DataSubjectRequest, User
from gongzhi.accounts.tests.residents import sign_in_by_phone
from gongzhi.concerns import services as concern_services
from gongzhi.concerns.models import CalendarDay, Category
from gongzhi.core.errors import NotInScope
from gongzhi.core.models import AuditRecord
from gongzhi.volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident_client(client, world):
    sign_in_by_phone(client, world.resident_a.phone)
    world.resident_a.refresh_from_db()
    return client


def _resident_concern(world, phone, key="dsr-1"):
    category, _ = Category.objects.get_or_create(
        subdistrict=None, code="parking", defaults={"name": "停车", "tier": "minor"}
    )
    return concern_services.submit_concern(
        actor=None,
        channel="resident",
        category=category,
        place=concern_services.place_of(household=world.household_a),
        description="楼道灯坏了三天",
        reporter_phone=phone,
        idempotency_key=key,
        principal="test",
    )


def test_a_resident_sees_their_register_entry_masked_and_their_records(resident_client, world):
    resident = world.resident_a
    concern = _resident_concern(world, resident.phone)
    Volunteer.objects.create(
        neighborhood=world.neighborhood_a, name=resident.name, resident=resident, skills="修理"
    )
    page = resident_client.get(reverse("accounts:me")).content.decode()
    assert resident.name in page and resident.id_number_masked in page
    assert resident.id_number not in page and resident.phone not in page
    assert concern.title in page and "修理" in page
    assert "独居老人" in page  # the care tag is shown to the person it describes (PIPL art. 45)
    assert 'id="section-household"' in page


def test_the_copy_downloads_as_json_and_excel_and_is_audited(resident_client, world):
    resident = world.resident_a
    data = json.loads(resident_client.get(reverse("accounts:me_copy", args=["json"])).content)
    account = next(s for s in data["sections"] if s["key"] == "account")
    assert any(row.get("内容") == resident.name for row in account["rows"])
    response = resident_client.get(reverse("accounts:me_copy", args=["xlsx"]))
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert resident.name in values and resident.id_number_masked in values
    assert AuditRecord.objects.filter(action="export", actor_id=resident.user_id).count() == 2
    assert resident_client.get(reverse("accounts:me_copy", args=["csv"])).status_code == 404


def test_staff_and_anonymous_users_have_no_my_data_page(client, world):
    assert client.get(reverse("accounts:me")).status_code == 302
    client.force_login(world.users["neighborhood_secretary"])
    assert client.get(reverse("accounts:me")).status_code == 403  # a resident's page, not staff's
    assert client.get(reverse("accounts:me_copy", args=["json"])).status_code == 403


def test_a_correction_is_filed_once_with_a_15_working_day_deadline(resident_client, world):
    form = {
        "kind": "correction",
        "field": "name",
        "new_value": "王建国",
        "reason": "登记时写错了字",
        "key": "k1",
    }
    assert resident_client.post(reverse("accounts:me"), form).status_code == 302
    assert resident_client.post(reverse("accounts:me"), form).status_code == 302
    item = DataSubjectRequest.objects.get()
    assert item.neighborhood == world.neighborhood_a and item.resident == world.resident_a
    local = item.created_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert 15 <= (item.due_on - local).days <= 15 + 2 * 4 + 7  # 15 working days: three weeks and some


def test_the_deadline_counts_holidays_on_the_calendar(world):
    start = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
    assert rights.due_date(start) == date(2026, 11, 23)
    CalendarDay.objects.update_or_create(date=date(2026, 11, 10), defaults={"working": False})
    assert rights.due_date(start) == date(2026, 11, 24)


def test_bad_requests_name_the_field_and_change_nothing(resident_client, world):
    response = resident_client.post(
        reverse("accounts:me"), {"kind": "correction", "field": "name", "reason": ""}
    )
    text = response.content.decode()
    assert response.status_code == 400 and "请填写正确的内容" in text and "请说明理由" in text
    assert not DataSubjectRequest.objects.exists()


def test_staff_cannot_file_requests_for_themselves(world):
    with pytest.raises(Exception, match="居民本人|residents"):
        rights.file_request(user=world.users["grid_worker"], kind="deletion", reason="x")


def _file(world, **fields):
    user = User.objects.get(pk=world.resident_a.user_id)
    defaults = {"kind": "correction", "field": "name", "new_value": "王建国", "reason": "写错了"}
    return rights.file_request(user=user, **(defaults | fields))


def test_the_secretary_in_scope_sees_and_approves_a_correction(client, resident_client, world):
    item = _file(world)
    client.force_login(world.users["neighborhood_secretary"])
    queue = client.get(reverse("accounts:requests")).content.decode()
    assert reverse("accounts:request", args=[item.pk]) in queue
    response = client.post(reverse("accounts:request", args=[item.pk]), {"decision": "approve"})
    assert response.status_code == 302
    world.resident_a.refresh_from_db()
    item.refresh_from_db()
    assert world.resident_a.name == "王建国" and item.status == "done"
    assert AuditRecord.objects.filter(
        object_type="org.resident", action="update", object_id=str(world.resident_a.pk)
    ).exists()
    assert AuditRecord.objects.filter(object_type="accounts.datasubjectrequest", action="update").exists()


def test_a_phone_correction_goes_through_the_register_rules(resident_client, world):
    item = _file(world, field="phone", new_value="123")
    with pytest.raises(ValidationError):
        rights.decide(actor=world.users["neighborhood_secretary"], request=item, approve=True)
    item.refresh_from_db()
    assert item.status == "pending"


def test_a_refusal_needs_a_reason_and_the_resident_reads_it(resident_client, world):
    item = _file(world, kind="deletion", field="", new_value="")
    secretary = world.users["neighborhood_secretary"]
    with pytest.raises(ValidationError):
        rights.decide(actor=secretary, request=item, approve=False, reason=" ")
    rights.decide(actor=secretary, request=item, approve=False, reason="户籍登记依法须保留")
    assert "户籍登记依法须保留" in resident_client.get(reverse("accounts:me")).content.decode()
    with pytest.raises(ValidationError):
        rights.decide(actor=secretary, request=item, approve=True)


def test_an_approved_deletion_ends_the_account_and_removes_contact_data(resident_client, world):
    item = _file(world, kind="deletion", field="", new_value="")
    rights.decide(actor=world.users["neighborhood_secretary"], request=item, approve=True)
    world.resident_a.refresh_from_db()
    user = User.objects.get(pk=item.user_id)
    assert world.resident_a.phone == "" and world.resident_a.user is None
    assert not user.is_active and user.phone == "" and user.phone_digest == ""
    assert resident_client.get(reverse("accounts:me")).status_code == 302  # signed out


@pytest.mark.parametrize(
    "code,status",
    [
        ("neighborhood_secretary", 200),
        ("subdistrict_admin", 200),
        ("social_worker", 403),
        ("grid_worker", 403),
        ("auditor", 403),
        ("system_admin", 403),
    ],
)
def test_the_queue_is_for_the_secretary_and_the_subdistrict_admin(
    client, resident_client, world, code, status
):
    item = _file(world)
    client.force_login(world.users[code])
    assert client.get(reverse("accounts:requests")).status_code == status
    detail = client.get(reverse("accounts:request", args=[item.pk])).status_code
    assert detail == (200 if status == 200 else (403 if code in {"auditor", "system_admin"} else 404))


def test_another_neighborhoods_secretary_gets_404_and_cannot_decide(client, resident_client, world):
    from gongzhi.org import services as org_services
    from gongzhi.org.factories import UserFactory

    item = _file(world)
    other = UserFactory(username="other-secretary", is_staff=True)
    org_services.assign_role(actor=None, user=other, role="neighborhood_secretary", unit=world.neighborhood_b)
    client.force_login(other)
    assert client.get(reverse("accounts:request", args=[item.pk])).status_code == 404
    assert (
        client.post(reverse("accounts:request", args=[item.pk]), {"decision": "approve"}).status_code == 404
    )
    with pytest.raises(NotInScope):
        rights.decide(actor=other, request=item, approve=True)


@pytest.mark.django_db(transaction=True)
def test_two_staff_deciding_at_once_record_one_decision(world):
    from django.db import connection

    from gongzhi.core.testing import run_together

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from gongzhi.accounts import services

    services.request_phone_code(phone=world.resident_a.phone, client="t")
    from gongzhi.accounts.tests.residents import last_code

    services.sign_in_with_phone_code(phone=world.resident_a.phone, code=last_code(world.resident_a.phone))
    world.resident_a.refresh_from_db()
    item = _file(world)
    outcomes = run_together(
        lambda: rights.decide(actor=world.users["neighborhood_secretary"], request=item, approve=True),
        lambda: rights.decide(
            actor=world.users["subdistrict_admin"], request=item, approve=False, reason="不同意"
        ),
    )
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1, outcomes
    assert AuditRecord.objects.filter(object_type="accounts.datasubjectrequest", action="update").count() == 1


def _survey_entry(world, phone):
    from gongzhi.surveys import testing as survey_testing
    from gongzhi.surveys.models import Respondent

    survey = survey_testing.courier_survey(world, publish=False)
    entry = Respondent(survey=survey, name="王阿姨", note="楼组长推荐")
    entry.set_phone(phone)
    entry.save()
    return entry


def _wish(world, resident):
    from gongzhi.volunteers.models import MicroWish

    return MicroWish.objects.create(
        neighborhood=world.neighborhood_a,
        resident=resident,
        wisher_name=resident.name,
        title="想要一副老花镜",
        posted_by=world.users["social_worker"],
    )


def test_my_data_lists_survey_entries_messages_and_micro_wishes(resident_client, world):
    from gongzhi.notifications.models import Message

    resident = world.resident_a
    entry = _survey_entry(world, resident.phone)
    _wish(world, resident)
    Message.objects.create(key="dsr-msg", channel="inbox", user_id=resident.user_id, subject="您的诉求已办结")
    data = json.loads(resident_client.get(reverse("accounts:me_copy", args=["json"])).content)
    sections = {s["key"]: s["rows"] for s in data["sections"]}
    surveys = [list(r.values()) for r in sections["surveys"]]
    assert [entry.survey.title, "王阿姨"] == surveys[0][1:3] and resident.phone not in str(surveys)
    assert any("您的诉求已办结" in r.values() for r in sections["messages"])
    assert any("想要一副老花镜" in r.values() for r in sections["wishes"])
    page = resident_client.get(reverse("accounts:me")).content.decode()
    assert 'id="section-surveys"' in page and 'id="section-messages"' in page and "老花镜" in page


def test_an_approved_deletion_also_erases_the_phone_given_elsewhere(resident_client, world):
    from gongzhi.concerns.models import Concern
    from gongzhi.surveys.models import Respondent

    resident = world.resident_a
    phone = resident.phone
    concern = _resident_concern(world, phone)
    other = _resident_concern(world, "13912345678", key="dsr-2")
    volunteer = Volunteer.objects.create(
        neighborhood=world.neighborhood_a, name=resident.name, resident=resident
    )
    volunteer.phone = phone
    volunteer.save()
    entry = _survey_entry(world, phone)
    item = _file(world, kind="deletion", field="", new_value="")
    rights.decide(actor=world.users["neighborhood_secretary"], request=item, approve=True)
    volunteer.refresh_from_db()
    assert volunteer.phone == "" and volunteer.name == resident.name  # the hours stay, the contact goes
    assert Concern.objects.get(pk=concern.pk).reporter_phone == ""
    assert Concern.objects.get(pk=other.pk).reporter_phone == "13912345678"  # someone else's
    entry = Respondent.objects.get(pk=entry.pk)
    assert (entry.phone, entry.phone_digest, entry.name) == ("", "", "")
    record = AuditRecord.objects.filter(action="delete", object_type="accounts.user").latest("pk")
    counts = {k: record.changes[k] for k in ("volunteer_phones", "concern_reporters", "survey_respondents")}
    assert counts == {"volunteer_phones": 1, "concern_reporters": 1, "survey_respondents": 1}
    assert record.changes["accounts"] == 1  # the only account of this person


def test_the_resident_is_told_the_outcome_and_the_queue_names_the_field(resident_client, world):
    """Issue 23 item 9: a message in the resident's inbox for each decision, the data page lists
    each request with the item it concerns and when it was decided; the staff queue names the
    field each request concerns."""
    from django.test import Client

    from gongzhi.notifications.models import Message

    fixed = _file(world, key="told-1")
    refused = _file(world, field="birth_date", new_value="1960-05-01", reason="生日错了", key="told-2")
    staff = Client()  # `client` is the resident's (resident_client)
    staff.force_login(world.users["neighborhood_secretary"])
    queue = staff.get(reverse("accounts:requests")).content.decode()
    assert '<td class="request-item">姓名</td>' in queue and '<td class="request-item">出生日期</td>' in queue
    secretary = world.users["neighborhood_secretary"]
    rights.decide(actor=secretary, request=fixed, approve=True)
    rights.decide(actor=secretary, request=refused, approve=False, reason="与户籍信息一致，无需更正")
    inbox = Message.objects.filter(user_id=fixed.user_id, channel="inbox").order_by("key")
    assert [m.key for m in inbox] == [
        f"subject-request:{fixed.pk}:decided/inbox",
        f"subject-request:{refused.pk}:decided/inbox",
    ]
    assert inbox[0].subject == "您的个人信息申请：已完成"
    assert "姓名" in inbox[0].body and inbox[0].link == reverse("accounts:me")
    assert "与户籍信息一致，无需更正" in inbox[1].body and "出生日期" in inbox[1].body
    page = resident_client.get(reverse("accounts:me")).content.decode()
    section = page[page.index('id="section-requests"') :]
    assert "姓名" in section and "出生日期" in section and "与户籍信息一致，无需更正" in section
    # Deciding again changes nothing and sends nothing more.
    with pytest.raises(ValidationError):
        rights.decide(actor=secretary, request=fixed, approve=True)
    assert Message.objects.filter(user_id=fixed.user_id, channel="inbox").count() == 2
