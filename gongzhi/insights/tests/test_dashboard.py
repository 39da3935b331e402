"""The dashboard, large screen and monthly report: every figure agrees with the KPI page for the
same month, and every page answers only in the caller's areas."""

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.insights import figures, opendata, report
from gongzhi.insights.selectors import Area
from gongzhi.insights.tests.month_data import build_month, last_month
from gongzhi.org.testing import PASSWORD

pytestmark = pytest.mark.django_db

DASH = reverse("insights:dashboard")
SCREEN = reverse("insights:screen")
REPORT = reverse("insights:report")
PDF = reverse("insights:report_download", args=["pdf"])
XLSX = reverse("insights:report_download", args=["xlsx"])
PAGES = (DASH, SCREEN, REPORT, XLSX)


@pytest.fixture
def month(world):
    build_month(world)
    return last_month()


def _login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def _figure(html: str, key: str) -> str:
    found = re.search(rf'data-figure="{key}">([^<]*)<', html)
    assert found, key
    return found.group(1).strip()


def _shown(value) -> str:
    return "—" if value is None else f"{value}%" if isinstance(value, float) else str(value)


def _kpi_page(client, month, by):
    response = client.get(reverse("concerns:kpi"), {"month": f"{month:%Y-%m}", "by": by})
    assert response.status_code == 200
    return response.context["rows"], response.context["total"]


def test_dashboard_report_and_kpi_page_agree_for_the_subdistrict(client, world, month):
    c = _login(client, "subdistrict_admin")
    rows, total = _kpi_page(c, month, "subdistrict")
    assert total.collected == 21  # the month was built as meant
    expected = {
        "collected": total.collected,
        "response_rate": figures.percent(total.response_rate),
        "resolution_rate": figures.percent(total.resolution_rate),
        "satisfaction_rate": figures.percent(total.satisfaction_rate),
        "overdue": total.overdue,
    }
    html = c.get(DASH, {"area": f"s{world.subdistrict.pk}", "month": f"{month:%Y-%m}"}).content.decode()
    screen = c.get(SCREEN, {"area": f"s{world.subdistrict.pk}", "month": f"{month:%Y-%m}"}).content.decode()
    for key, value in expected.items():
        assert _figure(html, key) == _shown(value), key
        assert _figure(screen, key) == _shown(value), key
    # The report's summary (print page, PDF and xlsx share it) holds the same numbers.
    r = figures.month_report(world.users["subdistrict_admin"], Area(world.subdistrict, None), month)
    lines = {line["key"]: line["now"] for line in report.summary(r)}
    for key, value in expected.items():
        assert lines[key] == value, key
    book = load_workbook(BytesIO(c.get(XLSX, {"month": f"{month:%Y-%m}"}).content))
    sheet = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert sheet["收集诉求"] == total.collected and sheet["超期"] == total.overdue
    assert sheet["解决率（%）"] == expected["resolution_rate"]
    printed = c.get(REPORT, {"month": f"{month:%Y-%m}"}).content.decode()
    assert f'<tr data-figure="collected"><td>收集诉求</td><td class="n">{total.collected}</td>' in printed


def test_neighborhood_figures_are_the_kpi_pages_neighborhood_line(client, world, month):
    c = _login(client, "subdistrict_admin")
    rows, _total = _kpi_page(c, month, "neighborhood")
    for nb in (world.neighborhood_a, world.neighborhood_b):
        line = next(r for r in rows if r.key == nb.pk)
        html = c.get(DASH, {"area": f"n{nb.pk}", "month": f"{month:%Y-%m}"}).content.decode()
        assert _figure(html, "collected") == str(line.collected)
        assert _figure(html, "resolution_rate") == _shown(figures.percent(line.resolution_rate))
        assert _figure(html, "overdue") == str(line.overdue)
    # The grid chart is the KPI page's micro-grid lines of the area.
    grid_rows, _ = _kpi_page(c, month, "micro_grid")
    r = figures.month_report(
        world.users["subdistrict_admin"], Area(world.subdistrict, world.neighborhood_a), month
    )
    shown = {g["key"]: g["collected"] for g in r.by_grid}
    assert shown == {g.key: g.collected for g in grid_rows if g.key == world.grid_a.pk}
    # By status and by category add up to the month's count.
    assert (
        sum(s["count"] for s in r.by_status) == sum(c["count"] for c in r.by_category) == r.kpis["collected"]
    )


def test_visit_coverage_is_the_coverage_pages(client, world, month):
    c = _login(client, "subdistrict_admin")
    response = c.get(reverse("visits:coverage"), {"month": f"{month:%Y-%m}", "by": "neighborhood"})
    total = response.context["total"]
    html = c.get(DASH, {"month": f"{month:%Y-%m}"}).content.decode()
    assert total["visited"] == 2
    assert _figure(html, "coverage") == _shown(figures.percent(total["rate"]))


