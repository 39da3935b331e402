"""Data-subject rights (PIPL arts. 44-50): a resident downloads a copy of their data and asks for
a correction or deletion; the neighborhood secretary decides within 15 working days, with a
recorded reason for a refusal. Corrections go through org.services, so the registry's own rules
(phone format, audit) apply. Every step is audited."""

import io
import json
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts import selectors
from gongzhi.accounts.models import DataSubjectRequest, User
from gongzhi.core import audit, personal_data, pii
from gongzhi.core.errors import NotInScope
from gongzhi.core.separation import require_second_person

ANSWER_WORKING_DAYS = 15


def due_date(start) -> date:
    """15 working days on the subdistrict's holiday calendar (the one core.personal_data names)."""
    return personal_data.end_of_working_day(start, ANSWER_WORKING_DAYS).date()


def _area_of(user: User, resident):
    """Where the request is handled: the resident's neighborhood, else one an app knows the person
    by (concerns: that of their newest concern)."""
    if resident is not None and resident.household_id:
        return resident.household.neighborhood
    found = (part.home_area(user) for part in personal_data.parts() if part.home_area)
    return next((area for area in found if area is not None), None)


def may_file(user: User) -> bool:
    return (
        user.is_authenticated
        and user.kind == User.Kind.RESIDENT
        and (_area_of(user, selectors.resident_of(user)) is not None)
    )


def _clean(kind: str, field: str, new_value: str, reason: str, resident) -> tuple[str, str]:
    errors = {}
    if kind not in DataSubjectRequest.Kind.values:
        errors["kind"] = _("Choose correction or deletion.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why, so the residents' committee can decide.")
    elif len(reason) > 1000:
        errors["reason"] = _("At most 1000 characters.")
    new_value = (new_value or "").strip()
    if kind == DataSubjectRequest.Kind.CORRECTION:
        if resident is None:
            errors["field"] = _("There is no register entry to correct.")
        elif field not in DataSubjectRequest.CORRECTABLE:
            errors["field"] = _("Choose the item to correct.")
        elif not new_value:
            errors["new_value"] = _("Enter the correct value.")
        elif len(new_value) > 64:
            errors["new_value"] = _("At most 64 characters.")
    else:
        field, new_value = "", ""
    if errors:
        raise ValidationError(errors)
    return field, new_value


@transaction.atomic
def file_request(
    *, user: User, kind: str, reason: str, field: str = "", new_value: str = "", key: str = ""
) -> DataSubjectRequest:
    """The resident's request; the same form submitted twice (same `key`) files it once."""
    if user.kind != User.Kind.RESIDENT:
        raise PermissionDenied(_("Only residents file requests about their own data."))
    if key and (existing := DataSubjectRequest.objects.filter(idempotency_key=key, user=user).first()):
        return existing
    resident = selectors.resident_of(user)
    field, new_value = _clean(kind, field, new_value, reason, resident)
    neighborhood = _area_of(user, resident)
    if neighborhood is None:
        raise ValidationError({"kind": _("No residents' committee holds data about you to correct.")})
    now = timezone.now()
    request = DataSubjectRequest(
        user=user,
        resident=resident,
        subdistrict_id=neighborhood.subdistrict_id,
        neighborhood=neighborhood,
        kind=kind,
        field=field,
        new_value=new_value,
        reason=reason.strip(),
        created_at=now,
        due_on=due_date(now),
        idempotency_key=key or None,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # the same submission raced itself
        return DataSubjectRequest.objects.get(idempotency_key=key, user=user)
    audit.record("create", request, actor=user, summary=str(request), changes={"field": field})
    return request


@transaction.atomic
def decide(*, actor, request: DataSubjectRequest, approve: bool, reason: str = "") -> DataSubjectRequest:
    """Apply (correction through org.services.update_resident; deletion: the sign-in account and
    its contact data go, the register entry the committee must keep by law stays) or refuse with
    a recorded reason. Two staff deciding at once: the first wins, the second is told."""
    from gongzhi.core.permissions import WRITE, scoped

    locked = (
        scoped(actor, DataSubjectRequest.objects.select_for_update(), WRITE).filter(pk=request.pk).first()
    )
    if locked is None:
        raise NotInScope(_("No such request in your area."))
    # A staff member who is also a resident does not decide their own request.
    require_second_person(locked.user_id, actor, step=_("Deciding a data-subject request"))
    if locked.status != DataSubjectRequest.Status.PENDING:
        raise ValidationError({"status": _("This request was already decided.")})
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("A refusal needs a reason the resident will read.")})
    if approve:
        _apply(actor, locked)
    locked.status = DataSubjectRequest.Status.DONE if approve else DataSubjectRequest.Status.REFUSED
    locked.decided_at, locked.decided_by, locked.decision_reason = timezone.now(), actor, reason[:1000]
    locked.save()
    audit.record(
        "update",
        locked,
        actor=actor,
        summary=f"{locked}: {locked.get_status_display()}",
        reason=reason,
        changes={"status": ["pending", locked.status]},
    )
    _tell_the_resident(locked)
    return locked


