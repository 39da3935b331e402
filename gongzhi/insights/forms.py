"""The notice form: the place as "level:id" among those the writer may address, title, text,
optional expiry (typed in Asia/Shanghai, the site's time zone)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.core.pages import parse_int

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class NoticeForm(forms.Form):
    place = forms.ChoiceField(label=_("Addressed to"))
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    expires_at = forms.DateTimeField(
        label=_("Expires at (optional)"),
        required=False,
        widget=LOCAL_DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", "—"), *places]

    def place_key(self) -> tuple[str, int | None]:
        level, _sep, pk = self.cleaned_data["place"].partition(":")
        return level, parse_int(pk)
