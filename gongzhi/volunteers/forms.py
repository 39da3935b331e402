from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.org import household_search
from gongzhi.volunteers import skills
from gongzhi.volunteers.models import MAX_SHIFTS_PER_EMERGENCY, RedemptionItem, Volunteer, VolunteerTeam

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, label=_("team"))
    title = forms.CharField(label=_("title"), max_length=128)
    place = forms.CharField(label=_("place"), max_length=128)
    starts_at = forms.DateTimeField(label=_("starts at"), widget=LOCAL_DATETIME)
    ends_at = forms.DateTimeField(label=_("ends at"), widget=LOCAL_DATETIME)
    capacity = forms.IntegerField(label=_("capacity"), min_value=1, max_value=10000)
    skills_wanted = forms.CharField(label=_("skills wanted"), max_length=255, required=False)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class EmergencyForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=128)
    neighborhood = forms.ModelChoiceField(queryset=None, label=_("neighborhood"), required=False)
    min_rest_minutes = forms.IntegerField(
        label=_("rest between shifts (minutes)"), min_value=0, max_value=1440, initial=480
    )

    def __init__(self, *args, neighborhoods=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = neighborhoods


class DrillForm(forms.Form):
    """A call-up drill: its kind, the teams it calls, and optionally an earlier call-up's plan."""

    title = forms.CharField(label=_("title"), max_length=128)
    kind = forms.ChoiceField(
        label=_("kind of drill"),
        choices=[
            ("tabletop", _("tabletop drill (sends nothing, predicts)")),
            ("live", _("live drill (messages marked 【演练】)")),
        ],
        widget=forms.RadioSelect,
        initial="tabletop",
    )
    neighborhood = forms.ModelChoiceField(queryset=None, label=_("neighborhood"), required=False)
    teams = forms.ModelMultipleChoiceField(
        queryset=None, label=_("teams in the drill"), widget=forms.CheckboxSelectMultiple
    )
    copy_from = forms.ModelChoiceField(
        queryset=None,
        label=_("copy the posts, shifts and needs of"),
        required=False,
        help_text=_("An earlier call-up of the area; its shifts are moved to start at the next full hour."),
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, neighborhoods=None, teams=None, call_ups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = neighborhoods
        self.fields["teams"].queryset = teams
        self.fields["copy_from"].queryset = call_ups


class PostForm(forms.Form):
    """A post placed by clicking the map (post_map.js fills the hidden coordinates)."""

    name = forms.CharField(label=_("name"), max_length=128)
    latitude = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        widget=forms.HiddenInput,
    )
    post_lead = forms.ModelChoiceField(queryset=None, label=_("post lead"), required=False)

    def __init__(self, *args, volunteers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post_lead"].queryset = volunteers

    def clean(self):
        data = super().clean()
        if self.has_error("latitude") or self.has_error("longitude"):
            raise forms.ValidationError(_("The point is off the map: click the map again."))
        if data.get("latitude") is None or data.get("longitude") is None:
            raise forms.ValidationError(_("Click the map where the post is."))
        return data


class ShiftForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("starts at"), widget=LOCAL_DATETIME)
    ends_at = forms.DateTimeField(label=_("ends at"), widget=LOCAL_DATETIME)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The shift must end after it starts."))
        return data


class NeedForm(forms.Form):
    post = forms.ModelChoiceField(queryset=None, label=_("post"))
    shift = forms.ModelChoiceField(queryset=None, label=_("shift"))
    skill = forms.ChoiceField(label=_("skill"), required=False, choices=[("", "—"), *skills.choices()])
    count = forms.IntegerField(label=_("people needed"), min_value=0, max_value=1000)

    def __init__(self, *args, emergency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = emergency.posts.all()
        self.fields["shift"].queryset = emergency.shifts.all()


class CallUpForm(forms.Form):
    skill = forms.ChoiceField(
        label=_("only with skill"), required=False, choices=[("", "—"), *skills.choices()]
    )
    in_service_only = forms.BooleanField(label=_("in-service party members only"), required=False)
    partner_units = forms.ModelMultipleChoiceField(
        queryset=None, label=_("only staff of these partner units"), required=False
    )
    reserve_only = forms.BooleanField(label=_("reserve volunteers only"), required=False)
    within_km = forms.DecimalField(
        label=_("only living within (km) of a post"),
        required=False,
        min_value=0.1,
        max_value=100,
        decimal_places=1,
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_units"].queryset = units


class RegisterForm(forms.Form):
    """A volunteer registered by staff; building and room link a resident of the registry."""

    neighborhood = forms.ModelChoiceField(queryset=None, label=_("neighborhood"))
    name = forms.CharField(label=_("name"), max_length=64)
    kind = forms.ChoiceField(label=_("kind"), choices=Volunteer.Kind.choices)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    skills = forms.CharField(
        label=_("skills (comma-separated)"),
        max_length=255,
        required=False,
        help_text=_("For example: medical care, driving, electrician, counselling (in either language)."),
    )
    availability = forms.CharField(
        label=_("availability (daily windows, e.g. 08:00-12:00, 18:00-22:00)"), max_length=255, required=False
    )
    max_shifts = forms.IntegerField(
        label=_("most shifts per emergency"), min_value=1, max_value=MAX_SHIFTS_PER_EMERGENCY, initial=2
    )
    reserve = forms.BooleanField(label=_("reserve volunteer"), required=False)
    call_ups_opt_out = forms.BooleanField(label=_("no call-up messages"), required=False)
    building = forms.CharField(label=_("resident's building number"), max_length=32, required=False)
    room = forms.CharField(label=_("resident's room"), max_length=16, required=False)
    partner_unit = forms.ModelChoiceField(queryset=None, label=_("partner unit"), required=False)
    team = forms.ModelChoiceField(queryset=None, label=_("team"), required=False)

    def __init__(self, *args, neighborhoods=None, households=None, units=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = neighborhoods
        self.fields["partner_unit"].queryset = units
        self.fields["team"].queryset = teams if teams is not None else VolunteerTeam.objects.none()
        self.households = households

    def clean(self):
        """Building and room, if given, must name a household in the area with a resident of that name."""
        data = super().clean()
        data["resident"] = None
        building, room = (data.get("building") or "").strip(), (data.get("room") or "").strip()
        if self.errors or not (building or room):
            return data
        household = self.households.filter(
            neighborhood=data["neighborhood"], building__number=building, room=room
        ).first()
        resident = household.residents.filter(name=data["name"].strip()).first() if household else None
        if resident is None:
            self.add_error("room", _("No resident of this name in that household in your area."))
        data["resident"] = resident
        return data


class TeamForm(forms.Form):
    neighborhood = forms.ModelChoiceField(queryset=None, label=_("neighborhood"))
    name = forms.CharField(label=_("name"), max_length=64)
    chief = forms.ModelChoiceField(queryset=None, label=_("team chief (a volunteer with an account)"))

    def __init__(self, *args, neighborhoods=None, volunteers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = neighborhoods
        self.fields["chief"].queryset = volunteers

    def clean(self):
        data = super().clean()
        chief, neighborhood = data.get("chief"), data.get("neighborhood")
        if chief and neighborhood and chief.neighborhood_id != neighborhood.pk:
            self.add_error("chief", _("The chief must be a volunteer of this neighborhood."))
        return data


class PointRuleForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=64)
    points_per_hour = forms.IntegerField(label=_("points per hour"), min_value=0, max_value=10000)


class RedemptionItemForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=64)
    kind = forms.ChoiceField(label=_("kind"), choices=RedemptionItem.Kind.choices)
    cost_points = forms.IntegerField(label=_("cost in points"), min_value=1, max_value=1_000_000)
    stock = forms.IntegerField(label=_("stock"), min_value=0, max_value=1_000_000)
    min_stars = forms.TypedChoiceField(
        label=_("household stars needed"),
        coerce=int,
        initial=0,
        choices=[
            (0, _("none")),
            (1, _("one-star household")),
            (2, _("two-star household")),
            (3, _("model household")),
        ],
    )


class BankedHoursForm(forms.Form):
    hours = forms.DecimalField(label=_("hours"), min_value=0.01, max_value=24, decimal_places=2)
    memo = forms.CharField(label=_("service received (e.g. elderly care)"), max_length=255)


class ReverseEntryForm(forms.Form):
    entry = forms.ModelChoiceField(queryset=None, label=_("entry"))
    reason = forms.CharField(label=_("reason for the correction"), max_length=255)

    def __init__(self, *args, entries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries
        self.fields["entry"].label_from_instance = lambda e: (
            f"{timezone.localtime(e.created_at):%Y-%m-%d} {e.get_kind_display()} {e.points:+d} / {e.hours:+}h {e.memo}"
        )


class WishForm(forms.Form):
    """A wish for a resident of the caller's area: their flat as typed ("5号楼 301", "5-301") and
    their name as the registry has it, so the resident is told and can confirm it came true."""

    flat = forms.CharField(
        label=_("building and room"),
        max_length=64,
        help_text=_(
            "e.g. 5号楼 301, 5-301 or 5 301; add the compound's name if the number is in two compounds"
        ),
    )
    wisher_name = forms.CharField(label=_("name of the person wishing"), max_length=64)
    title = forms.CharField(label=_("wish"), max_length=128)
    description = forms.CharField(
        label=_("details"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.households = households

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        household, hint = household_search.one_flat(self.households, data["flat"])
        if household is None:
            self.add_error("flat", hint)
            return data
        resident = household.residents.filter(name=data["wisher_name"].strip()).first()
        if resident is None:
            self.add_error("wisher_name", _("Nobody of this name lives in %(flat)s.") % {"flat": household})
            return data
        data.update(resident=resident, neighborhood=household.neighborhood, building=household.building)
        return data


WEEKDAYS = [
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("7", _("Sun")),
]


class PatternForm(forms.Form):
    """A roster's pattern: when it runs and its make-up (1+2+1); weekdays are ticked, not typed."""

    name = forms.CharField(label=_("name"), max_length=64, initial="1+2+1 夜间巡逻")
    place = forms.CharField(label=_("place"), max_length=128)
    start_time = forms.TimeField(label=_("starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=1, max_value=1440, initial=240
    )
    weekdays = forms.MultipleChoiceField(
        label=_("weekdays"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "weekday"}),
        initial=[d for d, _label in WEEKDAYS],
        error_messages={"required": _("Pick at least one weekday (Monday to Sunday).")},
    )
    leads = forms.IntegerField(label=_("party-member leads"), min_value=0, max_value=20, initial=1)
    volunteers = forms.IntegerField(label=_("volunteers"), min_value=0, max_value=50, initial=2)
    security = forms.IntegerField(label=_("police or security"), min_value=0, max_value=20, initial=1)

    def clean_weekdays(self):
        return "".join(sorted(self.cleaned_data["weekdays"]))

    @classmethod
    def of(cls, pattern, data=None):
        initial = {field: getattr(pattern, field) for field in cls.base_fields}
        initial["weekdays"] = list(pattern.weekdays)
        return cls(data, initial=initial, prefix="pattern")


class RosterForm(PatternForm):
    team = forms.ModelChoiceField(queryset=None, label=_("team"))
    field_order = ["team"]

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class GenerateForm(forms.Form):
    first_day = forms.DateField(label=_("first day"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("last day"), widget=forms.DateInput(attrs={"type": "date"}))


class SquadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), choices=[("temporary_branch", _("temporary party branch")), ("squad", _("squad"))]
    )
    name = forms.CharField(label=_("name"), max_length=96)
    leader = forms.ModelChoiceField(queryset=None, label=_("leader"))
    members = forms.ModelMultipleChoiceField(queryset=None, label=_("members"), required=False)

    def __init__(self, *args, called=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = called
        self.fields["members"].queryset = called


class HouseholdPickForm(forms.Form):
    """A household by neighborhood, building number and room, as workers know it."""

    neighborhood = forms.ModelChoiceField(queryset=None, label=_("neighborhood"))
    building = forms.CharField(label=_("building number"), max_length=32)
    room = forms.CharField(label=_("room"), max_length=16, required=False)

    def __init__(self, *args, neighborhoods=None, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = neighborhoods
        self.households = households

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # The one household search (org.household_search): "5", "5号楼" or "5-301" as people type them.
        data["household"], hint = household_search.one_flat(
            self.households.filter(neighborhood=data["neighborhood"]), data["building"], data["room"]
        )
        if data["household"] is None:
            self.add_error("room", hint)
        return data


class RatingForm(HouseholdPickForm):
    stars = forms.TypedChoiceField(
        label=_("stars"),
        coerce=int,
        choices=[(1, _("one-star household")), (2, _("two-star household")), (3, _("model household"))],
    )
    reason = forms.CharField(label=_("reason"), max_length=255)


class HonourForm(forms.Form):
    neighborhood = forms.ModelChoiceField(queryset=None, label=_("neighborhood"))
    period = forms.CharField(label=_("period"), max_length=32)
    reason = forms.CharField(label=_("reason"), max_length=255)
    volunteer = forms.ModelChoiceField(queryset=None, label=_("volunteer"), required=False)
    partner_unit = forms.ModelChoiceField(queryset=None, label=_("partner unit"), required=False)

    def __init__(self, *args, neighborhoods=None, volunteers=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = neighborhoods
        self.fields["volunteer"].queryset = volunteers
        self.fields["partner_unit"].queryset = units
