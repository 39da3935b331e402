"""Pages of rules and stars, honour-roll benefits, committee reports, joint meetings and the
compound's records (company, contract, fee, committee). Thin: parse, call one service, redirect;
NotInScope answers 404 and PermissionDenied 403 through the middleware."""

import uuid
from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.pages import parse_int, require_reader, say, staff_page
from gongzhi.core.permissions import scoped
from gongzhi.deliberation.models import Vote
from gongzhi.org import household_search
from gongzhi.org.models import Household, PartnerUnit, PartyOrg
from gongzhi.property import selectors, services
from gongzhi.property.models import JointCommittee, OwnersCommittee, PropertyCompany
from gongzhi.volunteers.models import RedemptionItem


def _reader(user) -> None:
    require_reader(user, "property", _("You do not work with property governance."))


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _moment(value) -> datetime | None:
    """A date and time typed on a form: Asia/Shanghai, the site's time zone."""
    try:
        typed = datetime.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
    return typed if timezone.is_aware(typed) else timezone.make_aware(typed)


def _year(request) -> int:
    return parse_int(request.GET.get("year"), low=2000, high=2100) or timezone.localdate().year


def _required(value, field: str, message: str):
    if value is None:
        raise ValidationError({field: message})
    return value


@require_POST
@staff_page
def covenant(request, pk: int):
    """Adopt a new version of a stairwell's covenant (楼组公约)."""
    _reader(request.user)
    place = selectors.stairwell_for(request.user, pk)
    try:
        services.adopt_rule_version(
            actor=request.user,
            stairwell=place,
            text=request.POST.get("text", ""),
            short_form=request.POST.get("short_form", ""),
            adopted_on=_required(_day(request.POST.get("adopted_on")), "adopted_on", _("Enter a date.")),
            note=request.POST.get("note", ""),
            title=_("Covenant of %(place)s") % {"place": place},
        )
    except ValidationError as exc:
        say(request, exc)
    else:
        messages.success(request, _("A new version is in force."))
    return redirect("property:stairwell", pk=place.pk)


