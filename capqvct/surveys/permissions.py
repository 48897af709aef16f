"""Who may do what with a survey, beyond the workspace's rules (approaches.permissions): raw responses
leave the platform only through the research export, for a platform administrator."""

from capqvct.accounts.selectors import is_platform_admin
from capqvct.core.permissions import ALLOWED, Decision, refuse


def can_export_for_research(user) -> Decision:
    if is_platform_admin(user):
        return ALLOWED
    return refuse("L’export des réponses pour la recherche est réservé aux administrateurs de la plateforme.")
