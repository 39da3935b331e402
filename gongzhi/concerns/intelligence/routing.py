"""Default category -> handling department table; the platform's routing rules override it."""

import csv
from dataclasses import dataclass
from functools import cache

from .segmentation import DATA_DIR


@dataclass(frozen=True)
class Department:
    category: str
    department: str  # the city/district 职能部门 that usually handles it
    subdistrict_office: str  # the subdistrict's own office that follows it up


@cache
def default_departments() -> dict[str, Department]:
    with (DATA_DIR / "departments.csv").open(encoding="utf-8", newline="") as fh:
        return {row["category"]: Department(**row) for row in csv.DictReader(fh)}


def department_for(category: str) -> Department | None:
    return default_departments().get(category)
