"""The role table now lives in `gongzhi.core.roles` (the permission layer's data, below every app).

This re-export keeps the existing `from gongzhi.org.roles import ROLES` lines working until they
are rewritten to import `gongzhi.core.roles`.
"""

from gongzhi.core.roles import (  # noqa: F401
    ALL_DATA,
    AREA_ROLES,
    CONCERN,
    DUTY_ROLES,
    PEOPLE,
    POST_LEVELS,
    ROLES,
    UNIT_ANCESTORS,
    Role,
    role_choices,
)
