"""Forms of the project pages: parse and label input; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.projects.models import CheckIn, Comment, ExpenseCategory, Project

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=128)
    kind = forms.ChoiceField(label=_("kind"), choices=Project.Kind.choices)
    origin = forms.ChoiceField(label=_("origin"), choices=Project.Origin.choices)
    origin_note = forms.CharField(label=_("origin note"), max_length=255, required=False)
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    goals = forms.CharField(label=_("goals"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    beneficiaries = forms.CharField(
        label=_("beneficiaries"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    university_teams = forms.CharField(label=_("university teams"), max_length=255, required=False)
    starts_on = forms.DateField(label=_("starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("ends on"), required=False, widget=DATE)
    compound = forms.ModelChoiceField(label=_("compound"), queryset=None, required=False)
    partners = forms.ModelMultipleChoiceField(label=_("partner units"), queryset=None, required=False)
    departments = forms.ModelMultipleChoiceField(label=_("departments"), queryset=None, required=False)

    def __init__(self, *args, neighborhoods=None, compounds=None, partners=None, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if neighborhoods is not None:
            self.fields["neighborhood"] = forms.ModelChoiceField(
                label=_("neighborhood"), queryset=neighborhoods, empty_label=None
            )
            self.order_fields(["neighborhood"])
        self.fields["compound"].queryset = compounds
        self.fields["partners"].queryset = partners
        self.fields["departments"].queryset = departments


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=ExpenseCategory.choices)
    item = forms.CharField(label=_("item"), max_length=128)
    amount = forms.CharField(label=_("amount (yuan)"), max_length=20)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=128)
    due_on = forms.DateField(label=_("due on"), widget=DATE)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=128)
    assignee = forms.ModelChoiceField(label=_("assignee"), queryset=None)
    due_on = forms.DateField(label=_("due on"), widget=DATE)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = people


class CheckInForm(forms.Form):
    cadence = forms.ChoiceField(label=_("cadence"), choices=CheckIn.Cadence.choices)
    held_on = forms.DateField(label=_("held on"), widget=DATE)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 2}))


class ExpenseForm(forms.Form):
    request_key = forms.CharField(widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("category"), choices=ExpenseCategory.choices)
    description = forms.CharField(label=_("description"), max_length=255)
    amount = forms.CharField(label=_("amount (yuan)"), max_length=20)
    persons = forms.IntegerField(label=_("persons"), required=False, min_value=0)
    payee = forms.CharField(label=_("payee / contractor"), max_length=128, required=False)
    payee_is_person = forms.BooleanField(label=_("the payee is a private person"), required=False)
    spent_on = forms.DateField(label=_("spent on"), widget=DATE)
    receipt = forms.FileField(label=_("receipt"), required=False)
    override_reason = forms.CharField(
        label=_("override reason (only if a rule is broken)"), max_length=255, required=False
    )


class DisclosureForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=128, required=False)
    body = forms.CharField(label=_("notice text"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    opens_on = forms.DateField(label=_("notice opens on"), widget=DATE)
    closes_on = forms.DateField(label=_("notice closes on"), widget=DATE)


class CommentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Comment.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("your name (optional, shown masked)"), max_length=32, required=False)
    body = forms.CharField(
        label=_("your comment or objection"), widget=forms.Textarea(attrs={"rows": 4}), max_length=1000
    )


class RoundForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=96)
    stage = forms.ChoiceField(label=_("stage"), choices=[])
    criteria = forms.CharField(
        label=_("criteria, one per line: name weight"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="立项 40\n进度 30\n资金管理 30",
    )
    drop_extremes = forms.BooleanField(label=_("drop the highest and lowest score"), required=False)
    rule = forms.ModelChoiceField(label=_("allocation rule"), queryset=None, required=False)
    projects = forms.ModelMultipleChoiceField(
        label=_("projects"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    judges = forms.ModelMultipleChoiceField(label=_("panel members"), queryset=None)

    def __init__(self, *args, stages=(), rules=None, projects=None, judges=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = stages
        self.fields["rule"].queryset = rules
        self.fields["projects"].queryset = projects
        self.fields["judges"].queryset = judges

    def clean_criteria(self) -> list[tuple[str, str]]:
        parsed = []
        for number, line in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, weight = line.strip().rpartition(" ")
            if not name.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write the name, a space, then the weight.") % {"n": number}
                )
            parsed.append((name.strip(), weight))
        return parsed


class RuleForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=96)
    top = forms.IntegerField(label=_("top N"), min_value=0, initial=3)
    raise_percent = forms.DecimalField(
        label=_("raise %"), min_value=0, max_digits=6, decimal_places=2, initial=10
    )
    bottom = forms.IntegerField(label=_("bottom M"), min_value=0, initial=5)
    cut_percent = forms.DecimalField(
        label=_("cut %"), min_value=0, max_value=100, max_digits=6, decimal_places=2, initial=10
    )
