"""What residents see without logging in: a project's notice (公示) and a compound's accounts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.core.middleware import client_ip
from gongzhi.core.pages import say
from gongzhi.projects import forms, selectors, services


def public_disclosure(request, token: str):
    disclosure = selectors.open_disclosure(token)
    if disclosure is None:
        raise Http404
    form = forms.CommentForm(request.POST or None, initial={"kind": "comment"})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_comment(disclosure=disclosure, client=client_ip(request), **form.cleaned_data)
        except ValidationError as e:
            say(request, e)
        else:
            messages.success(request, _("Thank you. Your comment is recorded and will be answered."))
            return redirect("projects:public", token=token)
    context = selectors.public_accounts(disclosure)
    context.update(disclosure=disclosure, form=form, days_left=selectors.notice_days_left(disclosure))
    return render(request, "projects/public.html", context)


def public_compound(request, compound_id: int):
    compound, disclosures = selectors.compound_disclosures(compound_id)
    if compound is None:
        raise Http404
    return render(
        request,
        "projects/public_compound.html",
        {
            "compound": compound,
            "items": [(d, selectors.public_accounts(d)) for d in disclosures],
            "account": selectors.maintenance_account(compound.pk),
        },
    )
