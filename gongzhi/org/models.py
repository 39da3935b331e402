"""Places, people, party organisations and the roles people hold on them.

Every record that lives inside an area declares `scope_paths`: for each kind of org unit a role
can sit on, the lookup that reaches that unit's id. The one scope function (core.permissions)
turns a user's role assignments into a filter with them, so no view decides visibility itself.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.core.fields import EncryptedTextField
from gongzhi.core.roles import ROLES


class District(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    code = models.CharField(_("code"), max_length=12, blank=True)

    scope_paths = {"subdistrict": "subdistricts__id"}
    scope_distinct = True  # the path crosses a one-to-many relation
    visible_from_below = True
    data_class = "place"

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Subdistrict(models.Model):
    class Kind(models.TextChoices):
        STREET = "street", _("street (街道)")
        TOWN = "town", _("town (镇)")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="subdistricts")
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.TOWN)
    code = models.CharField(_("code"), max_length=16, unique=True)

    scope_paths = {"subdistrict": "id"}
    visible_from_below = True
    data_class = "place"

    class Meta:
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")

    def __str__(self) -> str:
        return self.name


class Block(models.Model):
    """街区: neighborhoods with shops, offices and parks under a block chief (街长)."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="blocks")
    name = models.CharField(_("name"), max_length=64)
    block_chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("block chief"),
    )

    scope_paths = {"subdistrict": "subdistrict_id", "block": "id"}
    visible_from_below = True
    data_class = "place"

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [models.UniqueConstraint(fields=["subdistrict", "name"], name="block_unique_name")]

    def __str__(self) -> str:
        return self.name


class Neighborhood(models.Model):
    """居民区 / 村: the area of one residents' (or village) committee."""

    class Kind(models.TextChoices):
        URBAN = "urban", _("urban (居民区)")
        VILLAGE = "village", _("village (村)")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="neighborhoods")
    block = models.ForeignKey(
        Block,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="neighborhoods",
        verbose_name=_("block"),
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.URBAN)
    code = models.CharField(_("code"), max_length=24, unique=True)
    address = models.CharField(_("committee address"), max_length=255, blank=True)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "id"}
    visible_from_below = True
    data_class = "place"

    class Meta:
        verbose_name = _("neighborhood")
        verbose_name_plural = _("neighborhoods")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Compound(models.Model):
    """小区: a gated estate; one neighborhood holds one or several."""

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="compounds")
    name = models.CharField(_("name"), max_length=64)
    address = models.CharField(_("address"), max_length=255, blank=True)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)

    scope_paths = {
        "subdistrict": "neighborhood__subdistrict_id",
        "neighborhood": "neighborhood_id",
        "compound": "id",
    }
    visible_from_below = True
    data_class = "place"

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        constraints = [models.UniqueConstraint(fields=["neighborhood", "name"], name="compound_unique_name")]

    def __str__(self) -> str:
        return self.name


def _building_in_grid(grid_id: int | None) -> Q:
    """Buildings of the grid, and split buildings with a stairwell in it (a subquery: no duplicate
    rows, no DISTINCT on every building list)."""
    return Q(micro_grid_id=grid_id) | Q(
        pk__in=Stairwell.objects.filter(micro_grid_id=grid_id).values("building_id")
    )


class Building(models.Model):
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="buildings")
    # Denormalised from the compound so that area filters need no join.
    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="buildings")
    micro_grid = models.ForeignKey(
        "grids.MicroGrid",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buildings",
        verbose_name=_("micro-grid"),
    )
    number = models.CharField(_("building number"), max_length=32)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    footprint = models.JSONField(_("footprint (GeoJSON polygon)"), null=True, blank=True)

    scope_paths = {
        "subdistrict": "neighborhood__subdistrict_id",
        "neighborhood": "neighborhood_id",
        # A building split by stairwell belongs to the grid holding most of its households and is
        # seen by every grid holding one of its stairwells (their households only: Household).
        "micro_grid": _building_in_grid,
        "compound": "compound_id",
        "building": "id",
    }
    visible_from_below = True
    data_class = "place"

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [models.UniqueConstraint(fields=["compound", "number"], name="building_unique_number")]

    def __str__(self) -> str:
        return f"{self.compound.name} {self.number}"


