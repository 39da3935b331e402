"""A chief's duties measured from the platform's own records: visits made, concerns raised, meetings
attended (signed in at deliberation meetings), training sessions attended and patrol shifts served. Each source app is asked through its models only."""

from datetime import date, datetime, time

from django.apps import apps
from django.utils import timezone

from gongzhi.volunteers.models import RosterDuty
from gongzhi.workforce.models import HoursCredit, MeetingAttendance


def _visit_model():
    """Visits are moving from concerns to their own app; read whichever holds them."""
    for label in ("visits.Visit", "concerns.Visit"):
        try:
            return apps.get_model(label)
        except LookupError:
            continue
    return None


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(until, time.max))
    return start, end


def measured_duties(user_id: int, since: date, until: date) -> dict[str, int]:
    start, end = _bounds(since, until)
    visit = _visit_model()
    concern = apps.get_model("concerns.Concern")
    return {
        "visits": visit.objects.filter(worker_id=user_id, visited_at__range=(start, end)).count()
        if visit
        else 0,
        "concerns": concern.objects.filter(created_by_id=user_id, accepted_at__range=(start, end)).count(),
        "meetings": MeetingAttendance.objects.filter(
            chief__user_id=user_id, meeting__held_at__range=(start, end)
        )
        .values("meeting_id")
        .distinct()
        .count(),
        "trainings": HoursCredit.objects.filter(
            profile__user_id=user_id, credited_at__range=(start, end)
        ).count(),
        "patrols": RosterDuty.objects.filter(
            volunteer__user_id=user_id,
            attendance=RosterDuty.Attendance.SERVED,
            shift__starts_at__range=(start, end),
        ).count(),
    }
