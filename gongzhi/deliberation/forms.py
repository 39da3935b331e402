"""Forms only parse; the services validate the rules and the scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.deliberation.models import Vote

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
    reason = forms.CharField(max_length=255)
    elector = forms.IntegerField(required=False)
    ballot = forms.UUIDField(required=False)
