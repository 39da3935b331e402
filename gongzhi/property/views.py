"""Property pages. Thin: parse, call one selector or service, render. NotInScope answers 404 and
an uncaught ValidationError 400 through the middleware."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.pages import form_errors, parse_int, parse_month, require_reader, say, staff_page
from gongzhi.property import community_views, figures_import, selectors, services
from gongzhi.property.models import DEFAULT_ALLOWANCE, ChecklistItem, StepChoices, VettingStep

FIGURE_FIELDS = ("fee_billed", "fee_collected", "burglaries", "battery_thefts", "vehicle_thefts", "fires")


def _reader(user) -> None:
    require_reader(user, "property", _("You do not work with property governance."))


def _year(request) -> int:
    return parse_int(request.GET.get("year"), low=2000, high=2100) or timezone.localdate().year


def _chart(rows, unit: str) -> dict:
    return {"labels": [label for label, _v in rows], "values": [v for _l, v in rows], "unit": unit}


def _step_label(step: int) -> str:
    """Short enough for a phone's axis: 未启动, 第 1 步 … 第 5 步 (the table names them in full)."""
    return str(StepChoices.NONE.label) if step == 0 else _("step %(n)s") % {"n": step}


@staff_page
def overview(request):
    """The subdistrict's overview: neighborhoods ranked, stairwell coverage and steps, the year's plan."""
    _reader(request.user)
    subdistrict = selectors.subdistrict_of(request.user)
    if subdistrict is None:
        raise Http404
    year = _year(request)
    ranked = selectors.neighborhood_ranking(request.user, subdistrict, year)
    whole, by_neighborhood = selectors.coverage(request.user, subdistrict)
    steps = selectors.step_counts(subdistrict)
    context = {
        "subdistrict": subdistrict,
        "year": year,
        "ranked": ranked,
        "coverage": whole,
        "by_neighborhood": by_neighborhood,
        "plan": selectors.plan_of(subdistrict, year),
        "steps": StepChoices.choices[1:],
        "score_chart": _chart([(n.name, float(s)) for n, s in ranked if s is not None], _("points")),
        "step_chart": _chart([(_step_label(k), v) for k, v in steps.items()], _("stairwells")),
        "coverage_chart": _chart([(n.name, float(c.rate or 0)) for n, c in by_neighborhood], "%"),
    }
    return render(request, "property/overview.html", context)


@staff_page
def neighborhood(request, pk: int):
    """A neighborhood's compounds ranked by score, its score and the secretary's criterion."""
    _reader(request.user)
    nb = selectors.neighborhood_for(request.user, pk)
    year = _year(request)
    rows, score = selectors.ranking(request.user, nb, year)
    context = {
        "neighborhood": nb,
        "year": year,
        "rows": rows,
        "score": score,
        "criterion": selectors.secretary_criterion(nb, year),
        "chart": _chart(
            [(r.compound.name, float(r.score)) for r in rows if r.score is not None], _("points")
        ),
        "stairwells": selectors.stairwell_map(request.user, nb),
        "steps": StepChoices.choices,
    }
    return render(request, "property/neighborhood.html", context)


