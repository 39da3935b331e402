"""Forms only parse; the services validate the rules and the scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.core.roles import role_choices
from gongzhi.deliberation.models import AgendaItem, Meeting, Vote

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Vote.Kind.choices)
    subject = forms.CharField(label=_("subject"), max_length=200)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None, required=False)
    neighborhood = forms.ModelChoiceField(label=_("neighborhood"), queryset=None, required=False)
    party_org = forms.ModelChoiceField(label=_("party organisation"), queryset=None, required=False)
    owners_item = forms.TypedChoiceField(
        label=_("Civil Code art. 278 item"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—")] + [(i, str(i)) for i in range(1, 10)],
    )
    major_matter = forms.ChoiceField(
        label=_("major matter"), choices=[("", "—"), *Vote.MajorMatter.choices], required=False
    )
    opens_at = forms.DateTimeField(label=_("opens at"), widget=LOCAL_DATETIME)
    closes_at = forms.DateTimeField(label=_("closes at"), widget=LOCAL_DATETIME)
    secret = forms.BooleanField(label=_("secret ballot"), required=False)
    count_non_voters = forms.BooleanField(label=_("count non-voters with the majority"), required=False)
    candidates = forms.CharField(
        label=_("projects to tick, one a line"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    max_ticks = forms.IntegerField(label=_("ticks allowed"), min_value=1, initial=1)
    support_threshold = forms.IntegerField(label=_("support threshold"), min_value=0, initial=0)

    def __init__(self, *args, compounds, neighborhoods, party_orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds
        self.fields["neighborhood"].queryset = neighborhoods
        self.fields["party_org"].queryset = party_orgs


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=255)
    elector = forms.IntegerField(required=False)
    ballot = forms.UUIDField(label=_("ballot number"), required=False)


# --- meetings --------------------------------------------------------------------------------

LOCAL_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    held_at = forms.DateTimeField(label=_("held at"), widget=LOCAL_DATETIME)
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    neighborhood = forms.ModelChoiceField(label=_("neighborhood"), queryset=None)

    def __init__(self, *args, neighborhoods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = neighborhoods


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, required=False)
    origin = forms.ChoiceField(
        label=_("origin"),
        choices=[c for c in AgendaItem.Origin.choices if c[0] != AgendaItem.Origin.TICK_LIST],
    )
    concern = forms.ModelChoiceField(label=_("concern"), queryset=None, required=False)
    origin_ref = forms.CharField(label=_("origin reference"), max_length=64, required=False)

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].queryset = concerns

    def clean(self):
        data = super().clean()
        if not data.get("title") and not data.get("concern"):
            self.add_error("title", _("Give the item a title."))
        return data


class MaskedResidentChoice(forms.ModelChoiceField):
    """The whole area's residents in one list: names masked (王*), told apart by their room."""

    def label_from_instance(self, obj) -> str:
        return f"{pii.mask_name(obj.name)} · {obj.household or ''}"


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), required=False)
    partner_unit = forms.ModelChoiceField(label=_("partner unit"), queryset=None, required=False)
    department = forms.ModelChoiceField(label=_("department"), queryset=None, required=False)
    resident = MaskedResidentChoice(label=_("resident"), queryset=None, required=False)

    def __init__(self, *args, partner_units, departments, residents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—"), *role_choices()]
        self.fields["partner_unit"].queryset = partner_units
        self.fields["department"].queryset = departments
        self.fields["resident"].queryset = residents

    def clean(self):
        data = super().clean()
        if sum(bool(data.get(k)) for k in ("role", "partner_unit", "department", "resident")) != 1:
            raise forms.ValidationError(
                _("Invite one party at a time: a role, a partner unit, a department or a resident.")
            )
        return data


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 5}), required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("decision"), widget=forms.Textarea(attrs={"rows": 2}))
    agenda_item = forms.ModelChoiceField(label=_("agenda item"), queryset=None, required=False)

    def __init__(self, *args, agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = agenda


class TaskForm(forms.Form):
    title = forms.CharField(label=_("task"), max_length=200)
    owner = forms.ModelChoiceField(label=_("person responsible"), queryset=None)
    due_on = forms.DateField(label=_("due on"), widget=LOCAL_DATE)
    decision = forms.ModelChoiceField(label=_("decision"), queryset=None, required=False)

    def __init__(self, *args, owners, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["decision"].queryset = decisions


class MeetingDutiesForm(forms.Form):
    neighborhood = forms.ModelChoiceField(label=_("neighborhood"), queryset=None)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

    def __init__(self, *args, neighborhoods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighborhood"].queryset = neighborhoods


# --- preparing a vote ------------------------------------------------------------------------


class GroupUnitsForm(forms.Form):
    households = forms.ModelMultipleChoiceField(label=_("units"), queryset=None)
    owner = forms.ModelChoiceField(label=_("owner"), queryset=None, required=False)
    developer = forms.BooleanField(label=_("developer's unsold units"), required=False)

    def __init__(self, *args, households, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["households"].queryset = households
        self.fields["owner"].queryset = owners

    def clean_households(self):
        return list(self.cleaned_data["households"])  # the units as picked, for services.group_units

    def clean(self):
        data = super().clean()
        if bool(data.get("owner")) == bool(data.get("developer")):
            raise forms.ValidationError(_("Name either the owner or the developer of the units."))
        return data


class ExcuseForm(forms.Form):
    elector = forms.ModelChoiceField(label=_("member"), queryset=None)
    reason = forms.CharField(label=_("reason excused"), max_length=255)
    approval = forms.CharField(label=_("approval on record"), max_length=255)

    def __init__(self, *args, electors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elector"].queryset = electors
