"""property's models holding personal data (core.personal_data)."""

from gongzhi.core.personal_data import Holding, hold

hold(
    Holding(
        "property.CommitteeMember",
        ("name", "resident"),
        kept="an owners' committee's membership is the public record (公示) of its term",
    ),
    Holding(
        "property.JointMember",
        ("name",),
        kept="a joint committee's membership is the public record of its term",
    ),
)
