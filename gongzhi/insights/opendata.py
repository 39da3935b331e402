"""Open data: a subdistrict's figures as CSV files with a Frictionless `datapackage.json`.

De-identified by construction: only counts, sums and the names of places no finer than a building
leave; no concern text, no person's name, no room, no phone or ID number is ever read into a row.
Every count of people, households or concerns (which people raise) from 1 to 4 is written as
"<5" (SUPPRESSED), and a rate drawn from a suppressed count is left out with it, so no row points
at one household. docs/insight.md documents every field.
"""

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db.models import Sum
from django.utils import timezone

from gongzhi.concerns import lifecycle
from gongzhi.concerns import selectors as concerns
from gongzhi.concerns.models import Rating
from gongzhi.core import sheets
from gongzhi.deliberation import selectors as deliberation
from gongzhi.grids import selectors as grids
from gongzhi.insights import figures
from gongzhi.insights.selectors import Area
from gongzhi.projects import selectors as projects
from gongzhi.visits import selectors as visits

SUPPRESSED = "<5"
THRESHOLD = 5
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "署名 4.0 国际",
}


def small(n: int | None) -> int | str | None:
    """A count as published: 1–4 become "<5" (0 says nothing about anyone and stays)."""
    if n is None:
        return None
    return SUPPRESSED if 0 < n < THRESHOLD else n


def rate_of(part: int, whole: int) -> float | None:
    """A percentage with one decimal, left out when either count is suppressed or whole is 0."""
    if whole == 0 or small(part) == SUPPRESSED or small(whole) == SUPPRESSED:
        return None
    return figures.percent(part / whole)


@dataclass
class Table:
    name: str
    title: str
    description: str
    fields: list[tuple[str, str, str]]  # (name, frictionless type, description)
    rows: list[list]


def _months(last: date, count: int) -> list[date]:
    return [figures.add_months(last, -back) for back in range(count - 1, -1, -1)]


def _in_subdistrict(reader, area: Area, start: date, end: date):
    first, _ = concerns.month_bounds(start)
    _, after = concerns.month_bounds(end)
    return concerns.concerns_visible_to(reader).filter(
        subdistrict=area.subdistrict, accepted_at__gte=first, accepted_at__lt=after
    )


def _month_of(value) -> str:
    return f"{timezone.localtime(value):%Y-%m}"


def concerns_by_category(reader, area: Area, months: list[date]) -> Table:
    counts: dict[tuple, list[int]] = {}
    rows = _in_subdistrict(reader, area, months[0], months[-1]).values_list(
        "accepted_at", "neighborhood__name", "category__name", "state", "rating"
    )
    for accepted, neighborhood, category, state, rating in rows.iterator(chunk_size=2000):
        key = (_month_of(accepted), neighborhood or "", category or "")
        line = counts.setdefault(key, [0, 0])
        line[0] += 1
        # "resolved" as the KPI formula counts it: closed and not rated dissatisfied.
        line[1] += state == lifecycle.CLOSED and rating != Rating.DISSATISFIED
    return Table(
        "concerns_by_category",
        "诉求：按月份、居民区、类别",
        "Concerns accepted per month, neighborhood and category, and how many of them are resolved.",
        [
            ("month", "yearmonth", "month the concern was accepted (Asia/Shanghai), YYYY-MM"),
            ("neighborhood", "string", "neighborhood (居民区)"),
            ("category", "string", "category of the concern"),
            ("concerns", "integer", "concerns accepted; 1–4 shown as <5"),
            ("resolved", "integer", "of those, closed and not rated dissatisfied; 1–4 shown as <5"),
        ],
        [[*key, small(n), small(r)] for key, (n, r) in sorted(counts.items())],
    )


