"""Meetings, votes and duties of deliberation (议事协商) and decision by vote (票决 / 共同决定).

A vote keeps a snapshot of its electorate (Elector, with the units behind each owner), one
VoterReceipt per elector that votes (a partial unique index: two submissions at once cannot both
win) and the Ballot rows that are counted. A secret ballot is first a SealedBallot (unreadable
without the scrutineers' key); closing writes it as a Ballot with a random id, no voter, no time,
no area, in random order, in another transaction than any receipt (docs/deliberation.md).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.deliberation import rules
from gongzhi.org.models import (
    Compound,
    Department,
    Household,
    Neighborhood,
    PartnerUnit,
    PartyMember,
    PartyOrg,
    Resident,
    Subdistrict,
)

AREA_SCOPE = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id", "compound": "compound_id"}


def scope_through(prefix: str, paths: dict[str, str]) -> dict[str, str]:
    return {kind: f"{prefix}__{path}" for kind, path in paths.items()}


class Vote(models.Model):
    class Kind(models.TextChoices):
        PARTY_ASSEMBLY = "party_assembly", _("party-member assembly vote")
        OWNERS = "owners", _("owners' joint decision")
        TICK_LIST = "tick_list", _("resident tick-list")

    class Rule(models.TextChoices):
        PARTY_ASSEMBLY = rules.PARTY_ASSEMBLY, _("party assembly (branch work regulations art. 11)")
        OWNERS_278 = rules.OWNERS_278, _("owners, ordinary matter (Civil Code art. 278)")
        OWNERS_278_SPECIAL = rules.OWNERS_278_SPECIAL, _("owners, items (6)-(8) (Civil Code art. 278)")
        TICK_LIST = rules.TICK_LIST, _("tick-list")

    class MajorMatter(models.TextChoices):
        """三重一大."""

        DECISION = "decision", _("major decision")
        APPOINTMENT = "appointment", _("important appointment")
        PROJECT = "project", _("important project")
        EXPENDITURE = "expenditure", _("large expenditure")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        PUBLISHED = "published", _("result published")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    rule = models.CharField(_("rule"), max_length=24, choices=Rule.choices)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    neighborhood = models.ForeignKey(
        Neighborhood, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    party_org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    owners_item = models.PositiveSmallIntegerField(_("Civil Code art. 278 item"), null=True, blank=True)
    major_matter = models.CharField(_("major matter"), max_length=16, choices=MajorMatter.choices, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    secret = models.BooleanField(_("secret ballot"), default=False)
    # Secret votes: the scrutineers' public key (hex); their private key never reaches the server
    # except typed in at closing (deliberation/seal.py).
    seal_key = models.CharField(_("scrutineers' public key"), max_length=64, blank=True)
    # Secret owners' votes after closing: area (cents) per choice of the live unsealed ballots,
    # so no tallied ballot carries a unit's area (mostly unique, so it would name the unit).
    secret_weights = models.JSONField(null=True, blank=True)
    count_non_voters = models.BooleanField(_("count non-voters with the majority"), default=False)
    max_ticks = models.PositiveSmallIntegerField(_("ticks allowed"), default=1)
    support_threshold = models.PositiveIntegerField(_("support threshold"), default=0)
    # Party votes: what was disclosed to all members before voting, and when.
    disclosed_principle = models.TextField(_("principle"), blank=True)
    disclosed_content = models.TextField(_("content"), blank=True)
    disclosed_procedure = models.TextField(_("procedure"), blank=True)
    disclosed_accountability = models.TextField(_("accountability"), blank=True)
    disclosed_at = models.DateTimeField(_("disclosed at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    result = models.JSONField(_("result"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = AREA_SCOPE
    data_class = "deliberation"

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="vote_window_order")
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_yes_no(self) -> bool:
        return self.kind != self.Kind.TICK_LIST


class Elector(models.Model):
    """One voter of the snapshot: an owner (with their units), a party member or a household."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="electors")
    key = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=128)
    area = models.DecimalField(_("exclusive area (m²)"), max_digits=12, decimal_places=2, default=0)
    party_member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Left out of the electorate only with the higher organisation's recorded approval.
    excused_reason = models.CharField(_("reason excused"), max_length=255, blank=True)
    excused_approval = models.CharField(_("approval on record"), max_length=255, blank=True)

    scope_paths = scope_through("vote", AREA_SCOPE)
    data_class = "deliberation"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "key"], name="elector_unique_key")]
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def excused(self) -> bool:
        return bool(self.excused_approval)