def _tell_the_resident(request: DataSubjectRequest) -> None:
    """The outcome in the resident's inbox (and their contact channels), linked to their data
    page, which lists it too. A carried-out deletion has closed the account and erased its
    contact data: nothing is left to write to, and the resident was told at filing what follows."""
    from django.urls import reverse

    from gongzhi.notifications.services import notify_user

    if request.kind == DataSubjectRequest.Kind.DELETION and request.status == DataSubjectRequest.Status.DONE:
        return
    what = f"{request.get_kind_display()} · {request.concerns_label}"
    filed = timezone.localtime(request.created_at).strftime("%Y-%m-%d")
    if request.status == DataSubjectRequest.Status.DONE:
        body = _("Your request (%(what)s) filed on %(filed)s was carried out.") % {
            "what": what,
            "filed": filed,
        }
    else:
        body = _("Your request (%(what)s) filed on %(filed)s was refused. Reason: %(reason)s") % {
            "what": what,
            "filed": filed,
            "reason": request.decision_reason,
        }
    notify_user(
        request.user,
        key=f"subject-request:{request.pk}:decided",
        subject=_("Your data request: %(outcome)s") % {"outcome": request.get_status_display()},
        body=body,
        link=reverse("accounts:me"),
    )


def _apply(actor, request: DataSubjectRequest) -> None:
    from gongzhi.accounts.services import end_sessions
    from gongzhi.org import services as org_services

    if request.kind == DataSubjectRequest.Kind.CORRECTION:
        if request.resident is None:
            raise ValidationError({"field": _("The register entry no longer exists.")})
        value = request.new_value
        if request.field == "birth_date":
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise ValidationError({"new_value": _("Birth date must look like 1960-05-01.")}) from None
        if request.field == "gender":
            value = {"男": "M", "女": "F"}.get(value, value)
        org_services.update_resident(actor=actor, resident=request.resident, **{request.field: value})
        return
    user = User.objects.select_for_update().get(pk=request.user_id)
    resident = request.resident
    # Every account of the person, and every phone they used, found before anything is blanked.
    accounts = list(User.objects.select_for_update().filter(pk__in=linked_accounts(user, resident)))
    digests = phone_digests(accounts, resident)
    erased: dict[str, int] = {}
    for account in accounts:
        for key, count in _erase_contact_copies(account, resident).items():
            erased[key] = erased.get(key, 0) + count
    erased |= _erase_sign_in_traces(accounts, digests)
    if resident is not None:
        org_services.update_resident(actor=actor, resident=resident, phone="")
        type(resident).objects.filter(pk=request.resident_id).update(user=None)
    for account in accounts:
        account.is_active = False
        account.phone, account.phone_digest, account.display_name = "", "", ""
        account.first_name, account.last_name, account.email = "", "", ""
        account.save(
            update_fields=[
                "is_active",
                "phone",
                "phone_digest",
                "display_name",
                "first_name",
                "last_name",
                "email",
            ]
        )
        end_sessions(account)
    erased["accounts"] = len(accounts)
    audit.record(
        "delete",
        user,
        actor=actor,
        summary=f"{user.username}: {_('account and contact data deleted')}",
        changes=erased | {"account_ids": sorted(a.pk for a in accounts)},
    )