@staff_page
def community(request, pk: int):
    """A neighborhood's village rules, star households with the year's rewards, and the honour
    roll's benefits with their redemptions."""
    _reader(request.user)
    nb = selectors.neighborhood_for(request.user, pk)
    year = _year(request)
    if request.method == "POST":
        try:
            _community_action(request, nb, year)
        except ValidationError as exc:
            say(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{request.path}?year={year}")
    stars = selectors.star_households(request.user, nb, year)
    context = {
        "neighborhood": nb,
        "year": year,
        "rules": selectors.village_rules(request.user, nb),
        "stars": stars,
        "rewards_total": selectors.rewards_total(stars),
        "rewards": selectors.star_rewards(nb.subdistrict, year),
        "benefits": selectors.benefits_of(request.user, nb.subdistrict),
        "honoured": selectors.honoured_people(request.user, nb),
        "claims": selectors.claims_of(request.user, nb)[:30],
        "may_write": selectors.may_write_neighborhood(request.user, nb),
        "benefit_kinds": RedemptionItem.Kind.choices,
        "request_key": uuid.uuid4().hex,  # one per form shown: a double submit redeems once
    }
    if context["may_write"]:
        context["companies"] = selectors.companies_visible_to(request.user)
        context["partners"] = PartnerUnit.objects.filter(subdistrict=nb.subdistrict).order_by("name")
    return render(request, "property/community.html", context)


def _community_action(request, nb, year: int) -> None:
    post, actor, action = request.POST, request.user, request.POST.get("action")
    if action == "rules":
        services.adopt_rule_version(
            actor=actor,
            neighborhood=nb,
            text=post.get("text", ""),
            short_form=post.get("short_form", ""),
            adopted_on=_required(_day(post.get("adopted_on")), "adopted_on", _("Enter a date.")),
            note=post.get("note", ""),
            title=_("Village rules of %(place)s") % {"place": nb.name},
        )
    elif action == "stars":
        household = _household(actor, nb, post)
        services.review_stars(
            actor=actor,
            household=household,
            stars=post.get("stars"),
            reason=post.get("reason", ""),
            year=year,
        )
    elif action == "reward":
        services.set_star_reward(
            actor=actor,
            subdistrict=nb.subdistrict,
            year=year,
            stars=post.get("stars"),
            reward=post.get("reward", ""),
            amount=post.get("amount", ""),
        )
    elif action == "benefit":
        _add_benefit(request, nb)
    elif action == "redeem":
        services.redeem_benefit(
            actor=actor,
            volunteer=selectors.volunteer_for(actor, nb, parse_int(post.get("volunteer")) or 0),
            benefit=selectors.benefit_for(actor, nb.subdistrict, parse_int(post.get("benefit")) or 0),
            key=post.get("key", ""),
        )
    else:
        raise ValidationError(_("Unknown action."))


def _household(actor, nb, post) -> Household:
    """The household a star form names: by id (a row's form) or by building and room as typed."""
    households = scoped(actor, Household.objects.filter(neighborhood=nb))
    if post.get("household"):
        return get_object_or_404(households, pk=parse_int(post.get("household")) or 0)
    # The one household search (org.household_search): "5", "5号楼", "5-301" as people type them.
    found, hint = household_search.one_flat(households, post.get("building", ""), post.get("room", ""))
    if found is None:
        raise ValidationError({"room": hint})
    return found


def _add_benefit(request, nb) -> None:
    post = request.POST
    honourer = post.get("honourer", "")  # "company:3" or "partner:5"
    kind, _sep, raw = honourer.partition(":")
    company = partner = None
    if kind == "company":
        company = get_object_or_404(selectors.companies_visible_to(request.user), pk=parse_int(raw) or 0)
    elif kind == "partner":
        partner = get_object_or_404(
            PartnerUnit.objects.filter(subdistrict=nb.subdistrict), pk=parse_int(raw) or 0
        )
    services.add_benefit(
        actor=request.user,
        subdistrict=nb.subdistrict,
        name=post.get("name", ""),
        kind=post.get("kind", ""),
        cost_points=_required(
            parse_int(post.get("cost_points"), high=1_000_000), "cost_points", _("Enter whole points.")
        ),
        stock=_required(parse_int(post.get("stock"), high=1_000_000), "stock", _("Enter a whole number.")),
        company=company,
        partner_unit=partner,
        terms=post.get("terms", ""),
    )


@require_POST
@staff_page
def joint_meeting(request, pk: int):
    """Hold a meeting of a joint committee (a 联席会商 in deliberation)."""
    _reader(request.user)
    body = get_object_or_404(scoped(request.user, JointCommittee.objects.all()), pk=pk)
    try:
        link = services.hold_joint_meeting(
            actor=request.user,
            committee=body,
            title=request.POST.get("title", ""),
            held_at=_required(_moment(request.POST.get("held_at")), "held_at", _("Enter a date and time.")),
            place=request.POST.get("place", ""),
        )
    except ValidationError as exc:
        say(request, exc)
        return redirect("property:neighborhood", pk=body.neighborhood_id)
    messages.success(request, _("Meeting scheduled."))
    return redirect("deliberation:meeting", pk=link.meeting_id)


@staff_page
def manage(request, pk: int):
    """A compound's records: the company and its contract, the fee standard (a change names the
    owners' vote that adopted it) and a new owners' committee."""
    _reader(request.user)
    place = selectors.compound_for(request.user, pk)
    if request.method == "POST":
        try:
            _manage_action(request, place)
        except ValidationError as exc:
            say(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("property:manage", pk=place.pk)
    may_write = selectors.may_write_property(request.user, place)
    context = {
        "compound": place,
        "contracts": selectors.contracts_of(request.user, place),
        "fees": selectors.fees_of(request.user, place),
        "committees": selectors.committees_of(request.user, place),
        "may_write": may_write,
    }
    if may_write:  # the forms' choices, for those who may use them
        context["companies"] = selectors.companies_visible_to(request.user)
        context["votes"] = selectors.owners_votes_of(request.user, place)
        context["branches"] = PartyOrg.objects.filter(neighborhood=place.neighborhood).order_by("name")
    return render(request, "property/manage.html", context)


def _vote(request, place, field: str) -> Vote | None:
    pk = parse_int(request.POST.get(field))
    return get_object_or_404(selectors.owners_votes_of(request.user, place), pk=pk) if pk else None


def _manage_action(request, place) -> None:
    post, actor, action = request.POST, request.user, request.POST.get("action")
    if action == "company":
        services.create_company(
            actor=actor,
            subdistrict=place.neighborhood.subdistrict,
            name=post.get("name", ""),
            contact=post.get("contact", ""),
            has_party_branch=post.get("has_party_branch") == "on",
        )
    elif action == "edit_company":
        services.update_company(
            actor=actor,
            company=get_object_or_404(
                selectors.companies_visible_to(actor), pk=parse_int(post.get("company")) or 0
            ),
            name=post.get("name", ""),
            contact=post.get("contact", ""),
            has_party_branch=post.get("has_party_branch") == "on",
        )
    elif action == "contract":
        company = get_object_or_404(
            PropertyCompany.objects.filter(subdistrict=place.neighborhood.subdistrict),
            pk=parse_int(post.get("company")) or 0,
        )
        services.sign_contract(
            actor=actor,
            compound=place,
            company=company,
            service_scope=post.get("service_scope", ""),
            starts_on=_required(_day(post.get("starts_on")), "starts_on", _("Enter a date.")),
            ends_on=_required(_day(post.get("ends_on")), "ends_on", _("Enter a date.")),
        )
    elif action == "fee":
        services.set_fee(
            actor=actor,
            compound=place,
            rate=post.get("rate", ""),
            effective_from=_required(_day(post.get("effective_from")), "effective_from", _("Enter a date.")),
            decision=_vote(request, place, "decision"),
        )
    elif action == "committee":
        branch_pk = parse_int(post.get("branch"))
        services.form_committee(
            actor=actor,
            compound=place,
            term_starts=_required(_day(post.get("term_starts")), "term_starts", _("Enter a date.")),
            term_ends=_required(_day(post.get("term_ends")), "term_ends", _("Enter a date.")),
            election=_vote(request, place, "election"),
            branch=PartyOrg.objects.filter(neighborhood=place.neighborhood, pk=branch_pk).first()
            if branch_pk
            else None,
        )
    else:
        raise ValidationError(_("Unknown action."))


def committee_reports(request, body: OwnersCommittee) -> None:
    """The committee page's report actions: schedule the year's reports, or record one heard."""
    post = request.POST
    if post.get("action") == "reports":
        year = _required(parse_int(post.get("year"), low=2000, high=2100), "year", _("Enter a year."))
        services.schedule_reports(actor=request.user, committee=body, year=year)
    else:
        report = selectors.report_for(request.user, body, parse_int(post.get("report")) or 0)
        services.hear_report(actor=request.user, report=report, summary=post.get("summary", ""))