class ElectorUnit(models.Model):
    """A household (exclusive part) behind an owner elector, or the household of a tick-list elector."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="+")
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="units")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    area = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    scope_paths = scope_through("vote", AREA_SCOPE)
    data_class = "deliberation"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "household"], name="elector_unit_once")]

    def __str__(self) -> str:
        return f"{self.elector} · {self.household_id}"


class Candidate(models.Model):
    """A project residents may tick."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="candidates")
    label = models.CharField(_("project"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    scope_paths = scope_through("vote", AREA_SCOPE)
    data_class = "deliberation"

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.label


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    PAPER = "paper", _("paper ballot")


class VoterReceipt(models.Model):
    """That an elector voted (and how). At most one live receipt per elector and vote."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="receipts")
    elector = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="receipts")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cast_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=255, blank=True)

    scope_paths = scope_through("vote", AREA_SCOPE)
    data_class = "deliberation"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "elector"],
                condition=Q(voided_at__isnull=True),
                name="one_live_receipt_per_elector",
            )
        ]

    def __str__(self) -> str:
        return f"{self.vote_id} · {self.elector_id}"


class SealedBallot(models.Model):
    """A secret ballot as cast: choice, ticks and weight sealed to the scrutineers' key, padded.

    It is written with the voter's receipt (one transaction, so a ballot never lands without a
    receipt or twice), which a database reader can see; the box is unreadable without the key.
    Closing unseals every box, writes the tallied Ballots in random order and deletes these rows.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="sealed_ballots")
    box = models.BinaryField()

    scope_paths = scope_through("vote", AREA_SCOPE)
    data_class = "deliberation"

    def __str__(self) -> str:
        return str(self.id)