def linked_accounts(user: User, resident) -> set[int]:
    """The person's sign-in accounts: the one asking, the register entry's, any account signed in
    with one of their phones, and those the apps know of (a volunteer's own account)."""
    ids = {user.pk}
    if resident is not None and resident.user_id:
        ids.add(resident.user_id)
    phones = {p for p in (user.phone, getattr(resident, "phone", "")) if p}
    if phones:
        digests = [pii.blind_index("phone", p) for p in phones]
        ids |= set(User.objects.filter(phone_digest__in=digests).values_list("pk", flat=True))
    for part in personal_data.parts():
        if part.linked_accounts:
            ids |= part.linked_accounts(user, resident)
    return ids


def phone_digests(accounts: list[User], resident) -> set[str]:
    """Keyed fingerprints of every phone of the person (sign-in codes and counters keep them)."""
    phones = {a.phone for a in accounts if a.phone} | (
        {resident.phone} if resident is not None and resident.phone else set()
    )
    return {pii.blind_index("phone", p) for p in phones} | {
        a.phone_digest for a in accounts if a.phone_digest
    }


def _erase_sign_in_traces(accounts: list[User], digests: set[str]) -> dict[str, int]:
    """SMS sign-in codes, the messages that carried them, send and lockout counters keyed by the
    phone, API tokens and second factors of the accounts: none outlives the deletion."""
    from gongzhi.accounts.models import LoginThrottle, PhoneCode, RecoveryCode, TotpDevice
    from gongzhi.core.models import ApiToken
    from gongzhi.notifications.models import Message

    codes = PhoneCode.objects.filter(phone_digest__in=digests)
    code_messages = Message.objects.filter(key__in=[f"otp:{pk}" for pk in codes.values_list("pk", flat=True)])
    counters = LoginThrottle.objects.none()
    for digest in digests:
        counters |= LoginThrottle.objects.filter(key__contains=digest[:32])
    ids = [a.pk for a in accounts]
    return {
        "sign_in_code_messages": code_messages.delete()[0],
        "sign_in_codes": codes.delete()[0],
        "phone_counters": counters.delete()[0],
        "message_addresses": Message.objects.filter(user_id__in=ids).exclude(address="").update(address=""),
        "api_tokens": ApiToken.objects.filter(user_id__in=ids).delete()[0],
        "second_factors": TotpDevice.objects.filter(user_id__in=ids).delete()[0]
        + RecoveryCode.objects.filter(user_id__in=ids).delete()[0],
    }


def _erase_contact_copies(user: User, resident) -> dict[str, int]:
    """The phone the person gave elsewhere: as a volunteer, as a concern's reporter, on a survey
    list. The records stay (hours, concerns and answers feed the statistics), the contact goes."""
    erased: dict[str, int] = {}
    for part in personal_data.parts():
        if part.erase_contacts:
            erased |= part.erase_contacts(user, resident)
    return erased


# ---- The copy a resident downloads (PIPL art. 45) -------------------------------------------------
def export_copy(*, user: User, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of everything `holdings_of` shows; audited."""
    sections = selectors.holdings_of(user)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        body = {
            "generated_at": timezone.localtime().isoformat(),
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "rows": [dict(zip(s.columns, r, strict=False)) for r in s.rows],
                }
                for s in sections
            ],
        }
        content = json.dumps(body, ensure_ascii=False, indent=2).encode()
        result = (content, "application/json", f"my-data-{stamp}.json")
    elif fmt == "xlsx":
        result = (_xlsx(sections), XLSX, f"my-data-{stamp}.xlsx")
    else:
        raise ValidationError({"format": _("Choose JSON or Excel.")})
    audit.record("export", user, actor=user, summary=f"{user.username}: {_('own data')} ({fmt})")
    return result


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(sections) -> bytes:
    from gongzhi.core.sheets import Workbook

    book = Workbook()
    book.remove(book.active)
    for s in sections:
        sheet = book.create_sheet(s.title[:31])
        sheet.append(s.columns)
        for row in s.rows:
            # A leading "=" would make the cell a formula: keep every value text.
            sheet.append([("'" + v) if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
