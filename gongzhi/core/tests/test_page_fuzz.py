"""No page answers a server error, whatever is in its path and query (issue 19, "Also").

Every URL pattern of every app (Django's admin aside, and the API, which `make fuzz` covers
with schemathesis against its OpenAPI schema) is requested with path values and query or form
fields drawn by hypothesis: real record ids and numbers beyond 64 bits, digits of other
scripts (`²`, `٣`), NUL, lone surrogates, long text, dates that are none. Each case picks a
role of the test world, or no one, and GET or a form-encoded POST. Server errors are collected
rather than shrunk, so one run lists every failing URL. The number of cases is bounded for CI
(`GONGZHI_PAGE_FUZZ_CASES`, default 600: under a minute on one idle core); `make page-fuzz` runs
more. The run's counts are written to `GONGZHI_PAGE_FUZZ_REPORT` when it is set, whose last
line reads `page fuzz: N patterns, M cases, K server errors`.
"""

import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db
CASES = int(os.environ.get("GONGZHI_PAGE_FUZZ_CASES", "600"))
SKIPPED_PREFIXES = ("admin/", "api/v1/")
# Query and form fields pages read (and a few no page reads).
FIELDS = [
    "page", "q", "month", "year", "neighborhood", "grid", "household", "building", "project",
    "survey", "status", "state", "kind", "sort", "by", "period", "next", "format", "category",
    "volunteer", "activity", "emergency", "round", "rule", "version", "join", "into", "start_date",
    "end_date", "service_request_id", "jurisdiction_id", "api_key", "lat", "long", "address_id",
    "description", "name", "title", "note", "reason", "phone", "code", "token", "b", "n", "x",
]  # fmt: skip
# Mostly ids the test world holds (so pages render and read their parameters), then the rest.
NUMBERS = st.one_of(
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=0, max_value=2**80),
    st.sampled_from([2**31, 2**63 - 1, 2**63, 2**64]),
)
ODD_TEXT = st.sampled_from(
    ["²", "٣", "１２", "-1", "1e9", "\x00", "a\x00b", "\ud800", "x" * 5000, " ", "2026-13-45"]
)
VALUES = st.one_of(NUMBERS.map(str), ODD_TEXT, st.text(max_size=40))


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _patterns(entries=None, prefix: tuple = ()) -> list[tuple]:
    """Each URL pattern as the chain of its pieces (RoutePattern or RegexPattern objects)."""
    found = []
    for entry in entries if entries is not None else get_resolver().url_patterns:
        chain = (*prefix, entry.pattern)
        if str(entry.pattern).startswith(SKIPPED_PREFIXES) and not prefix:
            continue
        if isinstance(entry, URLResolver):
            found += _patterns(entry.url_patterns, chain)
        elif isinstance(entry, URLPattern):
            found.append(chain)
    return found


ROUTE_PART = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _route_piece(pattern: RoutePattern):
    """A strategy for the text of one route piece: literal parts kept, converters drawn."""
    route, parts, last = str(pattern), [], 0
    for match in ROUTE_PART.finditer(route):
        parts.append(st.just(route[last : match.start()]))
        kind = match.group("converter") or "str"
        if kind == "int":
            parts.append(NUMBERS.map(str))
        else:
            parts.append(VALUES.map(lambda v: _encode(v) or "x"))
        last = match.end()
    parts.append(st.just(route[last:]))
    return st.tuples(*parts).map("".join)


def _regex_piece(pattern: RegexPattern):
    regex = str(pattern.regex.pattern)
    return st.from_regex(regex.removeprefix("^").removesuffix("$") or "^$", fullmatch=True).map(
        lambda text: _encode(text).replace("%2F", "/")
    )


def _path(chain) -> st.SearchStrategy:
    pieces = [_route_piece(p) if isinstance(p, RoutePattern) else _regex_piece(p) for p in chain]
    return st.tuples(*pieces).map(lambda parts: "/" + "".join(parts))


def _fields():
    return st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=4).map(
        lambda d: "&".join(f"{_encode(k)}={_encode(v)}" for k, v in d.items())
    )


def test_no_page_answers_a_server_error_to_fuzzed_paths_and_queries(world):
    patterns = _patterns()
    assert len(patterns) > 150
    users = [None, *sorted(world.users)]
    clients = {}
    for code in users:
        clients[code] = Client(raise_request_exception=False)
        if code:
            clients[code].force_login(world.users[code])
    errors: list[str] = []
    cases = [0]
    statuses: dict[str, int] = {}

    @settings(
        max_examples=CASES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one_case(data):
        chain = data.draw(st.sampled_from(patterns), label="pattern")
        path = data.draw(_path(chain), label="path")
        fields = data.draw(_fields(), label="fields")
        # Half the cases as the subdistrict admin, who reaches most pages; the rest any role or no one.
        code = data.draw(st.sampled_from(["subdistrict_admin"] * len(users) + users), label="role")
        method = data.draw(st.sampled_from(["GET", "GET", "POST"]), label="method")
        client = clients[code]
        if code:
            client.force_login(world.users[code])  # a fuzzed POST may have signed it out
        if method == "GET":
            response = client.get(f"{path}?{fields}" if fields else path)
        else:
            response = client.post(path, data=fields, content_type="application/x-www-form-urlencoded")
        cases[0] += 1
        kind = f"{response.status_code // 100}xx"
        statuses[kind] = statuses.get(kind, 0) + 1
        if response.status_code >= 500:
            errors.append(f"{method} {path} {fields[:120]} as {code or 'anonymous'}: {response.status_code}")

    one_case()
    line = f"page fuzz: {len(patterns)} patterns, {cases[0]} cases, {len(errors)} server errors"
    if report := os.environ.get("GONGZHI_PAGE_FUZZ_REPORT"):
        answered = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
        Path(report).write_text("\n".join([*errors, f"answers: {answered}", line]) + "\n")
    print(line)
    assert not errors, "\n".join(errors)
