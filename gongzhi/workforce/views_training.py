"""Pages that keep training: the year's plan (required hours, courses, sessions), a session (its QR
code, the paper sign-in sheet, contest scores) and the 头雁 classes (selection, graduation).
The subdistrict keeps the plan; the neighborhood secretary reads it and enters sheets and scores
for the workers of their neighborhood."""

from datetime import datetime

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.pages import form_errors, parse_int, require_reader, say, staff_page
from gongzhi.core.roles import POST_LEVELS
from gongzhi.workforce import selectors, services
from gongzhi.workforce.models import Course, Line
from gongzhi.workforce.views_people import parse_date

SCORED_KINDS = (Course.Kind.CASE_DISCUSSION, Course.Kind.SPEECH_CONTEST)


def _year(request) -> int:
    return parse_int(request.GET.get("year"), low=2000, high=2100) or timezone.localdate().year


def parse_local(value, field: str) -> datetime:
    """A date and time typed on the form (Asia/Shanghai), else an error on `field`."""
    try:
        return timezone.make_aware(datetime.fromisoformat(str(value or "").strip()))
    except ValueError:
        raise ValidationError({field: _("Enter a date and time.")}) from None


@staff_page
def plan(request):
    """The year's plan: required hours by level and line, its courses and their sessions."""
    require_reader(request.user, "workforce", _("You do not work with the workforce."))
    year = _year(request)
    found = selectors.plan_for(request.user, year)
    subdistrict = selectors.planning_subdistrict(request.user)
    keeps = subdistrict is not None and selectors.may_plan(request.user, subdistrict.pk)
    errors, values = {}, {}
    if request.method == "POST":
        if not keeps:
            raise PermissionDenied(_("Only the subdistrict plans training."))
        values = dict(request.POST.items())
        try:
            message = _plan_post(request, found, subdistrict, year)
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, message)
            return redirect(f"{reverse('workforce:plan')}?year={year}")
    context = {
        "year": year,
        "plan": found,
        "keeps": keeps,
        "errors": errors,
        "values": values,
        "form": values.get("form", ""),
        "grid": _requirement_grid(found, values),
        "lines": Line.choices,
        "levels": list(POST_LEVELS.items()),
        "kinds": Course.Kind.choices,
        "courses": found.courses.prefetch_related("sessions") if found else [],
    }
    return render(request, "workforce/plan.html", context, status=400 if errors else 200)


def _requirement_grid(found, values) -> list[dict]:
    """One row per post level, one cell per line: the hours required (typed or stored)."""
    stored = selectors.required_hours(found)
    return [
        {
            "label": label,
            "cells": [
                {
                    "name": f"req_{level}_{line}",
                    "value": values.get(f"req_{level}_{line}", stored.get((level, line), "")),
                }
                for line in Line.values
            ],
        }
        for level, label in POST_LEVELS.items()
    ]


def _plan_post(request, found, subdistrict, year: int) -> str:
    p, form = request.POST, request.POST.get("form")
    if form == "plan":
        services.create_plan(
            actor=request.user,
            subdistrict=subdistrict,
            year=year,
            title=p.get("title", ""),
            target_hours=p.get("target_hours", ""),
            requirements={
                (level, line): p.get(f"req_{level}_{line}") or "0"
                for level in POST_LEVELS
                for line in Line.values
            },
        )
        return _("The plan is saved.")
    if found is None:
        raise ValidationError({"general": _("Make the year's plan first.")})
    if form == "course":
        services.add_course(
            actor=request.user,
            plan=found,
            title=p.get("title", ""),
            line=p.get("line", ""),
            hours=p.get("hours", ""),
            audience=p.get("audience", ""),
            kind=p.get("kind", ""),
        )
        return _("The course is added.")
    course = found.courses.filter(pk=parse_int(p.get("course"))).first()
    if course is None:
        raise ValidationError({"course": _("Choose one of the listed options.")})
    services.schedule_session(
        actor=request.user,
        course=course,
        starts_at=parse_local(p.get("starts_at"), "starts_at"),
        place=p.get("place", ""),
    )
    return _("The session is scheduled; its QR code is on its page.")