def concerns_by_building(reader, area: Area, months: list[date]) -> Table:
    qs = _in_subdistrict(reader, area, months[0], months[-1]).filter(building__isnull=False)
    counts: dict[tuple, int] = {}
    rows = qs.values_list("accepted_at", "neighborhood__name", "building__compound__name", "building__number")
    for accepted, neighborhood, compound, number in rows.iterator(chunk_size=2000):
        key = (_month_of(accepted), neighborhood or "", f"{compound} {number}")
        counts[key] = counts.get(key, 0) + 1
    return Table(
        "concerns_by_building",
        "诉求：按月份与楼栋",
        "Concerns accepted per month and building (the finest place published).",
        [
            ("month", "yearmonth", "month the concern was accepted (Asia/Shanghai), YYYY-MM"),
            ("neighborhood", "string", "neighborhood (居民区)"),
            ("building", "string", "compound and building number; never a room"),
            ("concerns", "integer", "concerns accepted; 1–4 shown as <5"),
        ],
        [[*key, small(n)] for key, n in sorted(counts.items())],
    )


def visit_coverage(reader, area: Area, months: list[date]) -> Table:
    window = visits.plan_of(area.subdistrict.pk).household_months
    wanted = set(area.subdistrict.neighborhoods.values_list("pk", flat=True))
    rows = []
    for month in months:
        for row in visits.coverage_rows(reader, month=month, months=window, by="neighborhood"):
            if row["key"] in wanted:
                total, seen = row["total"], row["visited"]
                rows.append(
                    [f"{month:%Y-%m}", row["label"], window, small(total), small(seen), rate_of(seen, total)]
                )
    return Table(
        "visit_coverage",
        "入户走访覆盖",
        "Households of each neighborhood visited at least once in the plan's window ending with the month.",
        [
            ("month", "yearmonth", "last month of the window, YYYY-MM"),
            ("neighborhood", "string", "neighborhood (居民区)"),
            ("window_months", "integer", "length of the visit plan's window in months"),
            ("households", "integer", "households on the register today; 1–4 shown as <5"),
            ("households_visited", "integer", "households visited in the window; 1–4 shown as <5"),
            (
                "coverage_rate",
                "number",
                "households_visited / households × 100, one decimal; empty when a count is suppressed",
            ),
        ],
        rows,
    )


def project_budgets(reader, area: Area) -> Table:
    qs = (
        projects.projects_visible_to(reader)
        .filter(neighborhood__subdistrict=area.subdistrict)
        .order_by("neighborhood__name", "title")
    )
    spent = dict(
        qs.model.objects.filter(pk__in=qs.values("pk"))
        .values_list("pk")
        .annotate(s=Sum("expenses__amount"))
        .values_list("pk", "s")
    )
    rows = []
    for p in qs:
        used = spent.get(p.pk) or Decimal("0")
        share = figures.percent(float(used / p.approved_budget)) if p.approved_budget else None
        rows.append([p.title, p.neighborhood.name, p.get_state_display(), p.approved_budget, used, share])
    return Table(
        "projects",
        "项目与预算",
        "Every project of the subdistrict with its approved budget and what was spent on it.",
        [
            ("project", "string", "title of the project"),
            ("neighborhood", "string", "neighborhood (居民区)"),
            ("state", "string", "state of the project"),
            ("approved_budget", "number", "approved budget, yuan"),
            ("spent", "number", "sum of recorded expenses, yuan"),
            ("spent_percent", "number", "spent / approved_budget × 100, one decimal"),
        ],
        rows,
    )


def vote_results(reader, area: Area) -> Table:
    votes = figures.published_votes(reader, area)
    rows = []
    for v in votes:
        turnout = deliberation.turnout(v)
        voted, electors = turnout["voted"], turnout["electors"]
        when = v.published_at or v.closes_at
        rows.append(
            [
                v.subject,
                v.get_kind_display(),
                v.neighborhood.name if v.neighborhood else "",
                f"{timezone.localtime(when):%Y-%m-%d}",
                figures.outcome_of(v),
                small(electors),
                small(voted),
                rate_of(voted, electors),
            ]
        )
    return Table(
        "votes",
        "表决结果（已公布）",
        "Votes whose result was published: the outcome and the turnout, never a ballot or a voter.",
        [
            ("subject", "string", "what was voted on"),
            ("kind", "string", "kind of vote"),
            ("neighborhood", "string", "neighborhood (居民区), empty for a subdistrict-wide vote"),
            ("date", "date", "day the result was published (or the vote closed)"),
            ("outcome", "string", "the published outcome (通过/未通过)"),
            ("electors", "integer", "electors; 1–4 shown as <5"),
            ("voted", "integer", "electors who voted; 1–4 shown as <5"),
            (
                "turnout_rate",
                "number",
                "voted / electors × 100, one decimal; empty when a count is suppressed",
            ),
        ],
        rows,
    )


