"""The public open-data page: every subdistrict's newest export, its schema, and the download.

Public on purpose (no sign-in): a release holds de-identified aggregates only (insights.opendata)."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongzhi.insights import selectors


def open_data(request):
    return render(request, "insights/open_data.html", {"releases": selectors.latest_open_data()})


def open_data_download(request, code: str):
    release = selectors.open_data_release(code)
    if release is None:
        raise Http404(_("No open data published for this subdistrict."))
    try:
        stream = release.archive.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = f"gongzhi-opendata-{release.subdistrict.code}-{release.last_month:%Y-%m}.zip"
    response = FileResponse(stream, as_attachment=True, filename=name, content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    return response
