"""Demo data for visits (暖杨六连心): the visit plan, contact-card hotlines and work phones, and
six months of visits in the demo logins' neighborhood, so coverage, the grid map's layer and the
cards show something.

The grid chief and grid worker visit their grid, the secretary and the social worker the rest of
the neighborhood; coverage grows month by month as the platform is taken up (45 % → 80 %), the
elderly living alone are visited weekly, and a dozen recent visits raised a problem that became a
concern (through concerns' `visit_intake.record_visit`, so the concern and its audit are real). The bulk of the
history is written in one batch. Idempotent: a second run changes nothing.
"""

import random
import time
from datetime import datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.concerns import visit_intake
from gongzhi.concerns.models import Category
from gongzhi.grids.models import MicroGrid
from gongzhi.org.demo import generator
from gongzhi.org.demo.loader import find_loaded
from gongzhi.org.models import Household, Neighborhood, ResidentTag, SensitiveTag
from gongzhi.visits import plan as visit_plan
from gongzhi.visits import services
from gongzhi.visits.models import Hotline, Visit

KEY = "demo-visit:"
SHARE_BY_MONTH = (0.45, 0.55, 0.65, 0.72, 0.78, 0.80)  # five months ago … this month
HOTLINES = (("市民服务热线", "12345"), ("物业服务热线", "962121"), ("报警", "110"), ("急救", "120"))
WORK_PHONES = {
    "secretary": "021-5680 1001",
    "socialworker": "021-5680 1002",
    "gridchief": "021-5680 1003",
    "gridworker": "021-5680 1004",
    "stairwellchief": "021-5680 1005",
}
RAISED = [
    ("楼道里有电瓶车充电，担心安全", "ebike_charging", "当场提醒住户，告知充电棚位置"),
    ("晚上广场舞音响太响", "square_dance_noise", "记录时段，约谈领队"),
    ("小区停车位不够，消防通道被占", "parking", "拍照留存，通知物业"),
    ("垃圾分类点太远，老人不方便", "garbage_sorting", "告知上门收运服务"),
    ("楼上漏水到我家天花板", "property_service", "联系物业上门查看"),
    ("想加装电梯，不知道怎么申请", "lift", "讲解加装电梯流程，留下资料"),
    ("", "", ""),
]
CHANNEL_WEIGHTS = ((Visit.Channel.DOOR, 0.7), (Visit.Channel.PHONE, 0.2), (Visit.Channel.WECHAT, 0.1))


def _users() -> dict[str, User]:
    names = ["admin", *WORK_PHONES]
    return {u.username: u for u in User.objects.filter(username__in=names)}


ZONE = ZoneInfo(settings.TIME_ZONE)


def _at(day, rng: random.Random) -> datetime:
    return datetime.combine(day, clock(rng.randint(9, 17), rng.randint(0, 59)), tzinfo=ZONE)


