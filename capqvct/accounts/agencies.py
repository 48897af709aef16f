"""A new agency (ARS or Aract) joins the platform: created by a platform administrator, who invites
its first programme manager; the manager then invites their colleagues."""

from datetime import datetime

from django.db import transaction

from capqvct.accounts.models import AGENCY_KINDS, Invitation, Organisation, OrganisationKind, Role, User
from capqvct.accounts.permissions import can_create_agency
from capqvct.accounts.services import create_invitation, send_invitation_email
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event
from capqvct.territory.models import Region


def default_agency_name(kind: str, region: Region) -> str:
    return f"{OrganisationKind(kind).label} {region.name}"


def create_agency(
    *,
    kind: str,
    region: Region,
    manager_email: str,
    by: User,
    name: str = "",
    email: str = "",
    now: datetime | None = None,
) -> tuple[Organisation, Invitation]:
    """Create a region's ARS or Aract (one of each per region) and invite its first programme manager."""
    if not (allowed := can_create_agency(by)):
        raise Refusal(allowed.reason)
    if kind not in AGENCY_KINDS:
        raise Refusal("Choisissez ARS ou Aract.", field="kind")
    label = OrganisationKind(kind).label
    with transaction.atomic():
        # Two administrators creating the same agency at once: the region's row serialises them
        # (SQLite's IMMEDIATE transactions already do).
        region = Region.objects.select_for_update().get(pk=region.pk)
        if existing := Organisation.objects.filter(kind=kind, region=region).first():
            raise Refusal(
                f"La région {region.name} a déjà une {label} : « {existing.name} ». "
                "Pour lui donner un responsable de programme, invitez-le depuis la liste des agences.",
                field="region",
            )
        agency = Organisation.objects.create(
            kind=kind,
            region=region,
            name=name.strip() or default_agency_name(kind, region),
            email=email.strip().lower(),
        )
        record_event(action="agency_created", actor=by, target=agency, details={"region": region.code})
        invitation, link = create_invitation(
            organisation=agency, email=manager_email, role=Role.PROGRAMME_MANAGER, by=by, now=now
        )
        send_invitation_email(
            invitation,
            link=link,
            template="accounts/emails/first_manager_invitation.txt",
            subject=f"{agency.name} sur Cap QVCT : votre invitation de responsable de programme",
        )
    return agency, invitation