class Stairwell(models.Model):
    """楼组 / 楼道: the "nerve ending" unit of self-governance inside a building."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="stairwells")
    name = models.CharField(_("name"), max_length=32)
    # The stairwell's own grid: its building's, unless the building is split between grids by
    # stairwell (grids adoption). Kept set whenever the building has a grid: every scope of a
    # stairwell, and of what hangs on it, follows this field, not the building's.
    micro_grid = models.ForeignKey(
        "grids.MicroGrid", on_delete=models.SET_NULL, null=True, blank=True, related_name="stairwells"
    )

    scope_paths = {
        "subdistrict": "building__neighborhood__subdistrict_id",
        "neighborhood": "building__neighborhood_id",
        "micro_grid": "micro_grid_id",
        "compound": "building__compound_id",
        "building": "building_id",
        "stairwell": "id",
    }
    data_class = "place"

    class Meta:
        verbose_name = _("stairwell")
        verbose_name_plural = _("stairwells")
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="stairwell_unique_name")]

    def __str__(self) -> str:
        return f"{self.building} {self.name}"


class Household(models.Model):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households")
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.SET_NULL, null=True, blank=True, related_name="households"
    )
    # Denormalised: every list in the platform filters households by area.
    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="households")
    micro_grid = models.ForeignKey(
        "grids.MicroGrid", on_delete=models.SET_NULL, null=True, blank=True, related_name="households"
    )
    room = models.CharField(_("room"), max_length=16)
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = {
        "subdistrict": "neighborhood__subdistrict_id",
        "neighborhood": "neighborhood_id",
        "micro_grid": "micro_grid_id",
        "compound": "building__compound_id",
        "building": "building_id",
        "stairwell": "stairwell_id",
    }
    data_class = "household"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [models.UniqueConstraint(fields=["building", "room"], name="household_unique_room")]

    def __str__(self) -> str:
        return f"{self.building} {self.room}"


class Resident(models.Model):
    """A person. Their ID number and phone are encrypted at rest and found by keyed hash."""

    class Gender(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="residents"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="resident"
    )
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    is_owner = models.BooleanField(_("owner (业主)"), default=False)
    is_tenant = models.BooleanField(_("tenant"), default=False)
    is_registered = models.BooleanField(_("registered (户籍)"), default=False)
    lives_here = models.BooleanField(_("living here (实有人口)"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_paths = {
        "subdistrict": "household__neighborhood__subdistrict_id",
        "neighborhood": "household__neighborhood_id",
        "micro_grid": "household__micro_grid_id",
        "compound": "household__building__compound_id",
        "building": "household__building_id",
        "stairwell": "household__stairwell_id",
    }
    data_class = "resident"

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~models.Q(id_number_digest=""),
                name="resident_unique_id_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, value: str) -> None:
        self.id_number = pii.validate_id_number(value) if value else ""
        self.id_number_digest = pii.blind_index("id", self.id_number)

    def set_phone(self, value: str) -> None:
        self.phone = pii.validate_phone(value) if value else ""
        self.phone_digest = pii.blind_index("phone", self.phone)

    @property
    def id_number_masked(self) -> str:
        return pii.mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return pii.mask_phone(self.phone)


class SensitiveTag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("elderly living alone")
    HARDSHIP = "hardship", _("hardship family")
    DISABILITY = "disability", _("disability")
    HEALTH = "health", _("health condition")


class ResidentTag(models.Model):
    """A sensitive fact about a resident, shown only to roles that need it (see core.roles)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("tag"), max_length=24, choices=SensitiveTag.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)

    scope_paths = {k: "resident__" + v for k, v in Resident.scope_paths.items()}
    data_class = "sensitive"

    class Meta:
        verbose_name = _("sensitive tag")
        verbose_name_plural = _("sensitive tags")
        constraints = [models.UniqueConstraint(fields=["resident", "tag"], name="resident_tag_unique")]

    def __str__(self) -> str:
        return self.get_tag_display()


class PartyOrg(models.Model):
    """One node of the party tree: committee → community committee → branch → group."""

    class Level(models.TextChoices):
        COMMITTEE = "committee", _("subdistrict party committee (党委/党工委)")
        COMMUNITY = "community", _("community party committee (社区党委/党总支)")
        BRANCH = "branch", _("party branch (党支部)")
        GROUP = "group", _("party group (党小组)")

    class BranchKind(models.TextChoices):
        REGULAR = "regular", _("regular branch")
        GRID = "grid", _("grid branch (网格支部)")
        OUTPOST = "outpost", _("outpost branch (前哨支部)")
        TEMPORARY = "temporary", _("temporary branch (临时党支部)")

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=96)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    branch_kind = models.CharField(_("branch kind"), max_length=12, choices=BranchKind.choices, blank=True)
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="party_orgs")
    # The place the organisation covers, as deep as it goes.
    neighborhood = models.ForeignKey(
        Neighborhood, on_delete=models.PROTECT, null=True, blank=True, related_name="party_orgs"
    )
    micro_grid = models.ForeignKey(
        "grids.MicroGrid", on_delete=models.SET_NULL, null=True, blank=True, related_name="party_orgs"
    )
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.SET_NULL, null=True, blank=True, related_name="party_groups"
    )

    scope_paths = {
        "subdistrict": "subdistrict_id",
        "neighborhood": "neighborhood_id",
        "micro_grid": "micro_grid_id",
        "stairwell": "stairwell_id",
    }
    data_class = "party"

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")

    def __str__(self) -> str:
        return self.name


