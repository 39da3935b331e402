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