def test_percentages_have_one_decimal(world, month):
    r = figures.month_report(world.users["subdistrict_admin"], Area(world.subdistrict, None), month)
    for key in ("response_rate", "resolution_rate", "satisfaction_rate"):
        assert r.kpis[key] == round(r.kpis[key], 1)
    assert r.kpis["response_rate"] == figures.percent(r.kpis["responded_on_time"] / r.kpis["collected"])


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in (*PAGES, PDF):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_out_of_scope_area_is_404(client, world, month):
    c = _login(client, "neighborhood_secretary")
    for url in PAGES:
        assert c.get(url, {"area": f"n{world.neighborhood_b.pk}"}).status_code == 404, url
        assert c.get(url, {"area": f"s{world.subdistrict.pk}"}).status_code == 404, url
        assert c.get(url, {"area": f"n{world.neighborhood_a.pk}"}).status_code == 200, url


def test_other_subdistricts_admin_cannot_open_ours(client, world, month):
    from gongzhi.org.testing import far_admin

    far_admin(world)
    c = _login(client, "far_admin")
    for url in PAGES:
        assert c.get(url, {"area": f"s{world.subdistrict.pk}"}).status_code == 404, url
        assert c.get(url, {"area": f"s{world.subdistrict_far.pk}"}).status_code == 200, url


def test_roles_without_concerns_are_refused(client, world):
    for role in ("volunteer_team_chief", "auditor", "stairwell_chief"):
        c = _login(client, role)
        for url in PAGES:
            assert c.get(url).status_code == 403, (role, url)
        client.logout()


def test_unknown_report_format_is_404(client, world):
    c = _login(client, "subdistrict_admin")
    assert c.get(reverse("insights:report_download", args=["docx"])).status_code == 404


