"""Invented FINESS extractions, in the register's real format, for the demo data and the benchmarks.

Every establishment is invented; the numbers are valid (FINESS and SIRET keys computed), the
communes are real ones of the requested départements when the territory tables hold them.
"""

import io
import random
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from stdnum import luhn

from capqvct.establishments.categories import CATEGORIES
from capqvct.establishments.finess import FIELDS, FINESS_DEPARTEMENTS
from capqvct.establishments.finess_numbers import finess_check_digit
from capqvct.territory.models import Commune, Departement

EXTRACTED_ON = date(2026, 1, 12)

# Roughly the sector's proportions (about 7 500 EHPAD and 2 100 SSIAD among 40 000 ESSMS).
CATEGORY_WEIGHTS = {
    "500": 75,
    "202": 22,
    "207": 3,
    "501": 2,
    "354": 21,
    "209": 5,
    "460": 30,
    "183": 12,
    "186": 4,
    "188": 2,
    "182": 18,
    "190": 3,
    "189": 4,
    "192": 1,
    "195": 1,
    "246": 14,
    "249": 1,
    "255": 7,
    "448": 10,
    "449": 18,
    "445": 4,
    "446": 13,
    "214": 8,
    "180": 2,
    "197": 4,
    "178": 1,
    "165": 1,
}
# Sanitary establishments an extraction also holds, which the import leaves out.
OUT_OF_SCOPE = {
    "620": ("Pharmacie d'Officine", "3201", "Commerce de Biens à Usage Médicaux", "Pharmacie {street}"),
    "355": ("Centre Hospitalier (C.H.)", "1102", "Centres Hospitaliers", "Centre hospitalier de {town}"),
    "362": (
        "Etablissement de Soins Longue Durée",
        "1109",
        "Etablissements de Soins Longue Durée",
        "USLD {tree}",
    ),
}
AGGREGATES = {
    "4101": "Etab.Educ.Spéciale pour Déficients Mentaux et Handicapés",
    "4102": "Etab.Educ Spéciale pour Enfants Trouble Conduite et Comport",
    "4103": "Etablissements d'Education Spéciale pour Handicapés Moteurs",
    "4104": "Etab.Education Spéciale pour Déficients Sensoriels",
    "4106": "Services à Domicile ou Ambulatoires pour Handicapés",
    "4301": "Etab. et Services d'Hébergement pour Adultes Handicapés",
    "4302": "Etab.et Services de Travail Protégé pour Adultes Handicapés",
    "4303": "Etab.et Services de Réinsertion Prof pour Adultes Handicapés",
    "4305": "Services de Maintien à Domicile pour Handicapés",
    "4401": "Etablissements d'Hébergement pour Personnes Âgées",
    "4402": "Services de Maintien à Domicile pour Personnes Âgées",
    "4601": "Etablissements pour Adultes et Familles en Difficulté",
    "4604": "Autres Etablissements médico-sociaux",
    "4605": "Etablissements et services multi-clientèles",
}
AGGREGATE_OF = {
    **dict.fromkeys(("500", "501", "202"), "4401"),
    "207": "4402",
    **dict.fromkeys(("354", "209", "460"), "4605"),
    **dict.fromkeys(("183", "188"), "4101"),
    "186": "4102",
    "192": "4103",
    "195": "4104",
    **dict.fromkeys(("182", "189", "190"), "4106"),
    **dict.fromkeys(("255", "448", "449"), "4301"),
    "246": "4302",
    "249": "4303",
    **dict.fromkeys(("445", "446"), "4305"),
    "214": "4601",
    **dict.fromkeys(("180", "197", "178", "165"), "4604"),
}
NAMES = {
    "500": [
        "EHPAD {tree}",
        "EHPAD {flower}",
        "Résidence {flower}",
        "EHPAD {saint}",
        "Maison de retraite {tree}",
    ],
    "202": ["Résidence autonomie {flower}", "Résidence {tree}"],
    "207": ["Accueil de jour {flower}"],
    "501": ["EHPA {tree}"],
    "354": ["SSIAD du Pays de {town}", "SSIAD de {town}", "SSIAD {saint}"],
    "209": ["Service autonomie à domicile de {town}"],
    "460": ["Aide à domicile du Pays de {town}", "Service d’aide {saint}"],
    "183": ["IME {tree}", "IME {saint}", "Institut médico-éducatif de {town}"],
    "186": ["ITEP {tree}", "ITEP de {town}"],
    "188": ["Établissement pour enfants polyhandicapés {flower}"],
    "182": ["SESSAD de {town}", "SESSAD {flower}"],
    "190": ["CAMSP de {town}"],
    "189": ["CMPP de {town}"],
    "192": ["Institut d’éducation motrice {saint}"],
    "195": ["Institut pour déficients auditifs de {town}"],
    "246": ["ESAT {workshop}", "ESAT de {town}"],
    "249": ["Centre de réadaptation professionnelle de {town}"],
    "255": ["MAS {flower}", "Maison d’accueil spécialisée {tree}"],
    "448": ["Foyer d’accueil médicalisé {flower}", "EAM {tree}"],
    "449": ["Foyer de vie {flower}", "Foyer d’hébergement {tree}"],
    "445": ["SAMSAH de {town}"],
    "446": ["SAVS de {town}", "Service d’accompagnement à la vie sociale {saint}"],
    "214": ["CHRS {saint}", "CHRS de {town}"],
    "180": ["Lits halte soins santé de {town}"],
    "197": ["CSAPA de {town}"],
    "178": ["CAARUD de {town}"],
    "165": ["Appartements de coordination thérapeutique de {town}"],
}
WORDS = {
    "tree": ["Les Tilleuls", "Les Chênes", "Les Oliviers", "Les Platanes", "Les Érables", "Les Châtaigniers"],
    "flower": ["Les Glycines", "Les Lilas", "Les Hortensias", "Les Mimosas", "Les Capucines", "L’Églantine"],
    "saint": ["Saint-Joseph", "Sainte-Marthe", "Notre-Dame", "Saint-François", "Sainte-Thérèse"],
    "workshop": ["Les Ateliers du Lac", "Les Ateliers de la Vallée", "L’Atelier du Moulin"],
    "street": ["du Marché", "de la Gare", "Centrale", "de l’Église"],
}
STREETS = ["DES LILAS", "JEAN JAURES", "DU GENERAL DE GAULLE", "PASTEUR", "DE LA REPUBLIQUE", "DES ECOLES"]
STREET_TYPES = ["R", "AV", "BD", "CHE", "RTE", "PL", "ALL", "IMP"]
INVENTED_TOWNS = ["Val-des-Prés", "Montaubert", "Saint-Aubin-la-Forêt", "Bellecombe", "Rivière-Salée"]
GEO_SOURCE = "1;ATLASANTE;100;IGN;BD_ADRESSE;V2.1;LAMBERT_93"
SITE_SPACE = {2: 1_000_000, 4: 10_000}  # sequence numbers per FINESS prefix length


