"""The FINESS categories of establishment that Cap QVCT keeps: social and medico-social ones (ESSMS).

This module is the one place that decides which establishments of the FINESS register enter the
directory; the import (finess.py) keeps a line only if its ``categetab`` code is listed here.

Source of the codes and of the official labels: the national nomenclature of establishment
categories, *TRE_R66 — CategorieEtablissement* (OID 1.2.250.1.213.1.6.1.8), published by the
Agence du numérique en santé among the Nomenclatures des objets de santé (NOS),
https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/ (version 20260505). Its aggregates
(association ASS_X10-AgregatCategorieEtablissement) file every code kept here under the social
domain, aggregates 4100 to 4600.

Choices worth knowing:

- Sanitary categories are left out, even next door to the sector: USLD (362, *Etablissement de
  soins longue durée*), hospitals, SSR, HAD. So are child protection (ASE, aggregate 4500), early
  childhood, guardianship services, asylum and housing schemes, which neither the ARS nor the
  Aract programmes address.
- Some codes were closed in the 2018 reform of the disability nomenclature (FAM 437, foyer de vie
  382, foyer d’hébergement 252, foyer polyvalent 253, experimental 377 and 379) and replaced by EAM
  (448) and EANM (449). They are kept so that an older extraction still imports.
- The home-care services reform of 2023 renamed SPASAD into *service autonomie aide et soins*
  (209) and SAAD into *service autonomie aide* (460); SSIAD (354) remain until their conversion.
- The register writes its labels with a straight apostrophe (U+0027). The import stores them with
  the typographic one (U+2019, `typographic_label`), so that every page, PDF, export and API answer
  reads « Maison d’Accueil Spécialisée » without each having to remember it; the ``finess_label``
  values below are written that way already. Rows imported before keep the straight one until the
  next import, which rewrites the labels it owns.
"""

import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    """Who the establishment serves; the directory groups its categories by audience."""

    OLDER_PEOPLE = "older_people"
    DISABLED_PEOPLE = "disabled_people"
    SOCIAL_DIFFICULTY = "social_difficulty"

    @property
    def label(self) -> str:
        return AUDIENCE_LABELS[self]


AUDIENCE_LABELS = {
    Audience.OLDER_PEOPLE: "Personnes âgées",
    Audience.DISABLED_PEOPLE: "Personnes handicapées",
    Audience.SOCIAL_DIFFICULTY: "Difficultés sociales",
}


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    audience: Audience
    finess_label: str
    closed: bool = False  # closed in the nomenclature; still read from older extractions


def _category(code, label, audience, finess_label, *, closed=False) -> tuple[str, Category]:
    return code, Category(code, label, audience, finess_label, closed)


_OLD = Audience.OLDER_PEOPLE
_DIS = Audience.DISABLED_PEOPLE
_SOC = Audience.SOCIAL_DIFFICULTY

