from django import forms
from django.utils.translation import gettext_lazy as _

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


class PostForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=128)
    latitude = forms.DecimalField(
        label=_("latitude"), max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("longitude"), max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    post_lead = forms.ModelChoiceField(queryset=None, label=_("post lead"), required=False)

    def __init__(self, *args, volunteers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post_lead"].queryset = volunteers


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
    skill = forms.CharField(label=_("skill"), max_length=32, required=False)
    count = forms.IntegerField(label=_("people needed"), min_value=0, max_value=1000)

    def __init__(self, *args, emergency=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = emergency.posts.all()
        self.fields["shift"].queryset = emergency.shifts.all()


class CallUpForm(forms.Form):
    skill = forms.CharField(label=_("only with skill"), max_length=32, required=False)
    in_service_only = forms.BooleanField(label=_("in-service party members only"), required=False)


class WishForm(forms.Form):
    neighborhood = forms.ModelChoiceField(queryset=None, label=_("neighborhood"))
    wisher_name = forms.CharField(label=_("name of the person wishing"), max_length=64)
    title = forms.CharField(label=_("wish"), max_length=128)
    description = forms.CharField(
        label=_("details"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, neighborhoods=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = neighborhoods


class RosterForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, label=_("team"))
    name = forms.CharField(label=_("name"), max_length=64, initial="1+2+1 夜间巡逻")
    place = forms.CharField(label=_("place"), max_length=128)
    start_time = forms.TimeField(label=_("starts at"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=1, max_value=1440, initial=240
    )
    weekdays = forms.CharField(label=_("weekdays (1 = Monday … 7 = Sunday)"), max_length=7, initial="1234567")
    leads = forms.IntegerField(label=_("party-member leads"), min_value=0, max_value=20, initial=1)
    volunteers = forms.IntegerField(label=_("volunteers"), min_value=0, max_value=50, initial=2)
    security = forms.IntegerField(label=_("police or security"), min_value=0, max_value=20, initial=1)

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
    room = forms.CharField(label=_("room"), max_length=16)

    def __init__(self, *args, neighborhoods=None, households=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = neighborhoods
        self.households = households

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["household"] = self.households.filter(
            neighborhood=data["neighborhood"],
            building__number=data["building"].strip(),
            room=data["room"].strip(),
        ).first()
        if data["household"] is None:
            self.add_error("room", _("No such household in your area."))
        return data


class RatingForm(HouseholdPickForm):
    stars = forms.TypedChoiceField(
        label=_("stars"), coerce=int, choices=[(1, _("one-star household")), (2, _("two-star household")),
                                                (3, _("model household"))],
    )  # fmt: skip
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