@staff_page
def compound(request, pk: int):
    """A compound's property page: company, fee, collection, incidents, committee, accounts, complaints."""
    _reader(request.user)
    place = selectors.compound_for(request.user, pk)
    year = _year(request)
    figures = list(selectors.figures_for(request.user, place, year))
    # ?works=open: the notices open for comment today (the owners' committee's workbench item).
    works_open = request.GET.get("works") == "open"
    works = selectors.works_accounts_of(place, open_on=timezone.localdate() if works_open else None)
    context = {
        "compound": place,
        "year": year,
        "contracts": selectors.contracts_of(request.user, place),
        "fees": selectors.fees_of(request.user, place),
        "figures": figures,
        "committees": selectors.committees_of(request.user, place),
        "joint": selectors.joint_committees_of(request.user, place),
        "joint_meetings": selectors.joint_meetings_of(request.user, place)[:10],
        "rules_in_force": selectors.rules_in_force(request.user, place),
        "complaints": selectors.complaints_of(request.user, place)[:20],
        "works": works[:20],
        "works_count": works.count(),
        "works_open": works_open,
        "complaint_counts": selectors.complaint_counts(place, year),
        "stairwells": selectors.stairwells_of(request.user, place),
        "may_enter": selectors.may_enter_figures(request.user, place),
        "may_write": selectors.may_write_property(request.user, place),
        "trend": selectors.trend(place, year) if figures else [],
        "collection_chart": _chart(
            [
                (f"{f.month:%m}", round(float(f.fee_collected / f.fee_billed * 100), 1))
                for f in figures
                if f.fee_billed
            ],
            "%",
        ),
    }
    context["trend_chart"] = _chart(
        [(m, float(s)) for m, s in context["trend"] if s is not None], _("points")
    )
    return render(request, "property/compound.html", context)


@staff_page
def figures_entry(request, pk: int):
    """Enter or correct one month's figures of a compound."""
    _reader(request.user)
    place = selectors.compound_for(request.user, pk)
    errors, values = {}, {}
    if request.method == "POST":
        values = {f: request.POST.get(f, "") for f in FIGURE_FIELDS if request.POST.get(f, "") != ""}
        month = parse_month(request.POST.get("month"))
        try:
            services.record_figures(actor=request.user, compound=place, month=month, values=values)
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, _("Figures of %(month)s saved.") % {"month": f"{month:%Y-%m}"})
            return redirect("property:compound", pk=place.pk)
    context = {"compound": place, "errors": errors, "values": values, "fields": FIGURE_FIELDS}
    return render(request, "property/figures_form.html", context, status=400 if errors else 200)


@staff_page
def figures_upload(request):
    """Import monthly figures from the company's or the police station's workbook, all or nothing."""
    _reader(request.user)
    compounds = selectors.compounds_for_figures(request.user)
    errors = []
    if request.method == "POST":
        uploaded = request.FILES.get("file")
        try:
            if uploaded is None:
                raise ValidationError(_("Choose a file."))
            count = figures_import.import_figures(actor=request.user, uploaded_file=uploaded)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("%(count)s rows imported.") % {"count": count})
            return redirect("property:upload")
    context = {"compounds": compounds, "errors": errors, "headers": figures_import.HEADERS}
    return render(request, "property/upload.html", context, status=400 if errors else 200)


@staff_page
def committee(request, pk: int):
    """An owners' committee: members, vetting, allowances; forms for those who may change it."""
    _reader(request.user)
    body = selectors.committee_for(request.user, pk)
    statements = [(m, *selectors.allowance_statement(m)) for m in body.members.all()]
    context = {
        "committee": body,
        "party_share": selectors.party_share(body),
        "statements": statements,
        "vetting_kinds": VettingStep.Kind.choices,
        "may_write": selectors.may_write_property(request.user, body.compound),
        "reports": selectors.reports_of(request.user, body),
        "defaults": DEFAULT_ALLOWANCE,
        "this_year": timezone.localdate().year,
    }
    return render(request, "property/committee.html", context)


@require_POST
@staff_page
def committee_action(request, pk: int):
    """Add a member, record a vetting step, pay an allowance, schedule the year's reports or record
    one heard (the form says which)."""
    body = selectors.committee_for(request.user, pk)
    action, post = request.POST.get("action"), request.POST
    try:
        if action in ("reports", "heard"):
            community_views.committee_reports(request, body)
        elif action == "member":
            services.add_member(
                actor=request.user,
                committee=body,
                name=post.get("name", ""),
                post=post.get("post", ""),
                party_member=post.get("party_member") == "on",
                cross_appointment=post.get("cross_appointment", ""),
            )
        elif action == "vetting":
            services.record_vetting(
                actor=request.user,
                committee=body,
                kind=post.get("kind", ""),
                decision=post.get("decision", ""),
            )
        elif action == "allowance":
            member = selectors.member_for(request.user, parse_int(post.get("member")) or 0)
            if member.committee_id != body.pk:
                raise Http404
            services.pay_allowance(
                actor=request.user,
                member=member,
                month=parse_month(post.get("month")),
                amount=post.get("amount", ""),
            )
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        say(request, exc)
    return redirect("property:committee", pk=body.pk)


