"""accounts' share of a person's data (core.personal_data): the account, the register entry and
household, care tags, and the person's own data-subject requests."""

from gongzhi.accounts import selectors
from gongzhi.core.personal_data import Part, register


def _if_registered(section):
    """A section about the register entry, shown only to a person who has one."""
    return lambda user, resident: section(resident) if resident is not None else None


register(Part("account", 10, selectors.account_section))
register(Part("household", 20, _if_registered(selectors.household_section)))
register(Part("tags", 30, _if_registered(selectors.tags_section)))
register(Part("requests", 110, lambda user, resident: selectors.requests_section(user)))


def _digests(user, resident) -> set[str]:
    from gongzhi.accounts.rights import phone_digests

    return phone_digests([user], resident)


def _accounts(user, resident) -> set[int]:
    from gongzhi.accounts.rights import linked_accounts

    return linked_accounts(user, resident)


def _still_signing_in(user, resident):
    from django.db.models import Q

    from gongzhi.accounts.models import User

    live = Q(is_active=True) | ~Q(phone_digest="") | ~Q(display_name="") | ~Q(email="")
    return User.objects.filter(pk__in=_accounts(user, resident)).filter(live)


def _counters(user, resident):
    from gongzhi.accounts.models import LoginThrottle

    rows = LoginThrottle.objects.none()
    for digest in _digests(user, resident):
        rows |= LoginThrottle.objects.filter(key__contains=digest[:32])
    return rows


def _holdings():
    from gongzhi.accounts.models import PhoneCode, RecoveryCode, TotpDevice
    from gongzhi.core.models import ApiToken
    from gongzhi.core.personal_data import Holding, hold

    by_account = lambda model: lambda u, r: model.objects.filter(user_id__in=_accounts(u, r))  # noqa: E731
    hold(
        Holding(
            "accounts.User",
            ("phone", "phone_digest", "display_name", "first_name", "last_name", "email"),
            _still_signing_in,
        ),
        Holding(
            "accounts.PhoneCode",
            ("phone_digest",),
            lambda u, r: PhoneCode.objects.filter(phone_digest__in=_digests(u, r)),
        ),
        Holding("accounts.LoginThrottle", ("key",), _counters),
        Holding("accounts.TotpDevice", ("secret",), by_account(TotpDevice)),
        Holding("accounts.RecoveryCode", ("user",), by_account(RecoveryCode)),
        Holding("core.ApiToken", ("user", "name"), by_account(ApiToken)),
        Holding(
            "accounts.DataSubjectRequest",
            ("user", "resident", "new_value"),
            kept="the decided request is the proof of the answer (kept 3 years, core/retention.py); "
            "it names the disabled account, no contact data",
        ),
    )


_holdings()
