"""Households, residents, sensitive tags and party members of the demo town. Synthetic people only.

Families are drawn per compound era: the 1950s lanes hold many elderly couples and people living
alone in 30–60 m² flats, the towers younger families in 80–140 m², the villages an owner family
per house with rooms let to newcomers. ID numbers follow GB 11643 (Baoshan area code 310113, the
birth date, a sequence whose parity is the gender, a valid check digit) and are unique by
construction; phone numbers are unique through a bijection of the resident's index.

A million households make about 2.6 million residents, so residents are drawn as numpy columns
(one seeded `numpy.random.Generator` per stage) and turned into records at the end; only the
households walk their buildings one by one.
"""

from __future__ import annotations

import json
import zlib
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import numpy as np

from gongzhi.core.pii import ID_CHECK, ID_WEIGHTS
from gongzhi.org.demo import catalog
from gongzhi.org.demo.records import HouseholdRecord, PartyMemberRecord, ResidentRecord, TagRecord, Town

TABLES = Path(__file__).with_name("tables")
REFERENCE_DAY = date(2026, 1, 1)  # ages are counted to this day, so the town never drifts
AREA_CODE = "310113"  # 上海市宝山区
_PER_DAY = 500  # sequence numbers per birth day and gender (3 digits, parity = gender)
_PHONE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 177 180 181 "
    "182 183 185 186 187 188 189 191 199"
).split()
_KINDS = ("old", "new", "village", "tenant")
# Household sizes 1–5 by kind of household (shares in %).
_SIZES = {"old": (26, 38, 20, 10, 6), "new": (12, 30, 33, 17, 8), "village": (10, 25, 30, 20, 15)}
_SIZES["tenant"] = (35, 35, 20, 8, 2)
# Head of household's age: (low, mode, high).
_HEAD_AGE = {"old": (40, 70, 94), "new": (26, 42, 78), "village": (38, 60, 88), "tenant": (19, 30, 58)}
_RENTED = {"old": 0.30, "new": 0.18}
_REGISTERED = {"old": 0.9, "new": 0.7, "village": 0.95, "tenant": 0.0}
_NOTES = {
    "elderly_alone": ("独居，子女在外区", "独居，需每周探访", "独居，行动不便"),
    "hardship": ("低保家庭", "低收入困难家庭", "支出型贫困家庭"),
    "disability": ("肢体残疾三级", "视力残疾二级", "听力残疾四级", "智力残疾三级"),
    "health": ("高血压，需定期随访", "糖尿病", "慢阻肺", "认知障碍早期"),
}
_WORKPLACES = (
    "宝山区某中学",
    "杨行科创园企业",
    "宝武集团",
    "宝山区某街道办事处",
    "区属国企",
    "上海某科技公司",
)


@cache
def name_parts() -> dict:
    return json.loads((TABLES / "name_parts.json").read_text(encoding="utf-8"))


def stream(seed: int, stage: str) -> np.random.Generator:
    """A numpy generator per (seed, stage): stages draw independently of one another."""
    return np.random.default_rng([seed, zlib.crc32(stage.encode())])


def person_name(rng, male: bool) -> str:
    """One synthetic name from a `random.Random` (for the few staff and contacts)."""
    pairs = name_parts()["surnames"]
    surname = rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]
    chars = name_parts()["given_male" if male else "given_female"]
    return surname + (rng.choice(chars) if rng.random() < 0.3 else rng.choice(chars) + rng.choice(chars))


def check_digit_sums(texts: list[str], weights: tuple[int, ...]) -> np.ndarray:
    return np.array([sum(int(d) * w for d, w in zip(t, weights, strict=True)) for t in texts], dtype=np.int64)


