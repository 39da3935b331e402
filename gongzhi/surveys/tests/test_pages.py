"""Every survey page and endpoint: in-scope staff allowed, out-of-scope 404/403, anonymous sent to sign in."""

import io

import openpyxl
import pytest
from django.urls import reverse

from gongzhi.surveys import services
from gongzhi.surveys import testing as t
from gongzhi.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db

STAFF = ("subdistrict_admin", "neighborhood_secretary", "social_worker")
OUTSIDERS = ("grid_worker", "stairwell_chief", "property_staff", "partner_liaison")


def _pages(survey):
    return [
        reverse("surveys:detail", args=[survey.pk]),
        reverse("surveys:results", args=[survey.pk]),
        reverse("surveys:export", args=[survey.pk]),
    ]


@pytest.mark.parametrize("role", STAFF)
def test_area_staff_see_list_detail_results_and_export(client, world, role):
    survey = t.courier_survey(world)
    client.force_login(world.users[role])
    listing = client.get(reverse("surveys:list"))
    assert listing.status_code == 200 and "小哥驿站需求调查" in listing.text
    for url in _pages(survey):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", OUTSIDERS)
def test_roles_without_surveys_get_403_on_the_list_and_404_on_a_survey(client, world, role):
    survey = t.courier_survey(world)
    client.force_login(world.users[role])
    assert client.get(reverse("surveys:list")).status_code == 403
    assert client.get(reverse("surveys:create")).status_code == 403
    for url in _pages(survey):
        assert client.get(url).status_code == 404, url


def test_a_survey_of_another_neighborhood_is_404_and_unlisted(client, world):
    other = t.courier_survey(world, neighborhood=world.neighborhood_b)
    client.force_login(world.users["social_worker"])
    assert "小哥驿站需求调查" not in client.get(reverse("surveys:list")).text
    for url in _pages(other):
        assert client.get(url).status_code == 404, url
    for name, data in (("action", {"action": "close"}), ("question_add", {"kind": "text", "text": "x"})):
        assert client.post(reverse(f"surveys:{name}", args=[other.pk]), data).status_code == 404
    assert Survey.objects.get(pk=other.pk).status == "published"


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    survey = t.courier_survey(world)
    for url in [reverse("surveys:list"), reverse("surveys:create"), *_pages(survey)]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_social_worker_builds_a_survey_through_the_pages(client, world):
    client.force_login(world.users["social_worker"])
    response = client.post(
        reverse("surveys:create"),
        {
            "neighborhood": world.neighborhood_a.pk,
            "title": "小哥驿站需求",
            "opens_at": "2026-01-01T08:00",
            "closes_at": "2099-01-01T08:00",
            "target": "custom",
            "elderly_age": 60,
        },
    )
    survey = Survey.objects.get(title="小哥驿站需求")
    assert response.status_code == 302
    add = reverse("surveys:question_add", args=[survey.pk])
    client.post(
        add, {"kind": "single", "text": "平台", "options": "顺丰\n美团", "scale_max": 5, "required": "on"}
    )
    client.post(add, {"kind": "single", "text": "只有一项", "options": "顺丰", "scale_max": 5})
    assert survey.questions.count() == 1
    upload = io.BytesIO(t.COURIERS_CSV.encode())
    upload.name = "couriers.csv"
    client.post(reverse("surveys:import", args=[survey.pk]), {"file": upload})
    assert survey.respondents.count() == 3
    client.post(reverse("surveys:action", args=[survey.pk]), {"action": "publish"})
    page = client.get(reverse("surveys:detail", args=[survey.pk]))
    assert "已发布" in page.text and "138****0001" in page.text and "13800000001" not in page.text


def test_a_bad_list_upload_shows_the_row_errors(client, world):
    survey = t.courier_survey(world, publish=False)
    client.force_login(world.users["social_worker"])
    upload = io.BytesIO("姓名,手机\n甲,123\n".encode())
    upload.name = "bad.csv"
    response = client.post(reverse("surveys:import", args=[survey.pk]), {"file": upload}, follow=True)
    assert "第 2 行：123 不是 11 位手机号。" in response.text
    assert survey.respondents.count() == 3