def grids_geojson(reader, area: Area) -> dict:
    current = grids.current_grids(reader, area.subdistrict)
    geo = grids.current_grids_geojson(current)
    by_code = {(g.code, g.name): g for g in current}
    features = []
    for feature in geo["features"]:
        props = feature["properties"]
        grid = by_code.get((props.get("code"), props.get("name")))
        if grid is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": feature["geometry"],
                "properties": {
                    "code": grid.code,
                    "name": grid.name,
                    "neighborhood": grid.neighborhood.name,
                    "households": small(grid.household_count),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = sheets.csv_writer(out, lineterminator="\n")
    writer.writerow([f[0] for f in table.fields])
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    # UTF-8 with BOM: Excel on a Chinese desktop opens it without garbling the characters.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _resource(table: Table, data: bytes) -> dict:
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "title": table.title,
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "bytes": len(data),
        "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
        "schema": {
            "fields": [{"name": n, "type": t, "description": d} for n, t, d in table.fields],
            "missingValues": ["", SUPPRESSED],
        },
    }


def export(reader, area: Area, out: Path, *, last: date, months: int = 12, progress=None) -> dict:
    """Write the package into `out` (made if missing) and return its datapackage descriptor."""
    span = _months(last, months)
    steps = [
        lambda: concerns_by_category(reader, area, span),
        lambda: concerns_by_building(reader, area, span),
        lambda: visit_coverage(reader, area, span),
        lambda: project_budgets(reader, area),
        lambda: vote_results(reader, area),
    ]
    out.mkdir(parents=True, exist_ok=True)
    resources = []
    for index, make in enumerate(steps, start=1):
        table = make()
        data = _csv(table)
        (out / f"{table.name}.csv").write_bytes(data)
        resources.append(_resource(table, data))
        if progress:
            progress(index, len(steps) + 1, table.name)
    geo = json.dumps(grids_geojson(reader, area), ensure_ascii=False).encode("utf-8")
    (out / "grids.geojson").write_bytes(geo)
    resources.append(
        {
            "name": "grids",
            "path": "grids.geojson",
            "title": "微网格边界",
            "description": "Micro-grid outlines (WGS84) with their code, name, neighborhood and households (1–4 shown as <5).",
            "format": "geojson",
            "mediatype": "application/geo+json",
            "bytes": len(geo),
            "hash": f"sha256:{hashlib.sha256(geo).hexdigest()}",
        }
    )
    if progress:
        progress(len(steps) + 1, len(steps) + 1, "grids")
    package = {
        "profile": "data-package",
        "name": f"gongzhi-{area.subdistrict.code.lower()}",
        "title": f"{area.subdistrict.name}共治开放数据",
        "description": (
            f"{span[0]:%Y-%m} – {span[-1]:%Y-%m}. De-identified: no names, ID numbers, phone numbers or rooms; "
            f"places no finer than a building; counts from 1 to 4 shown as {SUPPRESSED}."
        ),
        "licenses": [LICENSE],
        "temporalCoverage": {"start": f"{span[0]:%Y-%m}", "end": f"{span[-1]:%Y-%m}"},
        "resources": resources,
    }
    (out / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    return package


def zipped(folder: Path) -> bytes:
    """The package's files as one zip, datapackage.json first."""
    buffer = io.BytesIO()
    names = ["datapackage.json", *sorted(p.name for p in folder.iterdir() if p.name != "datapackage.json")]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            # A fixed date in every entry: the same figures make the same bytes (publishing dedupes).
            entry = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, (folder / name).read_bytes())
    return buffer.getvalue()