def test_neighborhood_secretary_downloads_their_pdf_and_it_is_audited(client, world, month):
    from gongzhi.core.models import AuditRecord

    c = _login(client, "neighborhood_secretary")
    response = c.get(PDF, {"month": f"{month:%Y-%m}"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"monthly-report-{world.neighborhood_a.code}-{month:%Y-%m}.pdf" in response["Content-Disposition"]
    assert AuditRecord.objects.filter(
        action="export", neighborhood_id=world.neighborhood_a.pk, summary__startswith="monthly report"
    ).exists()


def test_screen_refreshes_itself(client, world):
    c = _login(client, "subdistrict_admin")
    html = c.get(SCREEN).content.decode()
    assert '<meta http-equiv="refresh" content="300">' in html and 'class="screen"' in html


def test_dashboard_report_open_data_and_kpi_page_agree_for_one_month(client, world, month, tmp_path):
    """The four surfaces of issue 18, side by side, for each neighborhood and the subdistrict."""
    import csv
    from io import StringIO

    from django.core.management import call_command

    c = _login(client, "subdistrict_admin")
    rows, total = _kpi_page(c, month, "neighborhood")
    call_command(
        "opendata", "export", "--subdistrict", world.subdistrict.code, "--out", str(tmp_path / "od"),
        "--month", f"{month:%Y-%m}", "--months", "1", "--no-publish", stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    text = (tmp_path / "od" / "concerns_by_category.csv").read_text(encoding="utf-8-sig")
    published = list(csv.DictReader(StringIO(text)))
    admin = world.users["subdistrict_admin"]
    cases = [
        (Area(world.subdistrict, nb), next(r for r in rows if r.key == nb.pk))
        for nb in (world.neighborhood_a, world.neighborhood_b)
    ]
    cases.append((Area(world.subdistrict, None), total))
    for area, line in cases:
        area_key, label = area.key, area.neighborhood.name if area.neighborhood else None
        html = c.get(DASH, {"area": area_key, "month": f"{month:%Y-%m}"}).content.decode()
        assert _figure(html, "collected") == str(line.collected)
        assert _figure(html, "resolution_rate") == _shown(figures.percent(line.resolution_rate))
        summary = {s["key"]: s["now"] for s in report.summary(figures.month_report(admin, area, month))}
        assert summary["collected"] == line.collected and summary["resolved"] == line.resolved
        mine = [r for r in published if label is None or r["neighborhood"] == label]
        assert sum(int(r["concerns"]) for r in mine) == line.collected
        if label is not None:  # one category a neighborhood: the cell is the count, or "<5" for 1–4
            assert [r["resolved"] for r in mine] == [str(opendata.small(line.resolved))]


def test_every_headline_figure_agrees_on_all_four_surfaces(client, world, month, tmp_path):
    """Issue 18's "Done when" in full: for the subdistrict and each neighborhood, every headline
    figure of the dashboard (cards), the monthly report (its summary, which the print page, PDF and
    xlsx show) and the open data equals the page that owns it: the KPI page's line for the concern
    figures, the coverage page's line for visit coverage, the projects, volunteers and published
    votes selectors for the rest."""
    import csv
    from io import StringIO

    from django.core.management import call_command

    from gongzhi.deliberation import selectors as deliberation_selectors
    from gongzhi.projects import selectors as project_selectors
    from gongzhi.projects.testing import project
    from gongzhi.volunteers import selectors as volunteer_selectors

    project(world, state="approved", budget="20000")
    project(world, "楼道微更新", neighborhood=world.neighborhood_b)
    admin = world.users["subdistrict_admin"]
    c = _login(client, "subdistrict_admin")
    rows, total = _kpi_page(c, month, "neighborhood")
    coverage_page = c.get(
        reverse("visits:coverage"), {"month": f"{month:%Y-%m}", "by": "neighborhood"}
    ).context
    call_command(
        "opendata", "export", "--subdistrict", world.subdistrict.code, "--out", str(tmp_path / "od"),
        "--month", f"{month:%Y-%m}", "--months", "1", "--no-publish", stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip

    def table(name):
        text = (tmp_path / "od" / f"{name}.csv").read_text(encoding="utf-8-sig")
        return list(csv.DictReader(StringIO(text)))

    by_category, coverage_csv, projects_csv, votes_csv = (
        table(n) for n in ("concerns_by_category", "visit_coverage", "projects", "votes")
    )
    cases = [(world.neighborhood_a, next(r for r in rows if r.key == world.neighborhood_a.pk))]
    cases += [
        (world.neighborhood_b, next(r for r in rows if r.key == world.neighborhood_b.pk)),
        (None, total),
    ]
    for nb, line in cases:
        area = Area(world.subdistrict, nb)
        where = nb.name if nb else "subdistrict"
        kpi = {
            "collected": line.collected,
            "resolved": line.resolved,
            "response_rate": figures.percent(line.response_rate),
            "resolution_rate": figures.percent(line.resolution_rate),
            "satisfaction_rate": figures.percent(line.satisfaction_rate),
            "overdue": line.overdue,
        }
        cov = next(r for r in coverage_page["rows"] if r["key"] == nb.pk) if nb else coverage_page["total"]
        kpi["coverage"] = figures.percent(cov["rate"])
        projects = project_selectors.projects_visible_to(admin).filter(
            neighborhood__subdistrict=world.subdistrict
        )
        people = volunteer_selectors.volunteers_visible_to(admin).filter(
            neighborhood__subdistrict=world.subdistrict
        )
        votes = deliberation_selectors.published_votes_visible_to(admin).filter(subdistrict=world.subdistrict)
        if nb:
            projects, people, votes = (q.filter(neighborhood=nb) for q in (projects, people, votes))
        owners = {"projects": projects.count(), "volunteers": people.count(), "votes": votes.count()}
        # 1. The dashboard's cards.
        html = c.get(DASH, {"area": area.key, "month": f"{month:%Y-%m}"}).content.decode()
        for key in (
            "collected",
            "response_rate",
            "resolution_rate",
            "satisfaction_rate",
            "overdue",
            "coverage",
        ):
            assert _figure(html, key) == _shown(kpi[key]), (where, key)
        for key, value in owners.items():
            assert _figure(html, key) == str(value), (where, key)
        # 2. The monthly report.
        r = figures.month_report(admin, area, month)
        summary = {s["key"]: s["now"] for s in report.summary(r)}
        assert summary == kpi, where
        assert (r.projects["total"], r.volunteers["volunteers"], r.votes["published"]) == (
            owners["projects"],
            owners["volunteers"],
            owners["votes"],
        ), where
        # 3. The open data (counts of 1–4 written "<5", a rate beside one left empty).
        mine = [row for row in by_category if nb is None or row["neighborhood"] == nb.name]
        assert sum(int(row["concerns"]) for row in mine if row["concerns"] != "<5") <= line.collected
        if nb is not None:
            assert [row["concerns"] for row in mine] == [str(opendata.small(line.collected))], where
            assert [row["resolved"] for row in mine] == [str(opendata.small(line.resolved))], where
            (cov_row,) = [row for row in coverage_csv if row["neighborhood"] == nb.name]
            assert cov_row["households"] == str(opendata.small(cov["total"])), where
            assert cov_row["households_visited"] == str(opendata.small(cov["visited"])), where
            assert cov_row["coverage_rate"] in ("", str(kpi["coverage"])), where
        else:
            assert sum(int(row["concerns"]) for row in by_category) == line.collected
        published_projects = [row for row in projects_csv if nb is None or row["neighborhood"] == nb.name]
        assert len(published_projects) == owners["projects"], where
        published_votes = [row for row in votes_csv if nb is None or row["neighborhood"] == nb.name]
        assert len(published_votes) >= owners["votes"], where  # the file holds every published vote