def id_numbers(
    birth: np.ndarray, male: np.ndarray, area_code: str = AREA_CODE
) -> tuple[np.ndarray, list[str]]:
    """Unique GB 11643 numbers for birth-day ordinals and genders: per day and gender a running
    sequence (odd for men); a day whose 500 numbers are used up passes the rest to the next day.
    Returns the (possibly moved) birth ordinals and the numbers."""
    birth = birth.copy()
    while True:
        rank = _rank_within(birth * 2 + male)
        full = rank >= _PER_DAY
        if not full.any():
            break
        birth[full] += 1
    seq = rank * 2 + male
    days, day_index = np.unique(birth, return_inverse=True)
    texts = [date.fromordinal(int(d)).strftime("%Y%m%d") for d in days]
    area = sum(int(d) * w for d, w in zip(area_code, ID_WEIGHTS, strict=False))
    seq_sum = check_digit_sums([f"{n:03d}" for n in range(1000)], ID_WEIGHTS[14:])
    total = area + check_digit_sums(texts, ID_WEIGHTS[6:14])[day_index] + seq_sum[seq]
    checks = total % 11
    numbers = [
        f"{area_code}{texts[d]}{s:03d}{ID_CHECK[c]}"
        for d, s, c in zip(day_index.tolist(), seq.tolist(), checks.tolist(), strict=True)
    ]
    return birth, numbers


def _rank_within(keys: np.ndarray) -> np.ndarray:
    """For each element, how many equal keys come before it (stable)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))
    rank = np.empty_like(keys)
    rank[order] = np.arange(len(keys)) - first
    return rank


def phone_numbers(index: np.ndarray, prefix: np.ndarray, offset: int) -> list[str]:
    """A distinct number per index: 48271 is a unit modulo 10^8, so the map is a bijection."""
    tails = ((index * 48271 + offset) % 100_000_000).tolist()
    return [f"{_PHONE_PREFIXES[p]}{t:08d}" for p, t in zip(prefix.tolist(), tails, strict=True)]


def populate(town: Town) -> None:
    era, rented = _households(town)
    people = _Families(town.seed, era, rented)
    _residents(town, people)
    _tags(town, people)
    _party_members(town, people)


def _households(town: Town) -> tuple[np.ndarray, np.ndarray]:
    """Households building by building; returns each household's kind and whether it is let."""
    rng = stream(town.seed, "households")
    eras = {c.key: c.era for c in town.compounds}
    stairwells: dict[int, list[int]] = {}
    for s in town.stairwells:
        stairwells.setdefault(s.building_key, []).append(s.key)
    rows: list[tuple[int, int | None, str, str]] = []  # building, stairwell, room, era
    for b in town.buildings:
        era = eras[b.compound_key]
        if era == "village":
            rows.extend(
                (b.key, None, f"{i % b.floors + 1}{i // b.floors + 1:02d}", era) for i in range(b.households)
            )
            continue
        own = stairwells[b.key]
        per_floor = b.households // (len(own) * b.floors)
        for s, stairwell in enumerate(own):
            for floor in range(1, b.floors + 1):
                rows.extend(
                    (b.key, stairwell, f"{floor}{s * per_floor + j + 1:02d}", era) for j in range(per_floor)
                )
    era = np.array([_KINDS.index(r[3]) for r in rows], dtype=np.int8)
    first_in_house = np.r_[True, np.array([r[0] for r in rows[1:]]) != np.array([r[0] for r in rows[:-1]])]
    draw = rng.random(len(rows))
    rented = np.where(
        era == 2, ~first_in_house, draw < np.choose(np.minimum(era, 1), [_RENTED["old"], _RENTED["new"]])
    )
    areas = _floor_areas(rng, era, rented)
    town.households = [
        HouseholdRecord(i + 1, b, s, room, Decimal(a))
        for i, ((b, s, room, _e), a) in enumerate(zip(rows, areas, strict=True))
    ]
    return era, rented


def _floor_areas(rng: np.random.Generator, era: np.ndarray, rented: np.ndarray) -> list[str]:
    old = np.clip(rng.lognormal(3.69, 0.22, len(era)), 18, 75)  # about 40 m²
    new = np.clip(rng.lognormal(4.52, 0.25, len(era)), 45, 220)  # about 92 m²
    house = rng.lognormal(4.78, 0.2, len(era))  # about 120 m², the owner's part of a house
    room = rng.uniform(14, 36, len(era))  # one let room
    area = np.select([era == 0, era == 1, rented], [old, new, room], house)
    return [f"{a:.2f}" for a in area.tolist()]


