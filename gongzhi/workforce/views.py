"""Pages of the workforce app, one per role's task. Thin: parse, call one selector or service, render.
NotInScope (404) and uncaught ValidationError (400) are answered by ScopeErrorsMiddleware."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.pages import form_errors, parse_int, parse_month, require_reader, say, staff_page
from gongzhi.core.roles import POST_LEVELS
from gongzhi.workforce import bonus, criteria, selectors, services
from gongzhi.workforce.models import Chief, Forum, Mentorship


def _year(request) -> int:
    return parse_int(request.GET.get("year"), low=2000, high=2100) or timezone.localdate().year


def _chart(rows, unit: str) -> dict:
    return {
        "labels": [str(label) for label, _v in rows],
        "values": [float(v) for _l, v in rows],
        "unit": unit,
    }


@staff_page
def home(request):
    """Where each role starts: the worker's own page, the rater's scoring, the chief's post, the dashboards."""
    user = request.user
    context = {
        "profile": selectors.profile_of(user),
        "reads_workforce": selectors.may_read(user, "workforce"),
        "reads_personnel": selectors.may_read(user, "personnel"),
        "rating_groups": selectors.rating_groups_of(user),
        "chief_posts": selectors.own_chief_posts(user),
    }
    return render(request, "workforce/home.html", context)


@staff_page
def me(request):
    """A worker's own page: profile, hours by line against the year's requirement, pairs, results."""
    profile = selectors.profile_of(request.user)
    if profile is None:
        raise PermissionDenied(_("You have no social worker profile."))
    year = _year(request)
    progress = selectors.progress_of(profile, selectors.plan_for(request.user, year), year)
    context = {
        "profile": profile,
        "year": year,
        "progress": progress,
        "chart": _chart([(r["label"], r["credited"]) for r in progress], _("hours")),
        "pairs": selectors.mentorships_visible_to(request.user).filter(mentee=profile)
        | selectors.mentorships_visible_to(request.user).filter(mentor=profile),
        "history": profile.post_changes.all(),
        "credits": selectors.credits_of(profile, year),
        "bonuses": selectors.own_bonuses(request.user),
        "contests": profile.contest_scores.select_related("session__course"),
        "designs": profile.designs.select_related("project"),
    }
    return render(request, "workforce/me.html", context)


@staff_page
def training(request):
    """The training dashboard: hours by line, level and neighborhood, and who is behind."""
    require_reader(request.user, "workforce", _("You do not work with the workforce."))
    year = _year(request)
    board = selectors.training_dashboard(request.user, year)
    context = {
        "year": year,
        "board": board,
        "line_chart": _chart(board["by_line"], _("hours")),
        "level_chart": _chart(board["by_level"], _("hours")),
        "nb_chart": _chart(board["by_neighborhood"], _("hours")),
        "sessions": selectors.sessions_visible_to(request.user).filter(starts_at__year=year)[:30],
    }
    return render(request, "workforce/training.html", context)


@staff_page
def check_in(request, token: str):
    """The page a session's QR code opens on the worker's phone; the button credits the hours."""
    credit = None
    if request.method == "POST":
        credit = services.scan_session_check_in(actor=request.user, token=token)
    return render(request, "workforce/check_in.html", {"credit": credit})


@staff_page
def pair(request, pk: int):
    """A 1+1 pair: goals, the monthly logs of both, the review."""
    found = selectors.get_visible(selectors.mentorships_visible_to(request.user), pk)
    if request.method == "POST":
        _pair_post(request, found)
        return redirect("workforce:pair", pk=found.pk)
    member = request.user.pk in (found.mentor.user_id, found.mentee.user_id)
    context = {
        "pair": found,
        "logs": found.logs.select_related("author"),
        "member": member,
        "month": timezone.localdate().strftime("%Y-%m"),
        "active": found.status == Mentorship.Status.ACTIVE,
    }
    return render(request, "workforce/pair.html", context)


def _pair_post(request, found: Mentorship) -> None:
    try:
        if request.POST.get("action") == "review":
            services.review_pair(
                actor=request.user,
                mentorship=found,
                review=request.POST.get("review", ""),
                outcome=request.POST.get("outcome", ""),
            )
        else:
            services.write_mentor_log(
                actor=request.user,
                mentorship=found,
                month=parse_month(request.POST.get("month")),
                text_=request.POST.get("text", ""),
            )
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        say(request, exc)


