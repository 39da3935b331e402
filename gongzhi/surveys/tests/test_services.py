"""Building, distributing and answering a survey: validation, idempotency, rate limit, results."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from gongzhi.core.models import AuditRecord
from gongzhi.org import factories as f
from gongzhi.surveys import results, services
from gongzhi.surveys import testing as t
from gongzhi.surveys.models import Answer, Respondent, Response, Survey

pytestmark = pytest.mark.django_db


def _window():
    now = timezone.now()
    return {"opens_at": now - timedelta(hours=1), "closes_at": now + timedelta(days=3)}


def test_a_survey_is_built_with_ordered_questions_of_four_kinds(world):
    survey = t.courier_survey(world, publish=False)
    kinds = list(survey.questions.order_by("position").values_list("kind", flat=True))
    assert kinds == ["single", "multiple", "scale", "text"]
    last = survey.questions.get(position=4)
    services.move_question(actor=world.users["social_worker"], question=last, up=True)
    assert survey.questions.get(position=3).kind == "text"
    services.delete_question(actor=world.users["social_worker"], question=survey.questions.get(position=1))
    assert list(survey.questions.order_by("position").values_list("position", "kind")) == [
        (1, "multiple"),
        (2, "text"),
        (3, "scale"),
    ]


def test_bad_questions_are_refused_naming_the_field(world):
    survey = t.courier_survey(world, publish=False)
    admin = world.users["subdistrict_admin"]
    with pytest.raises(ValidationError) as err:
        services.add_question(actor=admin, survey=survey, kind="single", text="只有一个选项", options="是")
    assert "options" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.add_question(actor=admin, survey=survey, kind="scale", text="打分", scale_max=7)
    assert "scale_max" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.add_question(actor=admin, survey=survey, kind="text", text="  ")
    assert "text" in err.value.message_dict
    assert survey.questions.count() == 4


def test_a_zero_to_ten_scale_starts_at_zero(world):
    survey = t.courier_survey(world, publish=False)
    q = services.add_question(
        actor=world.users["subdistrict_admin"], survey=survey, kind="scale", text="推荐度", scale_max=10
    )
    assert q.scale_values == list(range(0, 11))


def test_questions_freeze_once_published(world):
    survey = t.courier_survey(world)
    with pytest.raises(ValidationError):
        services.add_question(
            actor=world.users["subdistrict_admin"], survey=survey, kind="text", text="再加一题"
        )


def test_survey_window_and_compound_are_validated(world):
    now = timezone.now()
    with pytest.raises(ValidationError) as err:
        services.create_survey(
            actor=world.users["subdistrict_admin"],
            neighborhood=world.neighborhood_a,
            title="x",
            opens_at=now,
            closes_at=now - timedelta(days=1),
            target="compound",
            compound=world.household_b.building.compound,
        )
    assert {"closes_at", "compound"} <= set(err.value.message_dict)
    assert not Survey.objects.exists()


def test_staff_outside_the_neighborhood_cannot_create_a_survey_there(world):
    with pytest.raises(PermissionDenied):
        services.create_survey(
            actor=world.users["social_worker"],
            neighborhood=world.neighborhood_b,
            title="越界",
            target="open",
            **_window(),
        )
    with pytest.raises(PermissionDenied):
        services.create_survey(
            actor=world.users["grid_worker"],
            neighborhood=world.neighborhood_a,
            title="x",
            target="open",
            **_window(),
        )


def test_courier_list_imports_from_csv_and_xlsx_with_encrypted_phones(world):
    survey = t.courier_survey(world, publish=False)
    assert survey.respondents.count() == 3
    stored = Respondent.objects.filter(survey=survey).values_list("phone", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM surveys_respondent")
        raw = [row[0] for row in cursor.fetchall()]
    assert "13800000001" in set(stored) and not any("1380000" in r for r in raw)
    book = openpyxl.Workbook()
    book.active.append(["姓名", "手机号", "备注"])
    book.active.append(["赵师傅", 13800000009, "闪送"])
    book.active.append(["张师傅", "138 0000 0001", "顺丰"])  # already on the list
    buffer = io.BytesIO()
    book.save(buffer)
    added, known = services.import_respondents(
        actor=world.users["social_worker"],
        survey=survey,
        upload=ContentFile(buffer.getvalue(), name="more.xlsx"),
    )
    assert (added, known) == (1, 1)
    assert survey.respondents.get(note="闪送").phone_masked == "138****0009"


def test_a_bad_list_names_every_bad_row_and_imports_nothing(world):
    survey = t.courier_survey(world, publish=False)
    content = "姓名,手机\n好人,13900000001\n,13900000002\n坏号码,12345\n重复,13900000001\n".encode()
    with pytest.raises(ValidationError) as err:
        services.import_respondents(
            actor=world.users["subdistrict_admin"], survey=survey, upload=ContentFile(content, name="x.csv")
        )
    text = " ".join(err.value.messages)
    assert "第 3 行" in text and "第 4 行" in text and "第 5 行" in text
    assert survey.respondents.count() == 3
    with pytest.raises(ValidationError):
        services.import_respondents(
            actor=world.users["subdistrict_admin"],
            survey=survey,
            upload=ContentFile(b"a,b\n1,2\n", name="x.csv"),
        )
    with pytest.raises(ValidationError):
        services.import_respondents(
            actor=world.users["subdistrict_admin"], survey=survey, upload=ContentFile(b"\x00x", name="x.txt")
        )


def test_a_compound_survey_asks_each_household_once_and_an_elderly_survey_the_old(world):
    admin = world.users["subdistrict_admin"]
    compound = world.household_a.building.compound
    f.HouseholdFactory(building=world.household_a.building)
    survey = services.create_survey(
        actor=admin,
        neighborhood=world.neighborhood_a,
        title="加装电梯意向",
        target="compound",
        compound=compound,
        **_window(),
    )
    services.add_question(
        actor=admin, survey=survey, kind="single", text="是否同意？", options="同意\n不同意"
    )
    services.publish(actor=admin, survey=survey)
    services.publish(actor=admin, survey=survey)  # twice is once
    assert survey.respondents.count() == 2
    assert set(survey.respondents.values_list("household__building__compound", flat=True)) == {compound.pk}

    old = world.resident_a
    old.birth_date = timezone.localdate() - timedelta(days=75 * 365)
    old.save()
    young = world.resident_a2
    young.birth_date = timezone.localdate() - timedelta(days=30 * 365)
    young.save()
    elderly = services.create_survey(
        actor=admin, neighborhood=world.neighborhood_a, title="助餐需求", target="elderly", **_window()
    )
    services.add_question(actor=admin, survey=elderly, kind="text", text="想吃什么？")
    services.publish(actor=admin, survey=elderly)
    assert list(elderly.respondents.values_list("resident", flat=True)) == [old.pk]


def test_publishing_needs_questions_and_someone_to_ask(world):
    admin = world.users["subdistrict_admin"]
    survey = services.create_survey(
        actor=admin, neighborhood=world.neighborhood_a, title="空名单", target="custom", **_window()
    )
    with pytest.raises(ValidationError):
        services.publish(actor=admin, survey=survey)
    services.add_question(actor=admin, survey=survey, kind="text", text="?")
    with pytest.raises(ValidationError):
        services.publish(actor=admin, survey=survey)
    assert Survey.objects.get(pk=survey.pk).status == "draft"


def test_a_personal_link_answers_once_and_a_retry_returns_the_first_answer(world):
    survey = t.courier_survey(world)
    token = survey.respondents.first().token
    first, created = services.submit_with_token(token=token, data=t.full_answer(survey))
    again, created_again = services.submit_with_token(token=token, data={})
    assert created and not created_again and first.pk == again.pk
    assert Response.objects.count() == 1 and Answer.objects.count() == 4


def test_bad_answers_name_each_question_and_store_nothing(world):
    survey = t.courier_survey(world)
    q = {x.position: x.field_name for x in survey.questions.all()}
    token = survey.respondents.first().token
    bad = {q[1]: ["0", "1"], q2 if (q2 := q[2]) else "": ["9"], q[3]: ["6"]}
    with pytest.raises(ValidationError) as err:
        services.submit_with_token(token=token, data=bad)
    assert set(err.value.message_dict) == {q[1], q[2], q[3]}
    assert err.value.message_dict[q[3]] == ["请选择 1 到 5 之间的数值。"]
    with pytest.raises(ValidationError) as err:
        services.submit_with_token(token=token, data={q[1]: ["0"]})
    assert set(err.value.message_dict) == {q[2], q[3]}  # the text question is optional
    assert not Response.objects.exists()


def test_a_closed_or_not_yet_open_survey_takes_no_answers(world):
    survey = t.courier_survey(world)
    token = survey.respondents.first().token
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=timezone.now() + timedelta(days=1), closes_at=timezone.now() + timedelta(days=2)
    )
    with pytest.raises(ValidationError, match="尚未开始"):
        services.submit_with_token(token=token, data=t.full_answer(survey))
    services.close(actor=world.users["social_worker"], survey=survey)
    with pytest.raises(ValidationError, match="已结束"):
        services.submit_with_token(token=token, data=t.full_answer(survey))
    assert not Response.objects.exists()


def test_the_open_link_is_idempotent_per_form_and_rate_limited_per_client(world):
    survey = t.courier_survey(world, open_link=True)
    data = t.full_answer(survey)
    first, created = services.submit_open(
        open_token=survey.open_token, data=data, submission_key="k" * 20, client_ip="10.0.0.1"
    )
    retry, created_again = services.submit_open(
        open_token=survey.open_token, data=data, submission_key="k" * 20, client_ip="10.0.0.1"
    )
    assert created and not created_again and first.pk == retry.pk
    for n in range(2):
        services.submit_open(
            open_token=survey.open_token, data=data, submission_key=f"{n}" * 20, client_ip="10.0.0.1"
        )
    with pytest.raises(ValidationError, match="过于频繁"):
        services.submit_open(
            open_token=survey.open_token, data=data, submission_key="z" * 20, client_ip="10.0.0.1"
        )
    services.submit_open(
        open_token=survey.open_token, data=data, submission_key="y" * 20, client_ip="10.0.0.2"
    )
    assert Response.objects.filter(survey=survey).count() == 4
    assert "10.0.0.1" not in set(Response.objects.values_list("client_digest", flat=True))


def test_results_count_options_scale_mean_masked_texts_and_response_rate(world):
    survey = t.courier_survey(world)
    tokens = list(survey.respondents.order_by("pk").values_list("token", flat=True))
    q = {x.position: x.field_name for x in survey.questions.all()}
    services.submit_with_token(token=tokens[0], data=t.full_answer(survey))
    services.submit_with_token(token=tokens[1], data={q[1]: ["1"], q[2]: ["2"], q[3]: ["3"]})
    r = results.tally(survey)
    assert (r.responses, r.invited, str(r.response_rate)) == (2, 3, "66.7")
    platform, needs, scale, text = r.questions
    assert [row["count"] for row in platform.rows] == [0, 2, 0, 0]
    assert str(platform.rows[1]["percent"]) == "100.0"
    assert [row["count"] for row in needs.rows] == [1, 0, 2, 0, 0]
    assert str(scale.mean) == "3.50" and [row["count"] for row in scale.rows] == [0, 0, 1, 1, 0]
    assert text.texts == ["希望有微波炉，电话 139****5678"]


def test_the_export_holds_summary_and_raw_answers_without_personal_data(world):
    survey = t.courier_survey(world)
    services.submit_with_token(token=survey.respondents.first().token, data=t.full_answer(survey))
    data = services.export_xlsx(actor=world.users["social_worker"], survey=survey)
    book = openpyxl.load_workbook(io.BytesIO(data))
    summary, raw = book.worksheets
    cells = [str(c) for row in summary.iter_rows(values_only=True) for c in row if c is not None]
    assert "小哥驿站需求调查" in cells and "美团" in cells
    rows = list(raw.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][3:] == ("美团", "饮水；休息", 4, "希望有微波炉，电话 139****5678")
    everything = " ".join(str(c) for r in rows for c in r) + " ".join(cells)
    assert "张师傅" not in everything and "13800000001" not in everything
    assert AuditRecord.objects.filter(action="export", object_type__contains="survey").exists()


def test_staff_of_another_neighborhood_cannot_export_or_close(world):
    survey = t.courier_survey(world, neighborhood=world.neighborhood_b)
    from gongzhi.core.errors import NotInScope

    with pytest.raises(NotInScope):
        services.export_xlsx(actor=world.users["social_worker"], survey=survey)
    with pytest.raises(NotInScope):
        services.close(actor=world.users["neighborhood_secretary"], survey=survey)
    assert Survey.objects.get(pk=survey.pk).status == "published"


def test_the_close_time_moves_but_never_into_the_past(world):
    survey = t.courier_survey(world)
    later = timezone.now() + timedelta(days=30)
    services.extend(actor=world.users["social_worker"], survey=survey, closes_at=later)
    assert Survey.objects.get(pk=survey.pk).closes_at == later
    with pytest.raises(ValidationError) as err:
        services.extend(
            actor=world.users["social_worker"], survey=survey, closes_at=timezone.now() - timedelta(hours=1)
        )
    assert "closes_at" in err.value.message_dict
    services.close(actor=world.users["social_worker"], survey=survey)
    with pytest.raises(ValidationError):
        services.extend(
            actor=world.users["social_worker"], survey=survey, closes_at=later + timedelta(days=1)
        )
    assert Survey.objects.get(pk=survey.pk).closes_at == later
