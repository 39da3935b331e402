"""Forms only parse; the services validate the rules and the scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.core.roles import role_choices
from gongzhi.deliberation.models import AgendaItem, Meeting, Vote

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# Civil Code art. 278 para. 1: what owners decide jointly, in the Code's own order. Items (6)-(8)
# need the three-quarters majority (rules.SPECIAL_ITEMS); people pick the matter by its wording.
OWNERS_ITEMS = (
    (1, _("(1) adopt or amend the owners' assembly rules of procedure")),
    (2, _("(2) adopt or amend the management statute")),
    (3, _("(3) elect the owners' committee or replace its members")),
    (4, _("(4) engage or dismiss the property service company or other manager")),
    (5, _("(5) use the maintenance fund of the building and its facilities")),
    (6, _("(6) raise the maintenance fund of the building and its facilities")),
    (7, _("(7) rebuild or reconstruct the building and its facilities")),
    (8, _("(8) change the use of common parts or use them for business")),
    (9, _("(9) other major matters of common ownership and joint management")),
)


def owners_item_label(item: int | None) -> str:
    return str(dict(OWNERS_ITEMS).get(item, "")) if item else ""


class _VoteFormBase(forms.Form):
    """What every vote has; each kind's form adds its own fields (one form per kind, no fields of
    another kind to leave empty)."""

    kind: str = ""
    subject = forms.CharField(label=_("subject"), max_length=200)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    opens_at = forms.DateTimeField(label=_("opens at"), widget=LOCAL_DATETIME)
    closes_at = forms.DateTimeField(label=_("closes at"), widget=LOCAL_DATETIME)
    secret = forms.BooleanField(label=_("secret ballot"), required=False)

    def __init__(self, *args, compounds=None, neighborhoods=None, party_orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("compound", compounds),
            ("neighborhood", neighborhoods),
            ("party_org", party_orgs),
        ):
            if name in self.fields:
                self.fields[name].queryset = queryset

    def service_data(self) -> dict:
        """The cleaned data as services.create_vote takes it."""
        return {"kind": self.kind, **self.cleaned_data}


class PartyAssemblyVoteForm(_VoteFormBase):
    kind = Vote.Kind.PARTY_ASSEMBLY
    field_order = ["subject", "party_org", "major_matter", "description", "opens_at", "closes_at", "secret"]
    party_org = forms.ModelChoiceField(label=_("party organisation"), queryset=None)
    major_matter = forms.ChoiceField(
        label=_("major matter"), choices=[("", "—"), *Vote.MajorMatter.choices], required=False
    )


class OwnersVoteForm(_VoteFormBase):
    kind = Vote.Kind.OWNERS
    field_order = ["subject", "compound", "owners_item", "description", "opens_at", "closes_at", "secret"]
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None)
    owners_item = forms.TypedChoiceField(
        label=_("matter (Civil Code art. 278)"),
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *OWNERS_ITEMS],
        help_text=_(
            "Items (6)-(8) need three quarters of the area and of the owners taking part; the others more than half."
        ),
    )
    count_non_voters = forms.BooleanField(label=_("count non-voters with the majority"), required=False)


class TickListVoteForm(_VoteFormBase):
    kind = Vote.Kind.TICK_LIST
    field_order = ["subject", "neighborhood", "compound", "candidates", "max_ticks", "support_threshold"]
    neighborhood = forms.ModelChoiceField(label=_("neighborhood"), queryset=None, required=False)
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None, required=False)
    candidates = forms.CharField(
        label=_("projects to tick, one a line"), widget=forms.Textarea(attrs={"rows": 3})
    )
    max_ticks = forms.IntegerField(label=_("ticks allowed"), min_value=1, initial=1)
    support_threshold = forms.IntegerField(label=_("support threshold"), min_value=0, initial=0)

    def clean_candidates(self):
        return self.cleaned_data["candidates"].splitlines()


VOTE_FORMS = {form.kind: form for form in (OwnersVoteForm, PartyAssemblyVoteForm, TickListVoteForm)}


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

    def __init__(self, *args, concerns, check_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].queryset = concerns
        if check_url:
            # The tier rule is checked as the person picks, not only after submitting.
            for name in ("origin", "concern"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-post": check_url,
                        "hx-trigger": "change",
                        "hx-target": "#agenda-check",
                        "hx-swap": "innerHTML",
                        "hx-include": "closest form",
                    }
                )

    def clean(self):
        data = super().clean()
        if not data.get("title") and not data.get("concern"):
            self.add_error("title", _("Give the item a title."))
        return data


class MaskedResidentChoice(forms.ModelChoiceField):
    """The whole area's residents in one list: names masked (王*), told apart by their room."""

    def label_from_instance(self, obj) -> str:
        return f"{pii.mask_name(obj.name)} · {obj.household or ''}"


class ResidentSearch(forms.Widget):
    """A search box whose few matches (htmx, `search_url`) are radio buttons of this field: the
    area's thousands of residents are never sent in one list."""

    template_name = "deliberation/_resident_search.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.search_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = self.search_url
        return context


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), required=False)
    partner_unit = forms.ModelChoiceField(label=_("partner unit"), queryset=None, required=False)
    department = forms.ModelChoiceField(label=_("department"), queryset=None, required=False)
    resident = MaskedResidentChoice(label=_("resident"), queryset=None, required=False, widget=ResidentSearch)

    def __init__(self, *args, partner_units, departments, residents, search_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—"), *role_choices()]
        self.fields["partner_unit"].queryset = partner_units
        self.fields["department"].queryset = departments
        self.fields["resident"].queryset = residents
        self.fields["resident"].widget.search_url = search_url

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
