"""Map the classifier's 7 first-level categories onto the seeded taxonomy, and enter 2027's
public holidays ahead of the State Council's notice.

2027: the State Council's notice (国务院办公厅关于2027年部分节假日安排的通知) was not available
when this was written. Entered are the statutory holidays of 全国年节及纪念日放假办法 (2024
revision): the fixed-date ones (元旦 1 Jan, 劳动节 1–2 May, 国庆节 1–3 Oct) as confirmed, the
lunar ones on their computed dates (除夕 to 初三 5–8 Feb, 清明 5 Apr, 端午 9 Jun, 中秋 15 Sep) as
unconfirmed. Bridging days and the weekend make-up working days (调休) come only with the notice:
the subdistrict admin enters them on /concerns/calendar/?year=2027 and confirms the rest there.
"""

from datetime import date

from django.db import migrations

DATA_CATEGORIES = {
    # seeded category code → the first-level category the classifier predicts
    "property_service": "城乡建设",
    "greenery": "环境保护",
    "parking": "交通运输",
    "elderly_care": "劳动和社会保障",
}

HOLIDAYS_2027 = [
    # date, name, confirmed
    (date(2027, 1, 1), "元旦", True),
    (date(2027, 2, 5), "春节（除夕）", False),
    (date(2027, 2, 6), "春节", False),
    (date(2027, 2, 7), "春节", False),
    (date(2027, 2, 8), "春节", False),
    (date(2027, 4, 5), "清明节", False),
    (date(2027, 5, 1), "劳动节", True),
    (date(2027, 5, 2), "劳动节", True),
    (date(2027, 6, 9), "端午节", False),
    (date(2027, 9, 15), "中秋节", False),
    (date(2027, 10, 1), "国庆节", True),
    (date(2027, 10, 2), "国庆节", True),
    (date(2027, 10, 3), "国庆节", True),
]


def forward(apps, schema_editor):
    Category = apps.get_model("concerns", "Category")
    CalendarDay = apps.get_model("concerns", "CalendarDay")
    for code, data_category in DATA_CATEGORIES.items():
        Category.objects.filter(subdistrict=None, code=code, data_category="").update(
            data_category=data_category
        )
    for day, name, confirmed in HOLIDAYS_2027:
        CalendarDay.objects.get_or_create(
            date=day, defaults={"working": False, "name": name, "confirmed": confirmed}
        )


def backward(apps, schema_editor):
    CalendarDay = apps.get_model("concerns", "CalendarDay")
    CalendarDay.objects.filter(date__in=[d for d, _, _ in HOLIDAYS_2027]).delete()


class Migration(migrations.Migration):
    dependencies = [("concerns", "0006_suggestion_joins_calendar")]

    operations = [migrations.RunPython(forward, backward)]
