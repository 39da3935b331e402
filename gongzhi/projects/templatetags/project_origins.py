"""The projects panel on a deliberation result page: projects started from the vote (both-way
link), and for permitted staff a button per passed result or chosen tick-list option."""

from django import template

from gongzhi.projects import selectors, services

register = template.Library()


@register.inclusion_tag("projects/_vote_projects.html", takes_context=True)
def vote_projects(context, vote) -> dict:
    user = context["request"].user
    linked = list(selectors.projects_visible_to(user).filter(origin_vote=vote).order_by("id"))
    started = {p.origin_candidate_id for p in linked}
    offer = services.may_start_from_vote(user, vote)
    winners = (
        [
            w
            | {
                "project": next(
                    (p for p in linked if p.origin_candidate_id == (w["candidate"] and w["candidate"].pk)),
                    None,
                )
            }
            for w in services.vote_winners(vote)
        ]
        if offer
        else []
    )
    return {
        "vote": vote,
        "linked": linked,
        "winners": [w for w in winners if (w["candidate"] and w["candidate"].pk) not in started],
        "csrf_token": context.get("csrf_token"),
    }