class Ballot(models.Model):
    """What was chosen. Open ballots name their elector and area; a secret one (written at
    closing from its sealed box) has neither: its weight stays sealed in `weight_box`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    elector = models.ForeignKey(
        Elector, on_delete=models.PROTECT, null=True, blank=True, related_name="ballots"
    )
    choice = models.CharField(max_length=8, blank=True)
    ticks = models.JSONField(default=list, blank=True)
    area = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # Secret owners' ballots: the area sealed again to the scrutineers' key, needed only to void it.
    weight_box = models.BinaryField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=255, blank=True)

    scope_paths = scope_through("vote", AREA_SCOPE)
    data_class = "deliberation"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "elector"],
                condition=Q(voided_at__isnull=True, elector__isnull=False),
                name="one_live_open_ballot_per_elector",
            )
        ]

    def __str__(self) -> str:
        return str(self.id)


# --- meetings --------------------------------------------------------------------------------


class Meeting(models.Model):
    class Kind(models.TextChoices):
        DELIBERATION = "deliberation", _("deliberation meeting (议事会)")
        JOINT_CONSULTATION = "joint_consultation", _("joint consultation (联席会商)")
        ROUND_TABLE = "round_table", _("round table (圆桌会议)")
        WEEKLY = "weekly", _("weekly meeting (碰头会)")
        MONTHLY = "monthly", _("monthly exchange (交流会)")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    neighborhood = models.ForeignKey(
        Neighborhood, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    party_org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = AREA_SCOPE
    data_class = "deliberation"

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """A matter to deliberate; without a meeting it waits on the neighborhood's agenda."""

    class Origin(models.TextChoices):
        MAJOR_CONCERN = "major_concern", _("concern, major tier (大事细议)")
        KEY_CONCERN = "key_concern", _("concern, key tier (要事议妥)")
        RESIDENT_PROPOSAL = "resident_proposal", _("proposal by residents")
        STAFF_PROPOSAL = "staff_proposal", _("proposal by staff")
        PROJECT = "project", _("project")
        TICK_LIST = "tick_list", _("tick-list support threshold")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    neighborhood = models.ForeignKey(
        Neighborhood, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda"
    )
    title = models.CharField(_("title"), max_length=200)
    origin = models.CharField(_("origin"), max_length=24, choices=Origin.choices)
    # The concern, proposal or project it came from, as that app names it ("concern:123").
    origin_ref = models.CharField(_("origin reference"), max_length=64, blank=True)
    # Items of the major and key tiers point at the concern itself, so the meeting links to it.
    concern = models.ForeignKey(
        "concerns.Concern", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate = models.OneToOneField(
        Candidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)

    scope_paths = AREA_SCOPE
    data_class = "deliberation"

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """A party invited to a meeting: holders of a role, a partner unit, a department or a resident."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=32, blank=True)
    partner_unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    scope_paths = scope_through("meeting", AREA_SCOPE)
    data_class = "deliberation"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role__gt="", partner_unit__isnull=True, department__isnull=True, resident__isnull=True)
                    | Q(role="", partner_unit__isnull=False, department__isnull=True, resident__isnull=True)
                    | Q(role="", partner_unit__isnull=True, department__isnull=False, resident__isnull=True)
                    | Q(role="", partner_unit__isnull=True, department__isnull=True, resident__isnull=False)
                ),
                name="invitation_exactly_one_party",
            )
        ]

    def __str__(self) -> str:
        from gongzhi.core.roles import ROLES

        if self.role:
            return str(ROLES[self.role].label) if self.role in ROLES else self.role
        return str(self.partner_unit or self.department or self.resident)


class Attendance(models.Model):
    """An invited person's answer: they will attend the meeting, or cannot."""

    class Answer(models.TextChoices):
        ATTENDING = "attending", _("will attend")
        DECLINED = "declined", _("cannot attend")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("answer"), max_length=12, choices=Answer.choices)
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)

    scope_paths = scope_through("meeting", AREA_SCOPE)
    data_class = "deliberation"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once_per_person")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_answer_display()}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("decision"))
    vote = models.ForeignKey(Vote, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    scope_paths = scope_through("meeting", AREA_SCOPE)
    data_class = "deliberation"

    def __str__(self) -> str:
        return self.text[:60]


class FollowUpTask(models.Model):
    """Work a meeting hands to one person, due on a date; it shows in that person's task list."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tasks")
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    scope_paths = scope_through("meeting", AREA_SCOPE)
    data_class = "deliberation"

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Duty(models.Model):
    """A recurring duty of a branch or neighborhood: 年初一计划、半年一回顾、每月一座谈、年终一评定."""

    class Kind(models.TextChoices):
        ANNUAL_PLAN = "annual_plan", _("plan at the start of the year (年初一计划)")
        HALF_YEAR_REVIEW = "half_year_review", _("half-year review (半年一回顾)")
        MONTHLY_TALK = "monthly_talk", _("monthly talk (每月一座谈)")
        YEAR_END_RATING = "year_end_rating", _("year-end rating (年终一评定)")
        WEEKLY_MEETING = "weekly_meeting", _("weekly meeting (每周碰头会)")
        MONTHLY_MEETING = "monthly_meeting", _("monthly exchange (每月交流会)")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    neighborhood = models.ForeignKey(
        Neighborhood, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    party_org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=16)  # "2025", "2025-H1", "2025-03", "2025-W10"
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "deliberation"

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org", "neighborhood", "kind", "period"], name="duty_once_a_period"
            ),
            # NULLs are distinct in a unique index, so a neighborhood's own duties need their own.
            models.UniqueConstraint(
                fields=["neighborhood", "kind", "period"],
                condition=Q(party_org__isnull=True),
                name="neighborhood_duty_once_a_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"
