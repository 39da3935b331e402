"""Open311 GeoReport v2 at /open311/v2/, so existing civic-reporting clients work with the platform.

JSON or XML (`.json`, `.xml`: the spec's shapes, e.g. <service_requests><request>…). Jurisdiction = subdistrict code; service = concern category. POST needs an api_key
(`gongzhi open311 key --create --name NAME`), a location (lat+long, address_string or address_id =
building id) and a description. Errors use GeoReport's format: [{"code": 400, "description": "…"}].
GET without a staff identity lists only what reporters chose to make public: concerns they posted
through Open311 itself (a public API) and those on a building's public notice; never door visits or
hotline calls. Their location is coarsened to the compound (its name and point, no building, no
room), and the description and status notes are de-identified (names, room, phone and ID numbers
masked). A staff client (signed in, or `Authorization: Bearer <API token>`) sees in full what its
roles may read of concerns. No media_url: photos are shown only to staff of the concern's area
(views.photo), never publicly.
POST refuses, naming the field: a missing jurisdiction_id, an address_id that is no building of
the jurisdiction, and a point far outside it (its buildings' bounding box plus BOUNDS_MARGIN).
"""

import math
from datetime import datetime, timedelta
from xml.etree import ElementTree

from django.db.models import Max, Min, Q, prefetch_related_objects
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gongzhi.concerns import lifecycle, open311_keys, selectors, services, throttle
from gongzhi.concerns.models import Channel, Concern
from gongzhi.core import permissions
from gongzhi.core.deidentify import deidentify
from gongzhi.core.errors import ValidationError
from gongzhi.core.middleware import client_ip
from gongzhi.core.pages import parse_int
from gongzhi.core.tokens import grant_for_token
from gongzhi.org.models import Building

POSTS_PER_MINUTE = 120
# Wrong api_keys per client address and minute before the address must wait the minute out.
BAD_KEYS_PER_MINUTE = 10
MAX_RESULTS = 1000
DEFAULT_DAYS = 90
# How far (degrees, about 5 km) a point may lie outside the jurisdiction's buildings and still count.
BOUNDS_MARGIN = 0.05


FORMATS = ("json", "xml")
# XML: the element each list's items get (GeoReport v2 writes <services><service>…</service>…).
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
}


def _xml_value(parent: ElementTree.Element, tag: str, value) -> None:
    node = ElementTree.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(node, key, item)
    elif isinstance(value, list):
        for item in value:
            _xml_value(node, XML_ITEMS.get(tag, "item"), item)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def _xml(root: str, data, status: int) -> HttpResponse:
    """GeoReport v2's XML: a list under its plural root (`root`), an object as the root itself."""
    holder = ElementTree.Element("holder")
    _xml_value(holder, root, data)
    body = ElementTree.tostring(holder[0], encoding="unicode")
    return HttpResponse(
        '<?xml version="1.0" encoding="utf-8"?>\n' + body,
        status=status,
        content_type="text/xml; charset=utf-8",
    )