class PartyMember(models.Model):
    class Status(models.TextChoices):
        FULL = "full", _("full member")
        PROBATIONARY = "probationary", _("probationary member")

    party_org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="members")
    resident = models.OneToOneField(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="party_member"
    )
    name = models.CharField(_("name"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.FULL)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    in_service = models.BooleanField(_("in-service member (在职党员)"), default=False)
    workplace = models.CharField(_("workplace"), max_length=128, blank=True)
    # 双报到: an in-service member also registers with the community where they live.
    dual_registration = models.ForeignKey(
        Neighborhood,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dual_registered_members",
        verbose_name=_("dual registration (双报到) neighborhood"),
    )
    dual_registered_on = models.DateField(_("dual registration date"), null=True, blank=True)

    scope_paths = {k: "party_org__" + v for k, v in PartyOrg.scope_paths.items()}
    data_class = "party"

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")

    def __str__(self) -> str:
        return self.name


class PartnerUnit(models.Model):
    """共建单位: a district body, enterprise, university or hospital pledging resources."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("government body")
        ENTERPRISE = "enterprise", _("enterprise")
        UNIVERSITY = "university", _("university")
        HOSPITAL = "hospital", _("hospital")
        SOCIAL = "social", _("social organisation")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="partner_units")
    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)

    scope_paths = {
        "subdistrict": "subdistrict_id",
        "partner_unit": "id",
        "neighborhood": "pledges__neighborhood_id",
    }
    scope_distinct = True  # a unit pledged twice to one neighborhood appears once
    data_class = "partner"

    class Meta:
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="partner_unit_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PartnerPledge(models.Model):
    """What a partner unit offers to one neighborhood or micro-grid (共建项目)."""

    partner_unit = models.ForeignKey(PartnerUnit, on_delete=models.CASCADE, related_name="pledges")
    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.CASCADE, related_name="pledges")
    micro_grid = models.ForeignKey(
        "grids.MicroGrid", on_delete=models.SET_NULL, null=True, blank=True, related_name="pledges"
    )
    offering = models.CharField(_("offering"), max_length=255)
    since = models.DateField(_("since"), null=True, blank=True)

    scope_paths = {
        "subdistrict": "neighborhood__subdistrict_id",
        "neighborhood": "neighborhood_id",
        "micro_grid": "micro_grid_id",
        "partner_unit": "partner_unit_id",
    }
    data_class = "partner"

    class Meta:
        verbose_name = _("partner pledge")
        verbose_name_plural = _("partner pledges")

    def __str__(self) -> str:
        return self.offering


class Department(models.Model):
    """职能部门 with the categories of work routed to it."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("name"), max_length=64)
    code = models.CharField(_("code"), max_length=32)
    categories = models.JSONField(_("categories of work"), default=list, blank=True)

    scope_paths = {"subdistrict": "subdistrict_id", "department": "id"}
    data_class = "partner"

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.UniqueConstraint(fields=["subdistrict", "code"], name="department_unique_code")]

    def __str__(self) -> str:
        return self.name


class JointTeamMember(models.Model):
    """One member of a block's joint team (联合执法队伍, the "5+1"): a handler of a department who
    acts for it on the block's joint cases."""

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="team")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="block_teams")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {"subdistrict": "block__subdistrict_id", "block": "block_id", "department": "department_id"}
    data_class = "partner"

    class Meta:
        verbose_name = _("joint team member")
        verbose_name_plural = _("joint team members")
        ordering = ["department__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["block", "department", "user"], name="joint_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.block} · {self.department} · {self.user}"


class ServicePoint(models.Model):
    """党群服务中心 / 站: "1 hub + 5 village circles + N community circles"."""

    class Kind(models.TextChoices):
        HUB = "hub", _("hub (中心)")
        CIRCLE = "circle", _("circle (服务圈)")
        STATION = "station", _("station (站)")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="service_points")
    neighborhood = models.ForeignKey(
        Neighborhood, on_delete=models.SET_NULL, null=True, blank=True, related_name="service_points"
    )
    name = models.CharField(_("name"), max_length=96)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=255)
    opening_hours = models.CharField(_("opening hours"), max_length=128)
    lng = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "place"

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """One role of one staff account on one org unit. The unit's ancestors are stored with it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32)
    post_level = models.CharField(_("post level"), max_length=16, blank=True)
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.CASCADE, related_name="+")
    neighborhood = models.ForeignKey(
        Neighborhood, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    micro_grid = models.ForeignKey(
        "grids.MicroGrid", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    building = models.ForeignKey(Building, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partner_unit = models.ForeignKey(
        PartnerUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    block = models.ForeignKey(Block, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "staff"

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.user} · {ROLES[self.role].label}"

    @property
    def unit_kind(self) -> str:
        return ROLES[self.role].unit_kind

    @property
    def unit_id(self) -> int | None:
        return getattr(self, f"{self.unit_kind}_id")

    @property
    def unit(self):
        return getattr(self, self.unit_kind)

    @property
    def role_label(self) -> str:
        return ROLES[self.role].label