class _Families:
    """Residents as columns, members of a household contiguous: head, spouse, children, an elder
    parent; a let flat adds its owner, who lives elsewhere but votes in owners' decisions."""

    def __init__(self, seed: int, era: np.ndarray, rented: np.ndarray) -> None:
        rng = stream(seed, "residents")
        n = len(era)
        kinds = np.where(rented, _KINDS.index("tenant"), era)
        size = np.empty(n, dtype=np.int64)
        for k, kind in enumerate(_KINDS):
            mask = kinds == k
            p = np.array(_SIZES[kind], dtype=float) / sum(_SIZES[kind])
            size[mask] = rng.choice(np.arange(1, 6), size=int(mask.sum()), p=p)
        # A let village room's owner is the family on the ground floor, already counted.
        absent_owner = rented & (era != _KINDS.index("village"))
        total = size + absent_owner
        self.household = np.repeat(np.arange(n), total)
        starts = np.repeat(np.cumsum(total) - total, total)
        self.pos = np.arange(len(self.household)) - starts
        self.size = size[self.household]
        self.kind = kinds[self.household]
        self.rented = rented[self.household]
        self.is_absent_owner = self.pos >= self.size
        self.rng = rng
        self._draw_ages_and_genders(n)
        self._draw_flags(n)

    def _draw_ages_and_genders(self, n: int) -> None:
        rng, pos, hh = self.rng, self.pos, self.household
        low, mode, high = (np.array([_HEAD_AGE[k][i] for k in _KINDS]) for i in range(3))
        kinds = self.kind
        head_age = np.rint(rng.triangular(low[kinds], mode[kinds], high[kinds])).astype(np.int64)
        head_age = head_age[np.r_[0, np.flatnonzero(np.diff(hh)) + 1]][hh]  # the head's, per member
        head_male = (rng.random(n) < 0.6)[hh]
        spouse = np.maximum(20, head_age + rng.integers(-5, 6, len(hh)))
        child = np.maximum(0, head_age - rng.integers(24, 35, len(hh)))
        parent = head_age + rng.integers(26, 33, len(hh))
        grandchild = np.maximum(0, head_age - rng.integers(50, 62, len(hh)))
        elder_parent = (pos == 3) & (head_age < 50) & (parent <= 95)
        age = np.select(
            [pos == 0, pos == 1, elder_parent, pos == 4], [head_age, spouse, parent, grandchild], child
        )
        owner_age = np.rint(rng.triangular(35, 55, 80, len(hh))).astype(np.int64)
        self.age = np.where(self.is_absent_owner, owner_age, age)
        random_male = rng.random(len(hh)) < 0.5
        self.male = np.select([pos == 0, pos == 1], [head_male, ~head_male], random_male)
        self.male = np.where(self.is_absent_owner, rng.random(len(hh)) < 0.55, self.male)
        self.birth = (
            REFERENCE_DAY.toordinal() - (self.age * 365.25).astype(np.int64) - rng.integers(0, 365, len(hh))
        )
        # Children and grandchildren carry the surname of the man among the first two members.
        self.takes_father_name = (
            (pos == 2) | (pos == 4) | ((pos == 3) & ~elder_parent)
        ) & ~self.is_absent_owner
        self.father_pos = np.where(head_male | (self.size < 2), 0, 1)

    def _draw_flags(self, n: int) -> None:
        rng = self.rng
        absent, rented, pos = self.is_absent_owner, self.rented, self.pos
        registered = rng.random(n) < np.array([_REGISTERED[k] for k in _KINDS])[self.kind[self._heads()]]
        self.is_owner = absent | (~rented & (pos <= 1))
        self.is_tenant = rented & ~absent
        self.is_registered = registered[self.household] & ~rented & ~absent
        self.lives_here = ~absent
        self.has_phone = (self.age >= 14) & (rng.random(len(pos)) < np.where(self.age >= 80, 0.6, 0.95))

    def _heads(self) -> np.ndarray:
        return np.flatnonzero(self.pos == 0)


def _residents(town: Town, f: _Families) -> None:
    rng = stream(town.seed, "names")
    n = len(f.pos)
    names = _names(rng, f)
    birth, numbers = id_numbers(f.birth, f.male.astype(np.int64), town.id_area)
    days = {int(d): date.fromordinal(int(d)) for d in np.unique(birth)}
    prefixes = rng.integers(0, len(_PHONE_PREFIXES), n)
    phones = phone_numbers(np.arange(1, n + 1), prefixes, int(rng.integers(100_000_000)))
    phones = [p if has else "" for p, has in zip(phones, f.has_phone.tolist(), strict=True)]
    town.residents = list(
        map(
            ResidentRecord._make,
            zip(
                range(1, n + 1),
                (f.household + 1).tolist(),
                names,
                np.where(f.male, "M", "F").tolist(),
                [days[d] for d in birth.tolist()],
                numbers,
                phones,
                f.is_owner.tolist(),
                f.is_tenant.tolist(),
                f.is_registered.tolist(),
                f.lives_here.tolist(),
                strict=True,
            ),
        )
    )


