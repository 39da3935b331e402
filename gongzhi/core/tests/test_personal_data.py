"""The registry of what each app holds about a person (core.personal_data), filled at start-up."""

from datetime import UTC, datetime

from gongzhi.core import personal_data


def test_every_app_holding_personal_data_registered_its_part_in_the_order_of_the_copy():
    keys = [part.key for part in personal_data.parts()]
    assert keys == [
        "account",
        "household",
        "tags",
        "visits",
        "concerns",
        "volunteering",
        "wishes",
        "notices_read",
        "votes",
        "surveys",
        "messages",
        "requests",
    ]


def test_the_apps_keeping_contact_copies_say_how_to_erase_them():
    erasing = {part.key for part in personal_data.parts() if part.erase_contacts}
    assert erasing == {"concerns", "volunteering", "notices_read", "surveys"}


def test_request_deadlines_count_working_days_on_the_registered_calendar(db):
    friday = datetime(2026, 11, 6, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    due = personal_data.end_of_working_day(friday, 1)
    assert due.date().isoformat() == "2026-11-09"  # the next Monday
