"""The descriptive questions a campaign may ask for its breakdowns, each with broad bands only: a
narrow band (« infirmière de nuit en unité Alzheimer ») would name a person."""

from dataclasses import dataclass

from capqvct.surveys.instruments import AnswerScale


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str
    question: str
    bands: tuple[tuple[str, str], ...]

    def band_label(self, value: str) -> str:
        return dict(self.bands).get(value, value)


PROFESSION = Dimension(
    "profession",
    "Famille de métiers",
    "Quel est votre métier\u00a0?",
    (
        ("care", "Soin et accompagnement (aide-soignant, AES, infirmier, éducateur…)"),
        ("support", "Hôtellerie, restauration, entretien, logistique"),
        ("admin", "Administration, encadrement, direction"),
        ("other", "Autre métier"),
    ),
)
SENIORITY = Dimension(
    "seniority",
    "Ancienneté",
    "Depuis combien de temps travaillez-vous ici\u00a0?",
    (("lt1", "Moins d’un an"), ("1to5", "De 1 à 5 ans"), ("gt5", "Plus de 5 ans")),
)
SHIFT = Dimension(
    "shift",
    "Jour ou nuit",
    "Travaillez-vous le jour ou la nuit\u00a0?",
    (("day", "Le jour"), ("night", "La nuit"), ("both", "Les deux")),
)
# The services are the establishment's own, typed with the campaign (SERVICE's bands are its list).
SERVICE = Dimension("service", "Service", "Dans quel service travaillez-vous le plus\u00a0?", ())

DIMENSIONS = {dimension.code: dimension for dimension in (PROFESSION, SERVICE, SENIORITY, SHIFT)}
MAX_SERVICES = 6
MAX_OWN_QUESTIONS = 3
FREE_TEXT_MAX_LENGTH = 300


def dimension_of(code: str, services: list[str]) -> Dimension:
    """The dimension as the campaign asks it: the service question lists the campaign's services."""
    if code == SERVICE.code:
        return Dimension(SERVICE.code, SERVICE.label, SERVICE.question, tuple((s, s) for s in services))
    return DIMENSIONS[code]


# The answers to the establishment's own affirmations, whatever the instrument.
OWN_AGREEMENT = AnswerScale(
    "agreement",
    (
        (1, "Pas du tout d’accord"),
        (2, "Plutôt pas d’accord"),
        (3, "Ni d’accord ni pas d’accord"),
        (4, "Plutôt d’accord"),
        (5, "Tout à fait d’accord"),
    ),
)