@staff_page
def stairwell(request, pk: int):
    """A stairwell's self-governance: step, group of three, 3+4+5+N checklist, brand; its covenant
    with every version (adopted on the covenant page's form)."""
    _reader(request.user)
    place = selectors.stairwell_for(request.user, pk)
    governance = getattr(place, "governance", None)
    errors = {}
    if request.method == "POST":
        try:
            services.update_stairwell(
                actor=request.user,
                stairwell=place,
                step=parse_int(request.POST.get("step"), high=5) or 0,
                group=request.POST.get("group", ""),
                brand=request.POST.get("brand", ""),
                done_ids=[i for v in request.POST.getlist("done") if (i := parse_int(v)) is not None],
                beautiful_year=parse_int(request.POST.get("beautiful_year"), low=2000, high=2100),
            )
        except ValidationError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, _("Stairwell saved."))
            return redirect("property:stairwell", pk=place.pk)
    checklist = selectors.checklist_of(place.building.neighborhood.subdistrict_id)
    context = {
        "stairwell": place,
        "governance": governance,
        "steps": StepChoices.choices,
        "checklist": checklist,
        "kinds": dict(ChecklistItem.Kind.choices),
        "done": set(governance.done.values_list("pk", flat=True)) if governance else set(),
        "errors": errors,
        "this_year": date.today().year,
        "versions": selectors.covenant_versions(request.user, place),
        "may_write": selectors.may_write_property(request.user, place.building.compound),
    }
    return render(request, "property/stairwell.html", context, status=400 if errors else 200)


@staff_page
def rules(request):
    """The subdistrict's score rule, 3+4+5+N checklist and the year's stairwell plan; the
    subdistrict's staff change them here."""
    _reader(request.user)
    subdistrict = selectors.subdistrict_of(request.user)
    if subdistrict is None:
        raise Http404
    if request.method == "POST":
        try:
            _change_rules(request, subdistrict)
        except ValidationError as exc:
            say(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("property:rules")
    context = {
        "subdistrict": subdistrict,
        "rules": selectors.score_rules_of(subdistrict),
        "metrics": selectors.METRICS,
        "checklist": selectors.checklist_of(subdistrict.pk),
        "kinds": ChecklistItem.Kind.choices,
        "plan": selectors.plan_of(subdistrict, _year(request)),
        "year": _year(request),
    }
    return render(request, "property/rules.html", context)


def _change_rules(request, subdistrict) -> None:
    post, actor = request.POST, request.user
    action = post.get("action")
    if action == "rule":
        services.set_rule(
            actor=actor,
            subdistrict=subdistrict,
            metric=post.get("metric", ""),
            weight=post.get("weight", ""),
            direction=post.get("direction", ""),
            worst=post.get("worst", ""),
            best=post.get("best", ""),
        )
    elif action == "checklist":
        services.add_checklist_item(
            actor=actor, subdistrict=subdistrict, kind=post.get("kind", ""), label=post.get("label", "")
        )
    elif action == "plan":
        year = parse_int(post.get("year"), low=2000, high=2100)
        target = parse_int(post.get("target"), high=1_000_000)
        if year is None or target is None:
            raise ValidationError(_("Enter a year and a whole number of stairwells."))
        services.set_plan(actor=actor, subdistrict=subdistrict, year=year, target=target)
    else:
        raise ValidationError(_("Unknown action."))
