"""Seed the shared category taxonomy (the seeds' hot issues), default time limits per tier and the
2025–2026 public-holiday calendar of the State Council notices (holidays and make-up workdays)."""

from datetime import date, timedelta

from django.db import migrations

CATEGORIES = [
    # code, name, least tier, description
    ("garbage_sorting", "垃圾分类", "minor", "垃圾分类投放、厢房、清运"),
    ("parking", "停车", "minor", "停车难、乱停车、停车收费"),
    ("ebike_charging", "电瓶车充电", "minor", "飞线充电、楼道停放、充电桩"),
    ("square_dance_noise", "广场舞噪音", "minor", "广场舞、施工、商铺等噪音扰民"),
    ("pets", "宠物", "minor", "文明养宠、犬只扰民、宠物粪便"),
    ("parcels", "快递", "minor", "快递外卖进小区、驿站、快递柜"),
    ("lift", "电梯", "minor", "电梯故障、维保、加装电梯"),
    ("property_service", "物业服务", "minor", "物业服务质量、物业费、维修响应"),
    ("ageing_facilities", "老旧设施", "major", "老旧小区设施、管网、屋面、路面改造"),
    ("public_safety", "公共安全", "minor", "消防通道、治安、高空抛物、安全隐患"),
    ("greenery", "绿化环境", "minor", "绿化补种、环境卫生、蚊虫"),
    ("neighbor_dispute", "邻里纠纷", "minor", "噪音、漏水、占用公共部位等邻里矛盾"),
    ("elderly_care", "为老服务", "minor", "助餐、助浴、独居老人关爱"),
    ("other", "其他", "minor", "其他诉求"),
]

LIMITS = {"minor": (1, 5), "major": (1, 15), "key": (2, 30), "urgent": (0, 1)}


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


HOLIDAYS = [
    ("元旦", _span(date(2025, 1, 1), date(2025, 1, 1))),
    ("春节", _span(date(2025, 1, 28), date(2025, 2, 4))),
    ("清明节", _span(date(2025, 4, 4), date(2025, 4, 6))),
    ("劳动节", _span(date(2025, 5, 1), date(2025, 5, 5))),
    ("端午节", _span(date(2025, 5, 31), date(2025, 6, 2))),
    ("国庆节、中秋节", _span(date(2025, 10, 1), date(2025, 10, 8))),
    ("元旦", _span(date(2026, 1, 1), date(2026, 1, 3))),
    ("春节", _span(date(2026, 2, 15), date(2026, 2, 23))),
    ("清明节", _span(date(2026, 4, 4), date(2026, 4, 6))),
    ("劳动节", _span(date(2026, 5, 1), date(2026, 5, 5))),
    ("端午节", _span(date(2026, 6, 19), date(2026, 6, 21))),
    ("中秋节", _span(date(2026, 9, 25), date(2026, 9, 27))),
    ("国庆节", _span(date(2026, 10, 1), date(2026, 10, 7))),
]
MAKEUP_DAYS = [
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11),
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
    date(2026, 10, 10),
]


def seed(apps, schema_editor):
    Category = apps.get_model("concerns", "Category")
    TimeLimit = apps.get_model("concerns", "TimeLimit")
    CalendarDay = apps.get_model("concerns", "CalendarDay")
    for order, (code, name, tier, description) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            subdistrict=None, code=code, defaults={"name": name, "tier": tier, "description": description, "order": order}
        )
    for tier, (respond, resolve) in LIMITS.items():
        TimeLimit.objects.get_or_create(
            category=None, tier=tier, defaults={"response_days": respond, "resolution_days": resolve}
        )
    for name, days in HOLIDAYS:
        for day in days:
            CalendarDay.objects.get_or_create(date=day, defaults={"working": False, "name": name})
    for day in MAKEUP_DAYS:
        CalendarDay.objects.get_or_create(date=day, defaults={"working": True, "name": "调休上班"})


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
