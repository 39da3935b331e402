"""workforce's models holding personal data (core.personal_data)."""

from gongzhi.core.personal_data import Holding, hold

hold(
    Holding(
        "workforce.Chief",
        ("name", "user"),
        kept="a chief's nomination, vetting and appointment are the neighborhood's record; the "
        "chief's account is disabled with the person's others",
    ),
)
