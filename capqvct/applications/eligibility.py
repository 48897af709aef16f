"""The call's eligibility rules that the platform can check by itself."""

from capqvct.calls.models import Call
from capqvct.establishments.models import Establishment


def eligibility_problems(call: Call, establishment: Establishment) -> list[str]:
    """Reasons, in French, why this establishment may not answer this call; empty when eligible."""
    problems = []
    region = call.programme.region
    if establishment.departement.region_id != region.code:
        problems.append(f"L’appel est réservé aux établissements de la région {region.name}.")
    departements = [d.code for d in call.departements.all()]
    if departements and establishment.departement_id not in departements:
        problems.append("L’appel est réservé aux départements " + ", ".join(sorted(departements)) + ".")
    if call.categories and establishment.category_code not in call.categories:
        problems.append(f"La catégorie « {establishment.category_label} » n’est pas visée par cet appel.")
    return problems