@staff_page
def pairs(request):
    """Pairs in the user's area (secretaries, subdistrict) and the user's own; the area pairs workers here."""
    if request.method == "POST":
        _new_pair(request)
        return redirect("workforce:pairs")
    context = {
        "pairs": selectors.mentorships_visible_to(request.user).order_by("-started_on"),
        "manages": selectors.may_write(request.user, "workforce"),
        "mentors": selectors.profiles_visible_to(request.user).filter(
            post_level__in=("team_lead", "secretary")
        ),
        "mentees": selectors.profiles_visible_to(request.user).filter(post_level__in=("novice", "regular")),
    }
    return render(request, "workforce/pairs.html", context)


def _new_pair(request) -> None:
    p, visible = request.POST, selectors.profiles_visible_to(request.user)
    mentor = selectors.get_visible(visible, parse_int(p.get("mentor")))
    mentee = selectors.get_visible(visible, parse_int(p.get("mentee")))
    started, ends = _date(p.get("started_on")), _date(p.get("ends_on"))
    try:
        if started is None or ends is None:
            raise ValidationError({"started_on": _("Enter the pair's first and last day.")})
        services.pair_mentor(
            actor=request.user,
            mentor=mentor,
            mentee=mentee,
            goals=p.get("goals", ""),
            started_on=started,
            ends_on=ends,
        )
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        say(request, exc)


@staff_page
def forums(request):
    """社工论坛 and roundtables: who speaks when, and the 学写讲评 averages; workers rate past talks;
    the subdistrict schedules the forums on the 23rd and holds roundtables with minutes here."""
    subdistrict = selectors.planning_subdistrict(request.user)
    keeps = subdistrict is not None and selectors.may_plan(request.user, subdistrict.pk)
    errors, values = {}, {}
    if request.method == "POST":
        if not keeps:
            raise PermissionDenied(_("Only the subdistrict runs forums."))
        values = dict(request.POST.items())
        try:
            _forum_post(request, subdistrict)
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("workforce:forums")
    rows = list(selectors.forums_visible_to(request.user)[:36])
    for forum in rows:
        forum.averages = selectors.forum_averages(forum)
    today = timezone.localdate()
    context = {
        "forums": rows,
        "profile": selectors.profile_of(request.user),
        "today": today,
        "scale": range(1, 6),
        "keeps": keeps,
        "errors": errors,
        "values": values,
        "next_month": f"{today.year}-{today.month:02d}",
    }
    return render(request, "workforce/forums.html", context, status=400 if errors else 200)


def _forum_post(request, subdistrict) -> None:
    p = request.POST
    if p.get("form") == "roundtable":
        held_on = _date(p.get("held_on"))
        if held_on is None:
            raise ValidationError({"held_on": _("Enter a date.")})
        services.hold_roundtable(
            actor=request.user,
            subdistrict=subdistrict,
            held_on=held_on,
            topic=p.get("topic", ""),
            minutes=p.get("minutes", ""),
        )
        return
    first = parse_month(p.get("first_month"))
    topics = [line.strip() for line in p.get("topics", "").splitlines() if line.strip()]
    services.schedule_forums(
        actor=request.user,
        subdistrict=subdistrict,
        year=first.year,
        first_month=first.month,
        months=len(topics),
        topics=topics,
    )


