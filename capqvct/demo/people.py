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
ADMIN = ("admin@capqvct.example", "Alex", "Admin")


def totp_key_for(email: str) -> str:
    """A stable TOTP key per demo account, so the printed secret stays valid across reloads."""
    return hashlib.sha256(f"cap-qvct-demo:{email}".encode()).hexdigest()[:40]
