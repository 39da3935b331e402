"""The subdistrict's settings for its projects: the required checklist and the spending rules."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.core.pages import say, staff_page
from gongzhi.projects import services
from gongzhi.projects.models import ExpenseCategory
from gongzhi.projects.views.rounds import funder_subdistrict_or_403


def _save(request, subdistrict) -> None:
    """The form says which of the page's two forms was sent."""
    if request.POST.get("what") == "checklist":
        services.set_required_actions(
            actor=request.user, subdistrict=subdistrict, names=request.POST.get("names", "").splitlines()
        )
        return
    services.save_spending_rule(
        actor=request.user,
        subdistrict=subdistrict,
        category=request.POST.get("category", ""),
        cap_per_person=request.POST.get("cap_per_person") or None,
        cap_per_event=request.POST.get("cap_per_event") or None,
        forbidden_items=request.POST.get("forbidden_items", ""),
    )


@staff_page
def settings_page(request):
    subdistrict = funder_subdistrict_or_403(request.user)
    if request.method == "POST":
        try:
            _save(request, subdistrict)
        except ValidationError as e:
            say(request, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("projects:settings")
    spending_rules = {r.category: r for r in subdistrict.spending_rules.all()}
    return render(
        request,
        "projects/settings.html",
        {
            "subdistrict": subdistrict,
            "names": "\n".join(a.name for a in subdistrict.required_actions.filter(active=True)),
            "categories": [
                (value, label, spending_rules.get(value)) for value, label in ExpenseCategory.choices
            ],
        },
    )