@staff_page
def session(request, pk: int):
    """A training session with its QR code for the room and who checked in; the organiser enters
    the paper sheet for those who did not scan, and scores case discussions and speech contests."""
    found = selectors.get_visible(selectors.sessions_visible_to(request.user), pk)
    workers = selectors.profiles_visible_to(request.user).filter(subdistrict_id=found.subdistrict_id)
    # The subdistrict keeps its sessions (the sheet); a secretary scores the workers of their area.
    keeps = selectors.may_write(request.user, "workforce")
    if request.method == "POST":
        if not keeps:
            raise PermissionDenied(_("You may not change this record."))
        _session_post(request, found, workers)
        return redirect("workforce:session", pk=found.pk)
    url = request.build_absolute_uri(reverse("workforce:check_in", args=[found.check_in_token]))
    credits = list(found.credits.select_related("profile"))
    came = {c.profile_id for c in credits}
    scores = dict(found.contest_scores.values_list("profile_id", "score"))
    context = {
        "session": found,
        "qr_svg": segno.make(url).svg_inline(scale=4),
        "check_in_url": url,
        "credits": [(c, scores.get(c.profile_id)) for c in credits],
        "keeps": keeps,
        "keeps_sheet": selectors.may_change(request.user, found),
        "scored": found.course.kind in SCORED_KINDS,
        "absent": [w for w in workers.order_by("neighborhood__name", "name") if w.pk not in came],
    }
    return render(request, "workforce/session.html", context)


def _session_post(request, found, workers) -> None:
    p = request.POST
    try:
        if p.get("action") == "score":
            profile = selectors.get_visible(workers, parse_int(p.get("profile")))
            services.score_contest(actor=request.user, session=found, profile=profile, score=p.get("score"))
            messages.success(request, _("Score saved: %(place)s") % {"place": profile.name})
            return
        ids = [parse_int(v) for v in p.getlist("profiles")]
        chosen = list(workers.filter(pk__in=[i for i in ids if i is not None]))
        if not chosen:
            raise ValidationError({"profiles": _("Tick the workers who signed the sheet.")})
        n = services.record_attendance(actor=request.user, session=found, profiles=chosen)
        messages.success(request, _("Hours credited to %(n)d workers.") % {"n": n})
    except ValidationError as exc:
        say(request, exc)


@staff_page
def classes(request):
    """头雁班: the year's classes of secretaries, attendance of each member, who graduated; the
    subdistrict opens classes, selects secretaries into A and B and graduates them here."""
    require_reader(request.user, "workforce", _("You do not work with the workforce."))
    year = _year(request)
    found = selectors.plan_for(request.user, year)
    subdistrict = selectors.planning_subdistrict(request.user)
    keeps = found is not None and subdistrict is not None and selectors.may_plan(request.user, subdistrict.pk)
    if request.method == "POST":
        if not keeps:
            raise PermissionDenied(_("Only the subdistrict plans training."))
        _classes_post(request, found)
        return redirect(f"{reverse('workforce:classes')}?year={year}")
    rows = selectors.classes_visible_to(request.user, year)
    taken = {m.profile_id for k in rows for m, _n in k.rows}
    context = {
        "classes": rows,
        "year": year,
        "keeps": keeps,
        "courses": found.courses.filter(kind=Course.Kind.LEAD_GOOSE_CLASS) if found else [],
        "free": [
            p
            for p in selectors.profiles_visible_to(request.user).filter(post_level="secretary")
            if p.pk not in taken
        ],
        "today": timezone.localdate().isoformat(),
    }
    return render(request, "workforce/classes.html", context)


def _classes_post(request, found) -> None:
    p, action = request.POST, request.POST.get("action")
    try:
        if action == "open":
            course = found.courses.filter(pk=parse_int(p.get("course"))).first()
            if course is None:
                raise ValidationError({"course": _("Choose one of the listed options.")})
            services.open_lead_goose_class(
                actor=request.user, plan=found, course=course, name=p.get("name", "")
            )
            messages.success(request, _("Saved."))
            return
        klass = selectors.get_visible(found.lead_goose_classes.all(), parse_int(p.get("klass")))
        if action == "graduate":
            n = services.graduate_class(actor=request.user, klass=klass, on=parse_date(p.get("on"), "on"))
            messages.success(request, _("Graduated: %(n)d") % {"n": n})
            return
        ids = [i for i in (parse_int(v) for v in p.getlist("profiles")) if i is not None]
        chosen = list(selectors.profiles_visible_to(request.user).filter(pk__in=ids))
        if not chosen:
            raise ValidationError({"profiles": _("Tick the secretaries to select.")})
        n = services.select_into_class(actor=request.user, klass=klass, profiles=chosen)
        messages.success(request, _("Selected into the class: %(n)d") % {"n": n})
    except ValidationError as exc:
        say(request, exc)
