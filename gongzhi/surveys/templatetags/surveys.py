"""Filters of the answer page: what a respondent already picked, and the error of one question."""

from django import template

register = template.Library()


@register.filter
def picked(data, name: str) -> list[str]:
    """The submitted values of question `name` (to refill the form after an error)."""
    return list((data or {}).get(name, []))


@register.filter
def picked_one(errors, name: str) -> str:
    return (errors or {}).get(name, "")


@register.simple_tag(takes_context=True)
def survey_panel(context, project) -> dict:
    """The survey panel of a project page, read with the signed-in user's scope."""
    from gongzhi.surveys.selectors import project_panel

    return project_panel(context["request"].user, project)