def _names(rng: np.random.Generator, f: _Families) -> list[str]:
    parts = name_parts()
    surnames = [p[0] for p in parts["surnames"]]
    weights = np.array([p[1] for p in parts["surnames"]], dtype=float)
    n = len(f.pos)
    own = rng.choice(len(surnames), size=n, p=weights / weights.sum())
    household_start = np.arange(n) - f.pos
    father = household_start + f.father_pos
    surname = np.where(f.takes_father_name, own[father], own)
    male_chars, female_chars = parts["given_male"], parts["given_female"]
    a = rng.random(n)
    b = rng.random(n)
    two = rng.random(n) >= 0.3
    out = []
    for s, m, x, y, t in zip(
        surname.tolist(), f.male.tolist(), a.tolist(), b.tolist(), two.tolist(), strict=True
    ):
        chars = male_chars if m else female_chars
        given = chars[int(x * len(chars))] + (chars[int(y * len(chars))] if t else "")
        out.append(surnames[s] + given)
    return out


def _tags(town: Town, f: _Families) -> None:
    rng = stream(town.seed, "tags")
    n = len(f.pos)
    head = f.pos == 0
    r = rng.random((4, n))
    notes = rng.integers(0, 12, (4, n))
    rules = {
        "elderly_alone": head & (f.size == 1) & ~f.rented & (f.age >= 70),
        "hardship": head & ~f.rented & (r[0] < 0.015),
        "disability": f.lives_here & (r[1] < 0.012),
        "health": f.lives_here & (f.age >= 60) & (r[2] < 0.06),
    }
    tags = []
    for i, (tag, mask) in enumerate(rules.items()):
        choices = _NOTES[tag]
        for k in np.flatnonzero(mask).tolist():
            tags.append(TagRecord(k + 1, tag, choices[int(notes[i, k]) % len(choices)]))
    tags.sort(key=lambda t: t.resident_key)
    town.tags = tags


def _party_members(town: Town, f: _Families) -> None:
    """About 4 % of adults: in the party group of their stairwell, else the grid branch of their
    micro-grid; in-service members (在职党员) also register where they live (双报到)."""
    rng = stream(town.seed, "party members")
    n = len(f.pos)
    chance = np.where(f.age >= 60, 0.06, 0.028)
    enrolled = np.flatnonzero((f.age >= 18) & f.lives_here & (rng.random(n) < chance))
    groups = {o.stairwell_key: o.key for o in town.party_orgs if o.level == "group"}
    branches = {o.grid_key: o.key for o in town.party_orgs if o.branch_kind == "grid"}
    communities = {o.neighborhood_key: o.key for o in town.party_orgs if o.level == "community"}
    workplaces = [name for name, _kind in catalog.PARTNER_UNITS] + list(_WORKPLACES)
    r = rng.random((4, len(enrolled)))
    months = rng.integers(1, 13, (2, len(enrolled)))
    for j, k in enumerate(enrolled.tolist()):
        resident = town.residents[k]
        household = town.households[resident.household_key - 1]
        building = town.buildings[household.building_key - 1]
        org = groups.get(household.stairwell_key) or branches.get(building.grid_key)
        age = int(f.age[k])
        probationary = r[0, j] < 0.05
        in_service = 22 <= age < 60 and r[1, j] < 0.5
        joined_age = 18 + int(r[2, j] * max(1, min(age - 18, 27)))
        joined = (
            date(2025, int(months[0, j]), 1)
            if probationary
            else date(min(resident.birth_date.year + joined_age, 2024), int(months[0, j]), 1)
        )
        town.party_members.append(
            PartyMemberRecord(
                len(town.party_members) + 1,
                org or communities[building.neighborhood_key],
                resident.key,
                resident.name,
                "probationary" if probationary else "full",
                joined,
                in_service,
                workplaces[int(r[3, j] * len(workplaces))] if in_service else "",
                building.neighborhood_key if in_service else None,
                date(2019 + int(r[3, j] * 7), int(months[1, j]), 1) if in_service else None,
            )
        )