def _channel(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for channel, weight in CHANNEL_WEIGHTS:
        total += weight
        if roll < total:
            return channel
    return Visit.Channel.DOOR


def load_demo() -> str:
    started = time.perf_counter()
    subdistrict = find_loaded(generator.SUBDISTRICT_CODE)
    if subdistrict is None:
        return "visits: no demo subdistrict (run `gongzhi demo load` first)"
    if Visit.objects.filter(subdistrict=subdistrict, idempotency_key__startswith=KEY).exists():
        return "visits: already loaded, nothing changed"
    users = _users()
    if "admin" not in users or "secretary" not in users:
        return "visits: the demo logins are missing (run `gongzhi demo load` first)"
    neighborhood = Neighborhood.objects.filter(subdistrict=subdistrict).order_by("code").first()
    admin = users["admin"]
    with transaction.atomic():
        services.seed_default_rules(actor=admin, subdistrict=subdistrict)
        if not Hotline.objects.filter(subdistrict=subdistrict).exists():
            for position, (name, number) in enumerate(HOTLINES):
                services.save_hotline(
                    actor=admin, subdistrict=subdistrict, name=name, number=number, position=position
                )
            services.save_hotline(
                actor=admin,
                subdistrict=subdistrict,
                neighborhood=neighborhood,
                name=f"{neighborhood.name}居委会",
                number="021-5680 0001",
                position=10,
            )
        for username, phone in WORK_PHONES.items():
            if username in users:
                services.set_work_phone(
                    actor=admin, user=users[username], subdistrict=subdistrict, work_phone=phone
                )
        made = _history(subdistrict, neighborhood, users)
        concerns = _recent_with_concerns(subdistrict, neighborhood, users)
    seconds = time.perf_counter() - started
    return (
        f"visits: {made + concerns:,} visits over 6 months in {neighborhood.name} "
        f"({concerns} raised a concern), visit plan, hotlines and work phones in {seconds:.1f} s"
    )


def _worker_for(household: dict, users: dict, grid_id: int | None, rng: random.Random) -> User:
    if household["micro_grid_id"] == grid_id and "gridworker" in users:
        return users["gridworker"] if rng.random() < 0.7 or "gridchief" not in users else users["gridchief"]
    if "socialworker" in users and rng.random() < 0.6:
        return users["socialworker"]
    return users["secretary"]


def _history(subdistrict, neighborhood, users: dict) -> int:
    rng = random.Random(20260401)
    grid_id = (
        MicroGrid.objects.filter(grid_chief=users.get("gridchief")).values_list("pk", flat=True).first()
        if "gridchief" in users
        else None
    )
    households = list(
        Household.objects.filter(neighborhood=neighborhood)
        .values("pk", "building_id", "micro_grid_id")
        .order_by("pk")
    )
    elderly = set(
        ResidentTag.objects.filter(
            tag=SensitiveTag.ELDERLY_ALONE, resident__household__neighborhood=neighborhood
        ).values_list("resident__household_id", flat=True)
    )
    today, now = timezone.localdate(), timezone.now()
    this_month = today.replace(day=1)
    rows: list[tuple] = []
    for back, share in zip(range(5, -1, -1), SHARE_BY_MONTH, strict=True):
        first = visit_plan.add_months(this_month, -back)
        last = today if back == 0 else visit_plan.add_months(first, 1) - timedelta(days=1)
        days = (last - first).days + 1
        # This month is partly done: its share grows with the days gone by.
        share = share * (days / 30 if back == 0 else 1)
        for h in households:
            if rng.random() >= share:
                continue
            day = first + timedelta(rng.randrange(days))
            rows.append(_row(subdistrict, neighborhood, h, users, grid_id, rng, day, now))
    # The elderly living alone: weekly over the last four weeks (most of them).
    for h in (h for h in households if h["pk"] in elderly):
        for week in range(4):
            if rng.random() < 0.85:
                day = today - timedelta(days=7 * week + rng.randrange(7))
                rows.append(_row(subdistrict, neighborhood, h, users, grid_id, rng, day, now))
    _insert([(*row, f"{KEY}{n}") for n, row in enumerate(rows)])
    return len(rows)


COLUMNS = (
    "subdistrict",
    "neighborhood",
    "micro_grid",
    "building",
    "household",
    "worker",
    "visited_at",
    "channel",
    "raised",
    "handled",
    "suggestions",
    "idempotency_key",
)


def _insert(rows: list[tuple]) -> None:
    """COPY on PostgreSQL, one executemany per batch on SQLite: the ORM's bulk_create spends most
    of its time building SQL (8.9 s for the same rows)."""
    meta, quote = Visit._meta, connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(c).column) for c in COLUMNS)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [(*r[:6], adapt(r[6]), *r[7:]) for r in rows[start : start + 5000]])


def _row(subdistrict, neighborhood, h: dict, users, grid_id, rng: random.Random, day, now) -> tuple:
    raised, _code, handled = RAISED[rng.randrange(len(RAISED))] if rng.random() < 0.3 else ("", "", "")
    worker = _worker_for(h, users, grid_id, rng)
    visited_at = min(_at(day, rng), now)
    return (
        subdistrict.pk,
        neighborhood.pk,
        h["micro_grid_id"],
        h["building_id"],
        h["pk"],
        worker.pk,
        visited_at,
        _channel(rng),
        raised,
        handled,
        "",
    )


def _recent_with_concerns(subdistrict, neighborhood, users: dict) -> int:
    """A dozen of this week's visits raised a problem that became a concern in the same step."""
    rng = random.Random(7)
    categories = {c.code: c for c in Category.objects.filter(subdistrict__isnull=True, active=True)}
    worker = users.get("gridworker") or users["secretary"]
    households = list(
        Household.objects.filter(neighborhood=neighborhood, micro_grid__grid_chief=users.get("gridchief"))
        .select_related("building__neighborhood", "neighborhood")
        .order_by("pk")[:200]
    ) or list(Household.objects.filter(neighborhood=neighborhood).order_by("pk")[:200])
    made = 0
    for n in range(12):
        raised, code, handled = RAISED[n % (len(RAISED) - 1)]
        category = categories.get(code) or next(iter(categories.values()), None)
        if category is None or not households:
            break
        visit_intake.record_visit(
            actor=worker if worker.username == "gridworker" else users["secretary"],
            household=households[rng.randrange(len(households))],
            channel=Visit.Channel.DOOR,
            raised=raised,
            handled=handled,
            category=category,
            idempotency_key=f"{KEY}concern-{n}",
            visited_at=timezone.now() - timedelta(hours=rng.randint(1, 120)),
        )
        made += 1
    return made
