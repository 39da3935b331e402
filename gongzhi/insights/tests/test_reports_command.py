"""`gongzhi reports monthly`: the file it writes, its progress, its refusals, and its scope."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from gongzhi.concerns.selectors import kpi_report
from gongzhi.insights import figures
from gongzhi.insights.reader import SubdistrictReader
from gongzhi.insights.tests.month_data import build_month, last_month

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("reports", "monthly", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_pdf_and_xlsx_hold_the_kpi_pages_figures(world, tmp_path):
    build_month(world)
    month = last_month()
    # Concerns of the other subdistrict in the same month must not be counted.
    far = build_month(world, count=7)
    for concern in far:
        concern.subdistrict, concern.neighborhood, concern.micro_grid = (
            world.subdistrict_far,
            world.neighborhood_far,
            None,
        )
        concern.save()
    code = world.subdistrict.code
    out, err = _run("--subdistrict", code, "--month", f"{month:%Y-%m}", "--out", str(tmp_path / "r.pdf"))
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert "[1/13] kpis" in err and "[13/13] overdue" in err and "rendering pdf" in err
    assert out.startswith(f"{tmp_path / 'r.pdf'}: {world.subdistrict.name}")
    _run("--subdistrict", code, "--month", f"{month:%Y-%m}", "--out", str(tmp_path / "r.xlsx"))
    sheet = load_workbook(tmp_path / "r.xlsx").worksheets[0]
    lines = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    _rows, total = kpi_report(world.users["subdistrict_admin"], month=month, by="subdistrict")
    assert lines["收集诉求"] == total.collected == 21
    assert lines["响应率（%）"] == figures.percent(total.response_rate)
    assert lines["满意率（%）"] == figures.percent(total.satisfaction_rate)
    assert not list(tmp_path.glob("*.partial"))
    from gongzhi.core.models import AuditRecord

    assert AuditRecord.objects.filter(action="export", summary__contains="command line").count() == 2


def test_the_reader_sees_its_subdistrict_only(world):
    reader = SubdistrictReader(world.subdistrict)
    from gongzhi.concerns.selectors import concerns_visible_to

    build_month(world, count=7)
    assert concerns_visible_to(reader).count() == 7
    assert not concerns_visible_to(SubdistrictReader(world.subdistrict_far)).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--subdistrict", "NOPE", "--month", "2026-11"], "--subdistrict: no subdistrict with code 'NOPE'"),
        (["--month", "2026-13"], "--month: '2026-13' is not a month"),
        (["--month", "11/2026"], "--month: '11/2026' is not a month"),
        (["--month", "2026-11", "--neighborhood", "X9"], "--neighborhood: no neighborhood with code 'X9'"),
    ],
)
def test_bad_options_are_named_and_write_nothing(world, tmp_path, args, message):
    if "--subdistrict" not in args:
        args = ["--subdistrict", world.subdistrict.code, *args]
    with pytest.raises(CommandError, match=message):
        _run(*args, "--out", str(tmp_path / "r.pdf"))
    assert not list(tmp_path.iterdir())


def test_missing_folder_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="--out: the folder"):
        _run(
            "--subdistrict",
            world.subdistrict.code,
            "--month",
            "2026-11",
            "--out",
            str(tmp_path / "no" / "r.pdf"),
        )


def test_a_neighborhood_report(world, tmp_path):
    build_month(world)
    month = last_month()
    _run(
        "--subdistrict", world.subdistrict.code, "--neighborhood", world.neighborhood_b.code,
        "--month", f"{month:%Y-%m}", "--out", str(tmp_path / "b.html"),
    )  # fmt: skip
    html = (tmp_path / "b.html").read_text(encoding="utf-8")
    rows, _total = kpi_report(world.users["subdistrict_admin"], month=month, by="neighborhood")
    line = next(r for r in rows if r.key == world.neighborhood_b.pk)
    assert world.neighborhood_b.name in html
    assert f'<tr data-figure="collected"><td>收集诉求</td><td class="n">{line.collected}</td>' in html
