"""The invented people of the demonstration; any resemblance to real persons is accidental."""

import hashlib

from capqvct.accounts.models import OrganisationKind, Role

DEMO_PASSWORD = "demo-cap-qvct-2026"
DEMO_REGION = "76"  # Occitanie
DEMO_ESTABLISHMENTS = 300
OMEGA_CALL_TITLE = "Appel à candidatures OMEGA — démarche QVT en EHPAD et SSIAD"

ORGANISATIONS = {
    "ars": (OrganisationKind.ARS, "ARS Occitanie", DEMO_REGION),
    "aract": (OrganisationKind.ARACT, "Aract Occitanie", DEMO_REGION),
    "cabinet-a": (OrganisationKind.CONSULTANCY, "Cabinet Trame & Travail", None),
    "cabinet-b": (OrganisationKind.CONSULTANCY, "Atelier Horizons Conseil", None),
    "national": (OrganisationKind.NATIONAL, "DGCS — bureau de la qualité de vie au travail", None),
}

# The agencies' letterheads: invented addresses and signatories; the logos are drawn by
# load_demo (a coloured square and a label, plainly not an institution's logo).
LETTERHEADS = {
    "ars": {
        "postal_address": "Agence de démonstration\n10 rue de l’Exemple\nCS 00000\n34000 Montpellier",
        "city": "Montpellier",
        "signatory_name": "Dr Anne Démo",
        "signatory_title": "Directrice générale de l’ARS Occitanie (fictive)",
        "logo_colour": "#000091",
    },
    "aract": {
        "postal_address": "Aract de démonstration\n20 avenue de l’Exemple\n31000 Toulouse",
        "city": "Toulouse",
        "signatory_name": "Marc Démo",
        "signatory_title": "Directeur de l’Aract Occitanie (fictif)",
        "logo_colour": "#6a6af4",
    },
}

# e-mail, first name, last name, organisation key, role
PEOPLE = [
    ("claire.fabre@ars-occitanie.example", "Claire", "Fabre", "ars", Role.PROGRAMME_MANAGER),
    ("julien.mas@ars-occitanie.example", "Julien", "Mas", "ars", Role.REVIEWER),
    ("sophie.causse@aract-occitanie.example", "Sophie", "Causse", "aract", Role.PROGRAMME_MANAGER),
    ("mehdi.benali@aract-occitanie.example", "Mehdi", "Benali", "aract", Role.REVIEWER),
    ("lucie.roques@trame-travail.example", "Lucie", "Roques", "cabinet-a", Role.CONSULTANT),
    ("paul.vidal@trame-travail.example", "Paul", "Vidal", "cabinet-a", Role.CONSULTANT),
    ("nadia.ferrand@horizons-conseil.example", "Nadia", "Ferrand", "cabinet-b", Role.CONSULTANT),
    ("antoine.lacaze@horizons-conseil.example", "Antoine", "Lacaze", "cabinet-b", Role.CONSULTANT),
    ("helene.garrigues@dgcs.example", "Hélène", "Garrigues", "national", Role.OBSERVER),
]

DIRECTOR = ("marie.delmas@ehpad-demo.example", "Marie", "Delmas")
STAFF_MEMBER = ("karim.sabatier@ehpad-demo.example", "Karim", "Sabatier")
CLAIMANT = ("odile.pujol@ssiad-demo.example", "Odile", "Pujol")
# Asks to join the director's EHPAD: the director confirms her, and the managers' list warns.
COLLEAGUE_CLAIMANT = ("julie.roux@ehpad-demo.example", "Julie", "Roux")
ADMIN = ("admin@capqvct.example", "Alex", "Admin")


def totp_key_for(email: str) -> str:
    """A stable TOTP key per demo account, so the printed secret stays valid across reloads."""
    return hashlib.sha256(f"cap-qvct-demo:{email}".encode()).hexdigest()[:40]