def _out(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """The answer in the format the client asked for; `root` names the XML root element."""
    if fmt == "xml":
        return _xml(root, data, status)
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _error(code: int, description: str, fmt: str = "json") -> HttpResponse:
    return _out(fmt, "errors", [{"code": code, "description": description}], code)


def _unknown_format(fmt: str) -> HttpResponse | None:
    return None if fmt in FORMATS else _error(400, "Only the json and xml formats are supported.")


@require_http_methods(["GET"])
def discovery(request, fmt: str):
    if (bad := _unknown_format(fmt)) is not None:
        return bad
    base = request.build_absolute_uri("/open311/v2/")
    return _out(
        fmt,
        "discovery",
        {
            "changeset": "2026-11-23T00:00:00+08:00",
            "contact": "Your subdistrict office (街道办事处)",
            "key_service": "Ask the subdistrict admin for an api_key (gongzhi open311 key --create).",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": base,
                    "changeset": "2026-11-23T00:00:00+08:00",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


def _service(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


def _jurisdiction_subdistrict(request):
    code = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    return selectors.subdistrict_by_code(code) if code else None


@require_http_methods(["GET"])
def services_list(request, fmt: str):
    if (bad := _unknown_format(fmt)) is not None:
        return bad
    subdistrict = _jurisdiction_subdistrict(request)
    categories = selectors.categories_for(subdistrict.pk if subdistrict else None)
    return _out(fmt, "services", [_service(c) for c in categories])


@require_http_methods(["GET"])
def service_definition(request, code: str, fmt: str):
    if (bad := _unknown_format(fmt)) is not None:
        return bad
    if not selectors.categories_for(None).filter(code=code).exists():
        return _error(404, f"No service with service_code {code}.", fmt)
    return _out(fmt, "service_definition", {"service_code": code, "attributes": []})


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _staff(request):
    """The staff account asking (signed in, or an API token as bearer), or None for the public."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        found = grant_for_token(header[7:].strip())
        # Open311 serves concerns: a token scoped away from them reads only what the public reads.
        return found[0] if found and not found[1].refusal("GET", "concerns") else None
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _visible(request, subdistrict=None):
    """The concerns the caller may list, and the ids of those it may see in full (its scope)."""
    qs = selectors.open311_requests(subdistrict)
    public = Q(channel=Channel.OPEN311) | Q(published=True)
    staff = _staff(request)
    if staff is None:
        return qs.filter(public), frozenset()
    in_scope = permissions.scope_q(staff, Concern)
    qs = qs.filter(public | in_scope)
    return (qs.distinct() if getattr(Concern, "scope_distinct", False) else qs), in_scope


def _request_out(concern: Concern, notes: dict, full: bool) -> dict:
    """One request: in full for staff whose scope holds it, else public (coarse and de-identified)."""
    building = concern.building
    compound = building.compound if building else None
    place = building if full else compound
    address = " ".join(
        p for p in (concern.neighborhood.name if concern.neighborhood else "", str(place or "")) if p
    )
    note = notes.get(concern.pk, "")
    description = concern.description if full or concern.channel == Channel.OPEN311 else ""
    if not full:
        names = (concern.reporter_name, *_household_names(concern))
        note, description = deidentify(note, names), deidentify(description, names)
    lat, lng = (
        (concern.lat, concern.lng)
        if full
        else (getattr(compound, "lat", None), getattr(compound, "lng", None))
    )
    return {
        "service_request_id": str(concern.pk),
        "status": "open" if concern.is_open else "closed",
        "status_notes": note,
        "service_name": concern.category.name,
        "service_code": concern.category.code,
        "description": description,
        "agency_responsible": concern.get_handler_kind_display(),
        "service_notice": "",
        "requested_datetime": _iso(concern.accepted_at),
        "updated_datetime": _iso(concern.closed_at or concern.responded_at or concern.accepted_at),
        "expected_datetime": _iso(concern.resolution_due),
        "address": address,
        "address_id": str(building.pk) if building and full else "",
        "zipcode": "",
        "lat": lat,
        "long": lng,
        "media_url": "",
    }


def _household_names(concern: Concern) -> list[str]:
    return [r.name for r in concern.household.residents.all()] if concern.household_id else []


def _answer(fmt: str, concerns: list[Concern], in_scope) -> HttpResponse:
    full = set()
    if in_scope and concerns:
        ids = [c.pk for c in concerns]
        full = set(Concern.objects.filter(in_scope, pk__in=ids).values_list("pk", flat=True))
    # One query for the names every public row is scrubbed of, not one per row.
    prefetch_related_objects([c for c in concerns if c.pk not in full], "household__residents")
    notes = selectors.resolution_notes([c.pk for c in concerns])
    return _out(fmt, "service_requests", [_request_out(c, notes, c.pk in full) for c in concerns])


def _filtered(request):
    qs, in_scope = _visible(request, _jurisdiction_subdistrict(request))
    ids = [
        n for i in request.GET.get("service_request_id", "").split(",") if (n := parse_int(i.strip(), low=1))
    ]
    if ids:
        return qs.filter(pk__in=ids), in_scope
    if code := request.GET.get("service_code"):
        qs = qs.filter(category__code__in=code.split(","))
    status = request.GET.get("status", "")
    if status == "open":
        qs = qs.filter(state__in=lifecycle.OPEN_STATES)
    elif status == "closed":
        qs = qs.filter(state=lifecycle.CLOSED)
    end = parse_datetime(request.GET.get("end_date", "")) or timezone.now()
    start = parse_datetime(request.GET.get("start_date", "")) or end - timedelta(days=DEFAULT_DAYS)
    return qs.filter(accepted_at__gte=start, accepted_at__lte=end), in_scope


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_list(request, fmt: str):
    if (bad := _unknown_format(fmt)) is not None:
        return bad
    if request.method == "POST":
        return _post_request(request, fmt)
    qs, in_scope = _filtered(request)
    return _answer(fmt, list(qs[:MAX_RESULTS]), in_scope)


@require_http_methods(["GET"])
def request_detail(request, request_id: str, fmt: str):
    if (bad := _unknown_format(fmt)) is not None:
        return bad
    pk = parse_int(request_id, low=1)
    qs, in_scope = _visible(request)
    concern = qs.filter(pk=pk).first() if pk is not None else None
    if concern is None:
        return _error(404, "No service request with that service_request_id.", fmt)
    return _answer(fmt, [concern], in_scope)


def _post_request(request, fmt: str) -> HttpResponse:
    data = request.POST
    # Wrong keys are counted per client address: guessing keys is throttled like everything else.
    failures = f"open311-key-failures:{client_ip(request)}"
    if throttle.over(failures, limit=BAD_KEYS_PER_MINUTE):
        return _error(429, "Too many wrong api_keys from this address; wait a minute.", fmt)
    key = open311_keys.key_for(data.get("api_key", ""))
    if key is None:
        throttle.hit(failures, limit=BAD_KEYS_PER_MINUTE)
        return _error(403, "A valid api_key is required to submit a service request.", fmt)
    if not throttle.hit(f"open311:{key.pk}:{client_ip(request)}", limit=POSTS_PER_MINUTE, window_seconds=60):
        return _error(429, "Too many requests; slow down.", fmt)
    subdistrict, problem = _jurisdiction_for_post(key, data.get("jurisdiction_id", ""), fmt)
    if problem is not None:
        return problem
    category = selectors.categories_for(subdistrict.pk).filter(code=data.get("service_code", "")).first()
    if category is None:
        return _error(400, "service_code is missing or unknown; see services.json.", fmt)
    if not (data.get("description") or "").strip():
        return _error(400, "description is required.", fmt)
    try:
        place, location = _locate(subdistrict, data)
    except ValidationError as exc:
        return _error(400, " ".join(exc.messages), fmt)
    name = " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)
    try:
        concern = services.submit_concern(
            actor=None,
            channel=Channel.OPEN311,
            category=category,
            place=place,
            idempotency_key=request.headers.get("Idempotency-Key", "") or data.get("idempotency_key", ""),
            principal=f"open311:{key.pk}",
            description=data.get("description", ""),
            address=data.get("address_string", ""),
            location=location,
            reporter_name=name,
            reporter_phone=data.get("phone", ""),
        )
    except ValidationError as exc:
        return _error(400, " ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()), fmt)
    created = [{"service_request_id": str(concern.pk), "service_notice": "", "account_id": None}]
    return _out(fmt, "service_requests", created, 201)


def _jurisdiction_for_post(key, code: str, fmt: str = "json"):
    """The subdistrict the client names, which a bound key must be bound to; naming none is an error
    (guessing one put requests where their sender did not mean them)."""
    code = code.strip()
    if not code:
        return None, _error(400, "jurisdiction_id is required.", fmt)
    named = selectors.subdistrict_by_code(code)
    if named is None:
        return None, _error(404, "jurisdiction_id names no jurisdiction here.", fmt)
    if key.subdistrict is not None and named.pk != key.subdistrict_id:
        return None, _error(403, "This api_key is not valid for that jurisdiction.", fmt)
    return named, None


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _locate(subdistrict, data) -> tuple[services.Place, tuple[float, float] | None]:
    """The place of a request: a building id, a point (nearest known building), or an address."""
    lat, lng = _float(data.get("lat")), _float(data.get("long"))
    location = (lat, lng) if lat is not None and lng is not None else None
    if location and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError("lat/long are out of range.")
    if location and not _inside(subdistrict, lat, lng):
        raise ValidationError("lat/long lie outside the jurisdiction.")
    address_id, address = (data.get("address_id") or "").strip(), (data.get("address_string") or "").strip()
    if not (location or address_id or address):
        raise ValidationError("A location is required: lat and long, address_string or address_id.")
    building = None
    if address_id:
        number = parse_int(address_id, low=1)
        building = selectors.building_in(subdistrict, str(number)) if number is not None else None
        if building is None:
            raise ValidationError("address_id is no building of this jurisdiction.")
    if building is None and location:
        building = selectors.nearest_building(subdistrict, *location)
    if building is None and address:
        building = selectors.building_by_address(subdistrict, address)
    if building is not None:
        return services.place_of(building=building), location
    return services.place_of(subdistrict=subdistrict), location


def _inside(subdistrict, lat: float, lng: float) -> bool:
    """Whether a point lies within the bounding box of the jurisdiction's located buildings plus a
    margin; a jurisdiction with no located building has no known area, so any point passes."""
    box = Building.objects.filter(neighborhood__subdistrict=subdistrict, lat__isnull=False, lng__isnull=False)
    box = box.aggregate(south=Min("lat"), north=Max("lat"), west=Min("lng"), east=Max("lng"))
    if box["south"] is None:
        return True
    m = BOUNDS_MARGIN
    return box["south"] - m <= lat <= box["north"] + m and box["west"] - m <= lng <= box["east"] + m


urlpatterns = [
    path("discovery.<str:fmt>", discovery, name="open311_discovery"),
    path("services.<str:fmt>", services_list, name="open311_services"),
    path("services/<str:code>.<str:fmt>", service_definition, name="open311_service"),
    path("requests.<str:fmt>", requests_list, name="open311_requests"),
    path("requests/<str:request_id>.<str:fmt>", request_detail, name="open311_request"),
]
