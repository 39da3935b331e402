from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.surveys.models import Question, Survey


class SurveyForm(forms.Form):
    neighborhood = forms.ModelChoiceField(queryset=None, label=_("neighborhood"))
    title = forms.CharField(max_length=120, label=_("title"))
    intro = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("introduction"))
    opens_at = forms.DateTimeField(
        label=_("opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    target = forms.ChoiceField(choices=Survey.Target.choices, label=_("target group"))
    compound = forms.ModelChoiceField(queryset=None, required=False, label=_("compound"))
    elderly_age = forms.IntegerField(initial=60, min_value=40, max_value=100, label=_("elderly from age"))
    project = forms.ModelChoiceField(queryset=None, required=False, label=_("needs study of project"))
    open_link = forms.BooleanField(
        required=False, label=_("also take anonymous answers through an open link")
    )

    def __init__(self, *args, neighborhoods, compounds, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["neighborhood"].queryset = neighborhoods
        self.fields["compound"].queryset = compounds
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["opens_at"].initial = now.strftime("%Y-%m-%dT%H:%M")
        self.fields["closes_at"].initial = (now + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=Question.Kind.choices, label=_("kind"))
    text = forms.CharField(max_length=300, label=_("question"))
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("options (one per line)"),
    )
    scale_max = forms.TypedChoiceField(
        choices=[(5, "1–5"), (10, "0–10")], coerce=int, initial=5, label=_("scale")
    )
    required = forms.BooleanField(required=False, initial=True, label=_("required"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("list of people (xlsx or csv: 姓名, 手机)"))