def write_sample_finess(
    path_or_stream: str | Path | IO,
    *,
    departements: list[str],
    count: int,
    seed: int = 0,
    encoding: str = "cp1252",
    out_of_scope: int = 0,
    geolocated_share: float = 0.9,
) -> list[str]:
    """Write an invented extraction of ``count`` social and medico-social establishments.

    ``departements`` are INSEE codes (``"34"``, ``"2A"``, ``"974"``). ``out_of_scope`` adds sanitary
    establishments the import will ignore. Returns the FINESS numbers of the establishments kept.
    """
    rng = random.Random(seed)
    generator = _Generator(rng, departements)
    lines = [f"finess;etalab;111;{EXTRACTED_ON.isoformat()}"]
    geolocations, kept = [], []
    codes, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    kinds = [True] * count + [False] * out_of_scope
    rng.shuffle(kinds)
    for in_scope in kinds:
        code = rng.choices(codes, weights)[0] if in_scope else rng.choice(list(OUT_OF_SCOPE))
        values = generator.establishment(code)
        lines.append(";".join(values))
        if in_scope:
            kept.append(values[1])
        if rng.random() < geolocated_share:
            geolocations.append(generator.geolocation(values[1]))
    lines += geolocations
    text = "\n".join(lines) + "\n"
    if isinstance(path_or_stream, str | Path):
        Path(path_or_stream).write_bytes(text.encode(encoding))
    elif isinstance(path_or_stream, io.TextIOBase):
        path_or_stream.write(text)
    else:
        path_or_stream.write(text.encode(encoding))
    return kept


