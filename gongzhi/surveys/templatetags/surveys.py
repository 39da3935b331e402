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
