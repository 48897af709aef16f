"""Who may do what with organisations and memberships; each check says why when it refuses."""

from capqvct.accounts.models import ROLES_BY_KIND, Membership, Organisation, Role
from capqvct.accounts.selectors import is_platform_admin
from capqvct.core.permissions import ALLOWED, Decision, refuse

MANAGER_ROLES = (Role.PROGRAMME_MANAGER, Role.DIRECTOR)


def can_manage_organisation(user, organisation: Organisation) -> Decision:
    if is_platform_admin(user):
        return ALLOWED
    if Membership.objects.filter(user=user, organisation=organisation, role__in=MANAGER_ROLES).exists():
        return ALLOWED
    return refuse("Seuls les responsables de cette organisation peuvent gérer ses membres.")


def can_edit_letterhead(user, organisation: Organisation) -> Decision:
    """The letterhead is the agency's: those who manage its members set it."""
    if not organisation.is_agency:
        return refuse("Seules les agences (ARS et Aract) ont un en-tête pour leurs lettres de décision.")
    if not can_manage_organisation(user, organisation):
        return refuse("Seuls les responsables de programme de cette agence peuvent modifier son en-tête.")
    return ALLOWED


def can_see_letterhead(user, organisation: Organisation) -> Decision:
    """Every member of the agency sees its letterhead, logo included."""
    if not organisation.is_agency:
        return refuse("Seules les agences (ARS et Aract) ont un en-tête pour leurs lettres de décision.")
    if is_platform_admin(user) or Membership.objects.filter(user=user, organisation=organisation).exists():
        return ALLOWED
    return refuse("Seuls les membres de cette agence voient son en-tête.")


def can_give_role(organisation: Organisation, role: str) -> Decision:
    if role in ROLES_BY_KIND[organisation.kind]:
        return ALLOWED
    return refuse(f"Le rôle « {Role(role).label} » n’existe pas pour ce type d’organisation.")


def can_leave(membership: Membership) -> Decision:
    """The last manager cannot leave: the organisation would have nobody to invite colleagues."""
    if membership.role not in MANAGER_ROLES:
        return ALLOWED
    others = Membership.objects.filter(organisation=membership.organisation, role=membership.role).exclude(
        pk=membership.pk
    )
    if others.exists():
        return ALLOWED
    return refuse(
        "Vous êtes le dernier responsable de cette organisation : confiez d’abord ce rôle à un collègue.",
    )


def can_create_agency(user) -> Decision:
    """Agencies join the platform through its administrators: nobody else can vouch for them."""
    if is_platform_admin(user):
        return ALLOWED
    return refuse("Seuls les administrateurs de la plateforme créent les agences.")
