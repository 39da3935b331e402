"""One page window for list endpoints: any integers in, a slice the database accepts out."""

from typing import Annotated

from pydantic import Field

# Far beyond any real table, well inside a 64-bit integer: huge offsets give an empty page
# instead of an overflow in the database driver.
MAX_OFFSET = 10**9


def window(offset: int, limit: int, *, max_limit: int = 500) -> slice:
    start = min(max(offset, 0), MAX_OFFSET)
    return slice(start, start + min(max(limit, 1), max_limit))


def is_storable_id(value: int) -> bool:
    """Whether an id from a query string fits a database key; a larger one matches nothing
    (SQLite's driver raises OverflowError on it instead)."""
    return 0 < value < 2**63


# For API parameters that name a row: out-of-range values get a 422 naming the parameter.
DbId = Annotated[int, Field(ge=1, lt=2**63)]
