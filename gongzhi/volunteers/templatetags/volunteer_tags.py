from django import template

from gongzhi.volunteers import skills

register = template.Library()


@register.filter
def skill_labels(value: str) -> str:
    """Stored skill codes as words: "driving,medical" -> "驾驶、医疗"."""
    return skills.labels(value)