def test_the_answer_page_needs_no_sign_in_and_shows_errors_per_question(client, world):
    survey = t.courier_survey(world)
    token = survey.respondents.first().token
    url = reverse("surveys:answer", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "您主要在哪个平台工作？" in page.text and "张师傅" not in page.text
    q = {x.position: x.field_name for x in survey.questions.all()}
    bad = client.post(url, {q[1]: "1", q[3]: "9"})
    assert bad.status_code == 400
    assert "请选择 1 到 5 之间的数值。" in bad.text and "请回答此题。" in bad.text
    assert 'value="1" checked' in bad.text  # what was picked stays picked
    good = client.post(url, t.full_answer(survey))
    assert good.status_code == 302
    assert "答卷已提交" in client.get(url).text
    client.post(url, t.full_answer(survey))
    assert Response.objects.filter(survey=survey).count() == 1


def test_unknown_and_draft_tokens_are_404(client, world):
    draft = t.courier_survey(world, publish=False)
    assert client.get(reverse("surveys:answer", args=["nope"])).status_code == 404
    assert client.get(reverse("surveys:answer", args=[draft.respondents.first().token])).status_code == 404
    assert client.get(reverse("surveys:open", args=[draft.open_token])).status_code == 404


def test_the_open_link_takes_anonymous_answers_and_a_resubmitted_form_counts_once(client, world):
    survey = t.courier_survey(world, open_link=True)
    url = reverse("surveys:open", args=[survey.open_token])
    page = client.get(url)
    key = page.context["submission_key"]
    data = {**t.full_answer(survey), "submission_key": key}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Response.objects.filter(survey=survey, respondent=None).count() == 1


def test_the_results_page_shows_the_chart_data_and_rate(client, world):
    survey = t.courier_survey(world)
    services.submit_with_token(token=survey.respondents.first().token, data=t.full_answer(survey))
    client.force_login(world.users["neighborhood_secretary"])
    page = client.get(reverse("surveys:results", args=[survey.pk]))
    assert 'data-kpi="response_rate">33.3%' in page.text
    assert "data-survey-chart" in page.text and "139****5678" in page.text and "13912345678" not in page.text
    export = client.get(reverse("surveys:export", args=[survey.pk]))
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["汇总", "原始答卷"]


def test_api_lists_scoped_surveys_and_results(client, world):
    mine = t.courier_survey(world)
    other = t.courier_survey(world, neighborhood=world.neighborhood_b)
    assert client.get("/api/v1/surveys/").status_code == 401
    client.force_login(world.users["social_worker"])
    listed = client.get("/api/v1/surveys/").json()
    assert [s["id"] for s in listed] == [mine.pk]
    assert client.get(f"/api/v1/surveys/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/surveys/{other.pk}/results").status_code == 404
    detail = client.get(f"/api/v1/surveys/{mine.pk}").json()
    assert [q["kind"] for q in detail["questions"]] == ["single", "multiple", "scale", "text"]
    assert client.get(f"/api/v1/surveys/{mine.pk}/results").json()["invited"] == 3


def test_api_answer_with_a_token_is_idempotent_and_names_bad_fields(client, world):
    survey = t.courier_survey(world)
    token = survey.respondents.first().token
    url = f"/api/v1/surveys/answer/{token}"
    assert client.get(url).status_code == 200
    q = {x.position: x.field_name for x in survey.questions.all()}
    bad = client.post(url, {"answers": {q[1]: "7"}}, content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {q[1], q[2], q[3]}
    first = client.post(url, {"answers": t.full_answer(survey)}, content_type="application/json")
    again = client.post(url, {"answers": t.full_answer(survey)}, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["response_id"] == again.json()["response_id"]
    assert (
        client.post(
            "/api/v1/surveys/answer/nope", {"answers": {}}, content_type="application/json"
        ).status_code
        == 404
    )


def test_the_detail_page_shows_the_open_links_qr_and_changes_the_close(client, world):
    survey = t.courier_survey(world, open_link=True)
    client.force_login(world.users["social_worker"])
    page = client.get(reverse("surveys:detail", args=[survey.pk]))
    assert 'id="open-qr"><svg' in page.text and survey.open_token in page.text
    bad = client.post(
        reverse("surveys:action", args=[survey.pk]), {"action": "extend", "closes_at": "gestern"}, follow=True
    )
    assert "新的截止时间须晚于当前时间和开始时间。" in bad.text
    client.post(
        reverse("surveys:action", args=[survey.pk]), {"action": "extend", "closes_at": "2099-06-01T18:00"}
    )
    assert Survey.objects.get(pk=survey.pk).closes_at.year == 2099


def _import(client, survey, content: bytes, name: str):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("surveys:import", args=[survey.pk]), {"file": upload}, follow=True)


def test_a_renamed_executable_is_refused_by_its_bytes_and_imports_no_one(client, world):
    from gongzhi.core.tests.test_uploads import WINDOWS_EXE

    survey = t.courier_survey(world, publish=False)
    client.force_login(world.users["social_worker"])
    for name in ("名单.csv", "名单.xlsx"):
        response = _import(client, survey, WINDOWS_EXE, name)
        assert "此处不接受该文件类型" in response.text, name
    assert survey.respondents.count() == 3


def test_a_zip_bomb_dressed_as_a_list_is_refused_before_parsing(client, world):
    from gongzhi.core.tests.test_uploads import zip_bomb

    survey = t.courier_survey(world, publish=False)
    client.force_login(world.users["social_worker"])
    response = _import(client, survey, zip_bomb(), "名单.xlsx")
    assert "工作簿解压后过大。" in response.text
    assert survey.respondents.count() == 3


def test_a_list_over_the_size_limit_is_refused(client, world):
    from gongzhi.core import uploads

    survey = t.courier_survey(world, publish=False)
    client.force_login(world.users["social_worker"])
    limit = uploads.KINDS["ledger"].max_bytes
    response = _import(client, survey, "姓名,手机\n".encode() + b"a" * limit, "名单.csv")
    assert "上限为 20 MB" in response.text
    assert survey.respondents.count() == 3


def test_a_csv_list_named_xlsx_is_read_as_what_it_is(client, world):
    survey = t.courier_survey(world, publish=False)
    client.force_login(world.users["social_worker"])
    _import(client, survey, "姓名,手机\n新来的,13900000077\n".encode(), "名单.xlsx")
    assert survey.respondents.count() == 4


def test_the_respondent_list_pages_and_finds_anyone(client, world):
    """Issue 23 item 9: 2,000 respondents are not cut at 300: the list pages through them all and a
    search finds one by name, note or whole phone number."""
    from gongzhi.surveys.models import Respondent

    survey = t.courier_survey(world)
    extra = []
    for n in range(247):
        r = Respondent(survey=survey, name=f"骑手{n:03d}", note=f"站点{n % 7}")
        r.set_phone(f"139{n:08d}")
        extra.append(r)
    Respondent.objects.bulk_create(extra)
    client.force_login(world.users["social_worker"])
    url = reverse("surveys:detail", args=[survey.pk])
    first = client.get(url).text
    assert (
        first.count("<tr><td>骑")
        + first.count("<tr><td>张")
        + first.count("<tr><td>李")
        + first.count("<tr><td>王")
        == 100
    )
    assert 'id="respondent-pages"' in first and "1 / 3" in first
    last = client.get(url, {"page": 3}).text
    assert "3 / 3" in last and last.count("<tr><td>") == 50
    by_name = client.get(url, {"q": "骑手123"}).text
    assert "找到受访人：1" in by_name and 'id="respondent-pages"' not in by_name
    by_phone = client.get(url, {"q": "139 0000 0200"}).text
    assert "找到受访人：1" in by_phone
    assert "找到受访人：0" in client.get(url, {"q": "<script>"}).text


def test_the_summary_sheet_says_people_asked_not_meeting_parties(client, world):
    survey = t.courier_survey(world)
    client.force_login(world.users["social_worker"])
    response = client.get(reverse("surveys:export", args=[survey.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    labels = [row[0] for row in book.worksheets[0].iter_rows(values_only=True)]
    assert "邀请人数" in labels and "邀请参会方" not in labels