class _Generator:
    def __init__(self, rng: random.Random, departements: list[str]):
        self.rng = rng
        self.departements = departements
        names = dict(Departement.objects.filter(code__in=departements).values_list("code", "name"))
        self.departement_names = {code: _routing_text(names.get(code, code)) for code in departements}
        self.communes: dict[str, list[tuple[str, str, str]]] = {code: [] for code in departements}
        for code, name, departement, postal_codes in Commune.objects.filter(
            departement_id__in=departements
        ).values_list("code", "name", "departement_id", "postal_codes"):
            postal = postal_codes[0] if postal_codes else code[:2] + "000"
            self.communes[departement].append((code[-3:], name, postal))
        for departement, communes in self.communes.items():
            if not communes:  # the territory tables are empty: invented towns
                communes += [
                    (f"{n:03d}", town, departement[:2] + f"{n:03d}")
                    for n, town in enumerate(INVENTED_TOWNS, 1)
                ]
        self.sequences = dict.fromkeys(departements, 0)
        self.legal_entities: dict[str, list[str]] = {code: [] for code in departements}

    def establishment(self, code: str) -> list[str]:
        rng = self.rng
        departement = rng.choice(self.departements)
        commune, town, postal = rng.choice(self.communes[departement])
        finess_et = self._finess(departement)
        managers = self.legal_entities[departement]
        if managers and rng.random() < 0.3:  # a manager with several establishments
            finess_ej = rng.choice(managers)
        else:
            finess_ej = self._finess(departement, legal_entity=True)
            managers.append(finess_ej)
        if code in OUT_OF_SCOPE:
            label, aggregate, aggregate_label, template = OUT_OF_SCOPE[code]
        else:
            label, aggregate = CATEGORIES[code].finess_label, AGGREGATE_OF[code]
            aggregate_label, template = AGGREGATES[aggregate], rng.choice(NAMES[code])
        name = template.format(town=town, **{key: rng.choice(words) for key, words in WORDS.items()})
        opened = date(1965, 1, 1) + timedelta(days=rng.randrange(21_000))
        values = dict.fromkeys(FIELDS, "")
        values.update(
            type="structureet",
            nofinesset=finess_et,
            nofinessej=finess_ej,
            rs=name,
            rslongue=name.upper() if rng.random() < 0.3 else "",
            numvoie=str(rng.randint(1, 120)),
            typvoie=rng.choice(STREET_TYPES),
            voie=rng.choice(STREETS),
            commune=commune,
            departement=FINESS_DEPARTEMENTS.get(departement, departement),
            libdepartement=self.departement_names[departement],
            ligneacheminement=f"{postal} {_routing_text(town)}",
            telephone="0" + str(rng.randint(1, 5)) + "".join(rng.choices("0123456789", k=8)),
            categetab=code,
            libcategetab=label,
            categagretab=aggregate,
            libcategagretab=aggregate_label,
            siret=_siret(rng) if rng.random() < 0.9 else "",
            dateouv=opened.isoformat(),
            dateautor=opened.isoformat(),
            datemaj=(EXTRACTED_ON - timedelta(days=rng.randrange(2_000))).isoformat(),
        )
        return [values[field] for field in FIELDS]

    def geolocation(self, finess_et: str) -> str:
        x = round(self.rng.uniform(150_000, 1_150_000), 1)
        y = round(self.rng.uniform(6_150_000, 7_050_000), 1)
        return f"geolocalisation;{finess_et};{x};{y};{GEO_SOURCE};{EXTRACTED_ON.isoformat()}"

    def _finess(self, departement: str, *, legal_entity: bool = False) -> str:
        prefix = _finess_prefix(departement)
        space = SITE_SPACE[len(prefix)]
        # Sites count up from the bottom of the département's range, legal entities from the middle.
        sequence = self.sequences[departement]
        if sequence >= space // 2:
            raise ValueError(f"Too many establishments for département {departement}: at most {space // 2}.")
        self.sequences[departement] += 1
        sequence += space // 2 if legal_entity else 0
        first_eight = prefix + str(sequence).zfill(8 - len(prefix))
        return first_eight + finess_check_digit(first_eight)


def _finess_prefix(departement: str) -> str:
    """A FINESS number opens with the département: 97 then 0 and the island overseas, 98 for Mayotte."""
    if departement == "976":
        return "9805"
    if len(departement) == 3:
        return "970" + departement[2]
    return departement


def _siret(rng: random.Random) -> str:
    siren = "".join(rng.choices("0123456789", k=8))
    siren += luhn.calc_check_digit(siren)
    nic = "".join(rng.choices("0123456789", k=4))
    return siren + nic + luhn.calc_check_digit(siren + nic)


def _routing_text(name: str) -> str:
    """As the register writes places: capitals, no accents, no hyphens, « ST » for « Saint »."""
    ascii_name = unicodedata.normalize("NFD", name).encode("ascii", "ignore").decode()
    words = ascii_name.upper().replace("-", " ").replace("'", " ").split()
    return " ".join("ST" if word == "SAINT" else "STE" if word == "SAINTE" else word for word in words)
