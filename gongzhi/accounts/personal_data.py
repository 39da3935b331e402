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
