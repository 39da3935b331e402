"""The monthly report: one HTML template for the print page and the PDF, and an xlsx workbook.

The PDF is WeasyPrint's rendering of the very HTML the print page serves (fonts: Debian's
fonts-noto-cjk, installed by `make install`); its charts are inline SVG (insights.svgcharts)
drawn from the report's own figures.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from gongzhi.core import sheets
from gongzhi.insights import figures, svgcharts

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
REPORT_LANGUAGE = "zh-hans"  # a Chinese document, whoever asks for it


def filename(r: figures.MonthReport, fmt: str) -> str:
    # ASCII only: the header stays valid everywhere; the area's code says which one it is.
    code = r.area.neighborhood.code if r.area.neighborhood else r.area.subdistrict.code
    return f"monthly-report-{code}-{r.month:%Y-%m}.{fmt}"


def _charts(r: figures.MonthReport) -> dict:
    return {
        "trend": svgcharts.lines(
            [t["month"] for t in r.trend],
            [
                (_("response rate"), [t["response_rate"] for t in r.trend]),
                (_("resolution rate"), [t["resolution_rate"] for t in r.trend]),
                (_("satisfaction rate"), [t["satisfaction_rate"] for t in r.trend]),
            ],
        ),
        "category": svgcharts.hbar(
            [c["label"] for c in r.by_category[:12]], [c["count"] for c in r.by_category[:12]]
        ),
        "status": svgcharts.hbar([s["label"] for s in r.by_status], [s["count"] for s in r.by_status]),
        "funds": svgcharts.hbar(
            [u["title"] for u in r.projects["use"][:10]],
            [u["percent"] for u in r.projects["use"][:10]],
            unit="%",
        ),
    }


def html(r: figures.MonthReport, *, printable: bool = False) -> str:
    with override(REPORT_LANGUAGE):
        return render_to_string(
            "insights/report.html",
            {
                "r": r,
                "summary": summary(r),
                "charts": _charts(r),
                "previous_month": figures.add_months(r.month, -1),
                "made_at": timezone.localtime(),
                "printable": printable,
            },
        )


def pdf(r: figures.MonthReport) -> bytes:
    from PIL import ImageFile

    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    from weasyprint import HTML  # heavy (pango, cairo): loaded only when a PDF is made

    # WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported; the
    # upload check (core.uploads.clean_image) relies on a truncated image failing to decode.
    ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    return HTML(string=html(r)).write_pdf()


def xlsx(r: figures.MonthReport) -> bytes:
    with override(REPORT_LANGUAGE):
        book = sheets.workbook()
        sheet = book.active
        sheet.title = _("Figures")
        sheet.append([_("Monthly report"), r.area.label, f"{r.month:%Y-%m}"])
        sheet.append([_("Figure"), _("This month"), _("Previous month"), _("Month-on-month change")])
        for line in summary(r):
            sheet.append([line["label"], line["now"], line["before"], line["change"]])
        _table(
            book,
            _("By category"),
            [_("Category"), _("Concerns")],
            [[c["label"], c["count"]] for c in r.by_category],
        )
        _table(
            book,
            _("By status"),
            [_("Status"), _("Concerns")],
            [[s["label"], s["count"]] for s in r.by_status],
        )
        _table(
            book,
            _("By grid"),
            [
                _("Grid"),
                _("Concerns"),
                _("response rate"),
                _("resolution rate"),
                _("satisfaction rate"),
                _("overdue"),
            ],
            [
                [
                    g["label"],
                    g["collected"],
                    g["response_rate"],
                    g["resolution_rate"],
                    g["satisfaction_rate"],
                    g["overdue"],
                ]
                for g in r.by_grid
            ],
        )
        _table(
            book,
            _("Trend"),
            [_("Month"), _("Concerns"), _("response rate"), _("resolution rate"), _("satisfaction rate")],
            [
                [t["month"], t["collected"], t["response_rate"], t["resolution_rate"], t["satisfaction_rate"]]
                for t in r.trend
            ],
        )
        _table(
            book,
            _("Hot issues"),
            [_("Rank"), _("Hot issue"), _("Place"), _("Concerns")],
            [[h.rank, h.title, h.place, h.concerns_count] for h in r.hot],
        )
        _table(
            book,
            _("Projects"),
            [_("Project"), _("Neighborhood"), _("State"), _("Approved budget"), _("Spent"), _("Spent (%)")],
            [
                [
                    u["title"],
                    u["neighborhood"],
                    u["state"],
                    float(u["budget"]),
                    float(u["spent"]),
                    u["percent"],
                ]
                for u in r.projects["use"]
            ],
        )
        return sheets.to_bytes(book)


def _table(book, title: str, header: list, rows: list[list]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(row)


def _figure_rows() -> list[tuple[str, str]]:
    return [
        ("collected", _("concerns collected")),
        ("resolved", _("resolved")),
        ("response_rate", _("response rate (%)")),
        ("resolution_rate", _("resolution rate (%)")),
        ("satisfaction_rate", _("satisfaction rate (%)")),
        ("overdue", _("overdue")),
        ("coverage", _("visit coverage (%)")),
    ]


def _figure(key: str, kpis: dict, coverage: dict):
    return coverage["rate"] if key == "coverage" else kpis[key]


def summary(r: figures.MonthReport) -> list[dict]:
    """The headline figures of the month beside the previous month's, with the change."""
    out = []
    for key, label in _figure_rows():
        now, before = _figure(key, r.kpis, r.coverage), _figure(key, r.previous, r.coverage_previous)
        out.append(
            {"key": key, "label": label, "now": now, "before": before, "change": figures.change(now, before)}
        )
    return out


def render(r: figures.MonthReport, fmt: str) -> tuple[bytes, str]:
    """The report as bytes in `fmt` (pdf, xlsx, html) and its content type."""
    if fmt == "pdf":
        return pdf(r), FORMATS[fmt]
    if fmt == "xlsx":
        return xlsx(r), FORMATS[fmt]
    if fmt == "html":
        return html(r).encode(), FORMATS[fmt]
    raise ValueError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