CATEGORIES: dict[str, Category] = dict(
    [
        # Older people.
        _category("500", "EHPAD", _OLD, "Etablissement d’hébergement pour personnes âgées dépendantes"),
        _category("501", "EHPA médicalisé", _OLD, "EHPA percevant des crédits d’assurance maladie"),
        _category(
            "502", "EHPA non médicalisé", _OLD, "EHPA ne percevant pas des crédits d’assurance maladie"
        ),
        _category("202", "Résidence autonomie", _OLD, "Résidences autonomie"),
        _category("207", "Accueil de jour", _OLD, "Centre de Jour pour Personnes Agées"),
        _category(
            "381",
            "Établissement expérimental pour personnes âgées",
            _OLD,
            "Etablissement Expérimental pour Personnes Agées",
        ),
        _category("354", "SSIAD", _OLD, "Service de Soins Infirmiers A Domicile (S.S.I.A.D)"),
        _category(
            "209",
            "Service autonomie aide et soins (ex-SPASAD)",
            _OLD,
            "Service autonomie aide et soins (SAAS)",
        ),
        _category("460", "Service autonomie aide (ex-SAAD)", _OLD, "Service autonomie aide (SAA)"),
        # Disabled children.
        _category("183", "IME", _DIS, "Institut Médico-Educatif (I.M.E.)"),
        _category("186", "ITEP", _DIS, "Institut Thérapeutique Éducatif et Pédagogique (I.T.E.P.)"),
        _category(
            "188",
            "Établissement pour enfants polyhandicapés",
            _DIS,
            "Etablissement pour Enfants ou Adolescents Polyhandicapés",
        ),
        _category("192", "Institut d’éducation motrice", _DIS, "Institut d’éducation motrice"),
        _category("194", "Institut pour déficients visuels", _DIS, "Institut pour Déficients Visuels"),
        _category("195", "Institut pour déficients auditifs", _DIS, "Institut pour Déficients Auditifs"),
        _category(
            "196",
            "Institut d’éducation sensorielle sourds-aveugles",
            _DIS,
            "Institut d’Education Sensorielle Sourd-Aveugle",
        ),
        _category("182", "SESSAD", _DIS, "Service d’Éducation Spéciale et de Soins à Domicile"),
        _category("190", "CAMSP", _DIS, "Centre Action Médico-Sociale Précoce (C.A.M.S.P.)"),
        _category("189", "CMPP", _DIS, "Centre Médico-Psycho-Pédagogique (C.M.P.P.)"),
        _category(
            "238", "Centre d’accueil familial spécialisé", _DIS, "Centre d’Accueil Familial Spécialisé"
        ),
        _category(
            "390",
            "Accueil temporaire pour enfants handicapés",
            _DIS,
            "Etablissement d’Accueil Temporaire d’Enfants Handicapés",
        ),
        _category(
            "396",
            "Foyer d’hébergement pour enfants handicapés",
            _DIS,
            "Foyer Hébergement Enfants et Adolescents Handicapés",
        ),
        _category("402", "Jardin d’enfants spécialisé", _DIS, "Jardin d’Enfants Spécialisé"),
        _category(
            "377",
            "Établissement expérimental pour enfants handicapés",
            _DIS,
            "Etablissement Expérimental pour Enfance Handicapée",
            closed=True,
        ),
        # Disabled adults.
        _category("246", "ESAT", _DIS, "Etablissement et Service d’Aide par le Travail (E.S.A.T.)"),
        _category(
            "249",
            "Établissement de réadaptation professionnelle",
            _DIS,
            "Établissement et Service de Réadaptation Professionnelle",
        ),
        _category(
            "198", "Établissement de préorientation", _DIS, "Établissement et Service de Préorientation"
        ),
        _category("464", "UEROS", _DIS, "Unités Evaluation Réentraînement et d’Orient. Soc. et Pro."),
        _category("255", "MAS", _DIS, "Maison d’Accueil Spécialisée (M.A.S.)"),
        _category(
            "448",
            "EAM (établissement d’accueil médicalisé)",
            _DIS,
            "Etab.Acc.Médicalisé en tout ou partie personnes handicapées",
        ),
        _category(
            "449",
            "EANM (établissement d’accueil non médicalisé)",
            _DIS,
            "Etab.Accueil Non Médicalisé pour personnes handicapées",
        ),
        _category(
            "437",
            "FAM (foyer d’accueil médicalisé)",
            _DIS,
            "Foyer d’Accueil Médicalisé pour Adultes Handicapés (F.A.M.)",
            closed=True,
        ),
        _category("382", "Foyer de vie", _DIS, "Foyer de Vie pour Adultes Handicapés", closed=True),
        _category(
            "252",
            "Foyer d’hébergement pour adultes handicapés",
            _DIS,
            "Foyer Hébergement Adultes Handicapés",
            closed=True,
        ),
        _category(
            "253",
            "Foyer d’accueil polyvalent pour adultes handicapés",
            _DIS,
            "Foyer d’Accueil Polyvalent pour Adultes Handicapés",
            closed=True,
        ),
        _category(
            "395",
            "Accueil temporaire pour adultes handicapés",
            _DIS,
            "Etablissement d’Accueil Temporaire pour Adultes Handicapés",
        ),
        _category("445", "SAMSAH", _DIS, "Service d’accompagnement médico-social adultes handicapés"),
        _category("446", "SAVS", _DIS, "Service d’Accompagnement à la Vie Sociale (S.A.V.S.)"),
        _category(
            "370",
            "Établissement expérimental pour personnes handicapées",
            _DIS,
            "Etablissement Expérimental pour personnes handicapées",
        ),
        _category(
            "379",
            "Établissement expérimental pour adultes handicapés",
            _DIS,
            "Etablissement Expérimental pour Adultes Handicapés",
            closed=True,
        ),
        # Social and specific difficulties (ARS-funded medico-social care, and CHRS).
        _category("214", "CHRS", _SOC, "Centre Hébergement & Réinsertion Sociale (C.H.R.S.)"),
        _category("180", "Lits halte soins santé (LHSS)", _SOC, "Lits Halte Soins Santé (L.H.S.S.)"),
        _category("213", "Lits d’accueil médicalisés (LAM)", _SOC, "Lits d’Accueil Médicalisés (L.A.M.)"),
        _category(
            "165",
            "Appartement de coordination thérapeutique (ACT)",
            _SOC,
            "Appartement de Coordination Thérapeutique (A.C.T.)",
        ),
        _category("197", "CSAPA", _SOC, "Centre soins accompagnement prévention addictologie (CSAPA)"),
        _category("178", "CAARUD", _SOC, "Ctre.Accueil- Accomp.Réduc.Risq.Usag. Drogues (C.A.A.R.U.D.)"),
    ]
)


def typographic_label(official: str) -> str:
    """A label of the register as French typography writes it: the apostrophe is ’, not '."""
    return official.replace("'", "\u2019")


def is_kept(code: str) -> bool:
    """Whether establishments of this FINESS category belong in the directory."""
    return code in CATEGORIES


def category(code: str) -> Category | None:
    return CATEGORIES.get(code)


def codes_for(audience: Audience) -> list[str]:
    return [code for code, cat in CATEGORIES.items() if cat.audience == audience]


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices for a select, grouped by audience, closed categories left out."""
    return [
        (
            audience.label,
            sorted(
                (
                    (cat.code, cat.label)
                    for cat in CATEGORIES.values()
                    if cat.audience == audience and not cat.closed
                ),
                key=lambda choice: _collation_key(choice[1]),
            ),
        )
        for audience in Audience
    ]


def _collation_key(label: str) -> str:
    # "Établissement" sorts with the E, not after the Z.
    return "".join(c for c in unicodedata.normalize("NFD", label) if not unicodedata.combining(c)).casefold()
