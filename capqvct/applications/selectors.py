"""Reads of dossiers, always scoped to what the user may see."""

from collections.abc import Callable

from django.db.models import Count, Q, QuerySet

from capqvct.accounts.models import Membership
from capqvct.accounts.selectors import agent_region_codes, is_platform_admin, sees_every_region
from capqvct.applications.models import Application, ApplicationStatus, Attachment, Channel
from capqvct.applications.permissions import APPLICANT_ROLES
from capqvct.calls.models import call_is_open
from capqvct.calls.permissions import managed_region_codes
from capqvct.establishments.models import Establishment

# Later apps narrow what an agent reads without this app importing them: each function registered here
# takes the user and returns the pks of dossiers to hide from them (the review: a reviewer reads only
# the dossiers given to them, and never one they declared a conflict of interest with).
_agent_exclusions: list[Callable[[object], QuerySet]] = []


def hide_from_agents(exclusion: Callable[[object], QuerySet]) -> None:
    if exclusion not in _agent_exclusions:
        _agent_exclusions.append(exclusion)


def establishments_of_applicant(user) -> QuerySet[Establishment]:
    spaces = Membership.objects.filter(user=user, role__in=APPLICANT_ROLES).values("organisation_id")
    return Establishment.objects.filter(organisation_id__in=spaces).select_related("departement")


def applications_visible_to(user) -> QuerySet[Application]:
    """Applicants see their establishments' dossiers; agents those of their region's calls, but for
    those a later app hides from them."""
    qs = _applications()
    if not user.is_authenticated:
        return qs.none()
    as_agent = Q(call__programme__region_id__in=agent_region_codes(user))
    if sees_every_region(user):
        as_agent = Q()
    for exclusion in _agent_exclusions:
        as_agent &= ~Q(pk__in=exclusion(user))
    return qs.filter(Q(establishment__in=establishments_of_applicant(user)) | as_agent)


def applications_of_applicant(user) -> QuerySet[Application]:
    """The dossiers of the establishments whose space the user belongs to, to fill in and submit."""
    return _applications().filter(establishment__in=establishments_of_applicant(user))


def applications_editable_by(user) -> QuerySet[Application]:
    """Applicants' own dossiers, and those received off the site in a region the user manages."""
    offsite = ~Q(channel=Channel.ONLINE)
    if is_platform_admin(user):
        agents = offsite
    else:
        agents = offsite & Q(call__programme__region_id__in=managed_region_codes(user))
    return _applications().filter(Q(establishment__in=establishments_of_applicant(user)) | agents)


def attachment_visible_to(user, attachment_id) -> Attachment | None:
    """The file, if the user may read its dossier."""
    return (
        Attachment.objects.filter(pk=attachment_id, application__in=applications_visible_to(user))
        .select_related("application")
        .first()
    )


def _applications() -> QuerySet[Application]:
    return Application.objects.select_related(
        "call__programme__region", "establishment__departement", "form_version"
    )


def dossiers_of_call(call, *, status: str = "", channel: str = "") -> QuerySet[Application]:
    """A call's dossiers for its managers, the latest activity first."""
    qs = Application.objects.filter(call=call).select_related("establishment__departement")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("establishment__name", "pk")


def dossier_counts(call) -> dict[str, int]:
    """How many dossiers of the call are in each state, every state listed."""
    counts = dict(
        Application.objects.filter(call=call).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return {status: counts.get(status, 0) for status in ApplicationStatus.values}


def accepts_answers(application: Application, now) -> bool:
    """A draft takes answers while its call is open; one received off the site is transcribed after too."""
    if application.status != ApplicationStatus.DRAFT:
        return False
    return application.channel != Channel.ONLINE or call_is_open(application.call, now)
