"""Times are shown as people typed them, in Asia/Shanghai, whatever the process's own time zone:
a shift entered as 18:00–22:00 reads 18:00–22:00 (it read 10:00–14:00, the UTC clock)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gongzhi.core.models import AuditRecord
from gongzhi.volunteers import services
from gongzhi.volunteers.models import EmergencyShift

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("process_zone", ["UTC", "Asia/Shanghai", "America/New_York"])
def test_a_shift_reads_as_it_was_entered(world, process_zone):
    emergency = services.open_emergency(
        actor=world.users["subdistrict_admin"], subdistrict=world.subdistrict, title="防汛"
    )
    with timezone.override(process_zone):
        shift = services.add_shift(
            actor=world.users["subdistrict_admin"],
            emergency=emergency,
            starts_at=datetime(2026, 12, 6, 18, 0, tzinfo=SHANGHAI),
            ends_at=datetime(2026, 12, 6, 22, 0, tzinfo=SHANGHAI),
        )
    shift = EmergencyShift.objects.get(pk=shift.pk)  # as stored: UTC
    assert str(shift) == "12-06 18:00–22:00"


def test_an_audit_line_shows_shanghai_time(world):
    record = AuditRecord.objects.order_by("-pk").first()
    assert record is not None
    assert str(record).startswith(f"{timezone.localtime(record.at):%Y-%m-%d %H:%M}")