@staff_page
@require_POST
def rate_forum(request, pk: int):
    forum = selectors.get_visible(
        selectors.forums_visible_to(request.user).filter(kind=Forum.Kind.WORKER_FORUM), pk
    )
    p = request.POST
    try:
        services.rate_forum(
            actor=request.user,
            forum=forum,
            learning=p.get("learning"),
            writing=p.get("writing"),
            speaking=p.get("speaking"),
            reviewing=p.get("reviewing"),
        )
        messages.success(request, _("Thank you for rating."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("workforce:forums")


# The rater groups a new round starts with (多头打分 in 杨行镇); their weights are typed on the form.
DEFAULT_GROUPS = [
    ("party", _("community party committee")),
    ("offices", _("offices and departments")),
    ("civic", _("community building office")),
    ("grid", _("micro-community group leaders")),
]


@staff_page
def rounds(request):
    """Assessment rounds: the subdistrict's personnel roles only; they open a new one here."""
    require_reader(request.user, "personnel", _("Assessment results are personnel data."))
    if request.method == "POST":
        p = request.POST
        groups = [
            (code, str(name), p.get(f"weight_{code}", ""))
            for code, name in DEFAULT_GROUPS
            if p.get(f"weight_{code}")
        ]
        try:
            found = services.open_round(
                actor=request.user,
                subdistrict=selectors.own_subdistrict(request.user),
                title=p.get("title", ""),
                kind=p.get("kind", ""),
                period=p.get("period", ""),
                pool=p.get("pool", ""),
                groups=groups,
                criteria=_criteria(p),
            )
            return redirect("workforce:round", pk=found.pk)
        except ValidationError as exc:
            say(request, exc)
        return redirect("workforce:rounds")
    context = {"rounds": selectors.rounds_visible_to(request.user), "groups": DEFAULT_GROUPS}
    return render(request, "workforce/rounds.html", context)


def _criteria(p) -> list[dict]:
    """The red-property criterion of the secretaries' assessment, when the form gives it a weight."""
    weight = p.get("red_property_weight", "").strip()
    return [{"code": "red_property", "level": "secretary", "weight": weight}] if weight else []


@staff_page
@require_POST
def add_rater(request, pk: int):
    """Make an account (by its username) a rater of one of the round's groups."""
    assessment = selectors.get_visible(selectors.rounds_visible_to(request.user), pk)
    group = selectors.get_visible(assessment.groups.all(), parse_int(request.POST.get("group")))
    user = selectors.account_named(request.POST.get("username", ""))
    if user is None:
        say(request, ValidationError({"username": _("No account with this username.")}))
    else:
        services.add_rater(actor=request.user, group=group, user=user)
        messages.success(request, _("Saved."))
    return redirect("workforce:round", pk=assessment.pk)


@staff_page
def round_detail(request, pk: int):
    """A round: groups and raters, scores, the bonus preview or the adopted bonuses, the promotion list."""
    assessment = selectors.get_visible(selectors.rounds_visible_to(request.user), pk)
    if request.method == "POST":
        try:
            services.adopt_round(actor=request.user, round=assessment)
            messages.success(request, _("The round is adopted; bonuses and the promotion list are fixed."))
        except ValidationError as exc:
            say(request, exc)
        return redirect("workforce:round", pk=assessment.pk)
    context = selectors.round_results(request.user, assessment)
    context["sheet"] = selectors.personal_sheet(assessment)
    context["criteria"] = selectors.round_criteria_rows(assessment, context["sheet"])
    context["criteria_list"] = [
        {"label": criteria.KNOWN[c["code"]], "level": POST_LEVELS[c["level"]], "weight": c["weight"]}
        for c in assessment.criteria
    ]
    context["preview"], context["preview_error"] = _preview(request, assessment, context["personal"])
    context["chart"] = _chart([(b.profile.name, b.amount) for b in context["bonuses"]], _("yuan"))
    return render(request, "workforce/round.html", context)


def _preview(request, assessment, personal) -> tuple[list[dict], str]:
    """What adoption would pay, by worker name; or why it cannot be adopted yet."""
    if assessment.status != assessment.Status.OPEN:
        return [], ""
    try:
        shares = services.preview_round(actor=request.user, round=assessment)
    except ValidationError as exc:
        return [], " ".join(exc.messages)
    names = {p.profile_id: p.profile.name for p in personal}
    rows = [
        {"name": names[int(s.worker)], "score": bonus.display(s.neighborhood_score), "bonus": s.bonus}
        for s in shares
    ]
    return rows, ""


@staff_page
@require_POST
def personal_score(request, pk: int):
    """The personnel role enters a worker's personal score in an open round."""
    assessment = selectors.get_visible(selectors.rounds_visible_to(request.user), pk)
    profile = selectors.get_visible(
        selectors.round_workers(assessment), parse_int(request.POST.get("profile"))
    )
    try:
        services.set_personal_score(
            actor=request.user, round=assessment, profile=profile, score=request.POST.get("score")
        )
        messages.success(request, _("Score saved: %(place)s") % {"place": profile.name})
    except ValidationError as exc:
        say(request, exc)
    return redirect("workforce:round", pk=assessment.pk)


@staff_page
def score(request):
    """A rater's phone page: each neighborhood of each group they score in, with their own scores."""
    groups = list(selectors.rating_groups_of(request.user))
    if request.method == "POST":
        group = selectors.get_visible(
            selectors.rating_groups_of(request.user), parse_int(request.POST.get("group"))
        )
        nb = selectors.get_visible(
            selectors.round_neighborhoods(group.round), parse_int(request.POST.get("neighborhood"))
        )
        try:
            services.score_neighborhood(
                actor=request.user, group=group, neighborhood=nb, score=request.POST.get("score")
            )
            messages.success(request, _("Score saved: %(place)s") % {"place": nb.name})
        except ValidationError as exc:
            say(request, exc)
        return redirect("workforce:score")
    sheets = [
        {
            "group": g,
            "mine": selectors.own_ratings(request.user, g),
            "neighborhoods": selectors.round_neighborhoods(g.round),
        }
        for g in groups
    ]
    for sheet in sheets:
        sheet["rows"] = [(nb, sheet["mine"].get(nb.pk)) for nb in sheet["neighborhoods"]]
    return render(request, "workforce/score.html", {"sheets": sheets})


@staff_page
def chiefs(request):
    """The three chiefs of the user's area with status, term, allowance and what they did this year;
    those who keep the workforce nominate here and take each chief through the steps."""
    require_reader(request.user, "workforce", _("You do not work with the workforce."))
    year = _year(request)
    manages = selectors.may_write(request.user, "workforce")
    errors, values = {}, {}
    if request.method == "POST":
        if not manages:
            raise PermissionDenied(_("You may not nominate chiefs here."))
        values = dict(request.POST.items())
        try:
            _nominate(request)
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("workforce:chiefs")
    rows = list(selectors.chiefs_visible_to(request.user).prefetch_related("events"))
    for chief in rows:
        chief.duties = selectors.chief_duties(chief, date(year, 1, 1), date(year, 12, 31))
    context = {
        "chiefs": rows,
        "year": year,
        "manages": manages,
        "month": timezone.localdate().strftime("%Y-%m"),
        "meetings": selectors.meetings_for_chiefs(request.user) if manages else [],
        "neighborhoods": selectors.writable_neighborhoods(request.user) if manages else [],
        "kinds": Chief.Kind.choices,
        "errors": errors,
        "values": values,
        "today": timezone.localdate().isoformat(),
    }
    return render(request, "workforce/chiefs.html", context, status=400 if errors else 200)


def _nominate(request) -> None:
    p = request.POST
    user = selectors.account_named(p.get("username", ""))
    if user is None:
        raise ValidationError({"username": _("No account with this username.")})
    neighborhood = next(
        (
            nb
            for nb in selectors.writable_neighborhoods(request.user)
            if nb.pk == parse_int(p.get("neighborhood"))
        ),
        None,
    )
    if neighborhood is None:
        raise ValidationError({"neighborhood": _("Choose one of the listed options.")})
    on = _date(p.get("on"))
    if on is None:
        raise ValidationError({"on": _("Enter a date.")})
    services.nominate_chief(
        actor=request.user,
        neighborhood=neighborhood,
        user=user,
        name=p.get("name", ""),
        kind=p.get("kind", ""),
        unit_label=p.get("unit_label", ""),
        on=on,
    )


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _chief_step(request, chief):
    """The one service the form's action names, with the form's fields."""
    p, today = request.POST, timezone.localdate()
    on, action = _date(p.get("on")) or today, p.get("action")
    if action in ("approve", "reject"):
        return services.vet_chief(
            actor=request.user, chief=chief, approved=action == "approve", on=on, note=p.get("note", "")
        )
    if action == "appoint":
        starts, ends = _date(p.get("term_starts")), _date(p.get("term_ends"))
        if starts is None or ends is None:
            raise ValidationError({"term_starts": _("Enter the term's first and last day.")})
        return services.appoint_chief(
            actor=request.user,
            chief=chief,
            term_starts=starts,
            term_ends=ends,
            monthly_allowance=p.get("monthly_allowance", ""),
        )
    if action == "allowance":
        return services.pay_allowance(actor=request.user, chief=chief, month=parse_month(p.get("month")))
    if action in ("trained", "rewarded"):
        return services.record_chief_event(
            actor=request.user, chief=chief, action=action, on=on, note=p.get("note", "")
        )
    if action == "meeting":
        meeting = selectors.get_visible(
            selectors.meetings_visible_to(request.user), parse_int(p.get("meeting"))
        )
        return services.record_meeting_attendance(actor=request.user, chief=chief, meeting=meeting)
    if action == "exit":
        return services.exit_chief(actor=request.user, chief=chief, on=on, note=p.get("note", ""))
    raise ValidationError({"action": _("Unknown step.")})


@staff_page
@require_POST
def chief_step(request, pk: int):
    """A step in a chief's life taken by the neighborhood: vetting, appointment, allowance, training, exit."""
    chief = selectors.get_visible(selectors.chiefs_visible_to(request.user), pk)
    try:
        _chief_step(request, chief)
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("workforce:chiefs")


@staff_page
def my_chief_posts(request):
    """A chief's own page: their posts, terms, allowances, history and duties measured this year."""
    year = _year(request)
    rows = list(selectors.own_chief_posts(request.user))
    if not rows:
        raise PermissionDenied(_("You hold no chief post."))
    for chief in rows:
        chief.duties = selectors.chief_duties(chief, date(year, 1, 1), date(year, 12, 31))
    return render(request, "workforce/my_chief.html", {"chiefs": rows, "year": year})
