"""What the cohort pages read: the selected dossiers, where their establishments are, the consultants
a pair may be made of, and a call's cohorts with everything the page shows (a fixed number of queries
whatever the number of cohorts)."""

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from capqvct.accounts.models import OrganisationKind, Role
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls.models import Call
from capqvct.calls.selectors import calls_managed_by
from capqvct.cohorts.models import (
    Cohort,
    ConsultantPair,
    Grouping,
    GroupingStatus,
    Participant,
    Placement,
    TrioMember,
)
from capqvct.establishments.categories import CATEGORIES
from capqvct.establishments.models import Establishment
from capqvct.review.models import Outcome
from capqvct.territory.models import Departement

User = get_user_model()


def selected_dossiers(call: Call) -> QuerySet[Application]:
    """The call's dossiers whose decision « Retenu » was confirmed in commission (not withdrawn since)."""
    return (
        Application.objects.filter(
            call=call,
            decision__outcome=Outcome.SELECTED,
            decision__confirmed_at__isnull=False,
        )
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("establishment__commune", "establishment__departement")
        .order_by("establishment__departement_id", "establishment__name", "pk")
    )


@dataclass(frozen=True)
class Located:
    """A selected dossier's establishment with the coordinates the solver uses and where they come from."""

    application: Application
    establishment: Establishment
    x: float
    y: float
    placement: str
    category: str

    @property
    def approximate(self) -> bool:
        return self.placement != Placement.FINESS

    @property
    def placement_label(self) -> str:
        return str(Placement(self.placement).label)


def category_family(establishment: Establishment) -> str:
    """A short label of the establishment's category (« EHPAD », « SSIAD »), for balancing cohorts."""
    found = CATEGORIES.get(establishment.category_code)
    return found.label if found else (establishment.category_label or establishment.category_code)


def locate(applications) -> list[Located]:
    """Each establishment at its FINESS coordinates; without them, at the mean of the directory's
    establishments of its commune, else of its département (one aggregate query each)."""
    applications = list(applications)
    missing = [
        a.establishment for a in applications if a.establishment.x is None or a.establishment.y is None
    ]
    by_commune: dict[str, tuple[float, float]] = {}
    by_departement: dict[str, tuple[float, float]] = {}
    placed = Q(x__isnull=False, y__isnull=False)
    communes = {e.commune_id for e in missing if e.commune_id}
    if communes:
        rows = (
            Establishment.objects.filter(placed, commune_id__in=communes)
            .values("commune_id")
            .annotate(mean_x=Avg("x"), mean_y=Avg("y"))
        )
        by_commune = {row["commune_id"]: (row["mean_x"], row["mean_y"]) for row in rows}
    departements = {e.departement_id for e in missing if e.commune_id not in by_commune}
    if departements:
        rows = (
            Establishment.objects.filter(placed, departement_id__in=departements)
            .values("departement_id")
            .annotate(mean_x=Avg("x"), mean_y=Avg("y"))
        )
        by_departement = {row["departement_id"]: (row["mean_x"], row["mean_y"]) for row in rows}
    located = []
    for application in applications:
        establishment = application.establishment
        if establishment.x is not None and establishment.y is not None:
            x, y, placement = establishment.x, establishment.y, Placement.FINESS
        elif establishment.commune_id in by_commune:
            (x, y), placement = by_commune[establishment.commune_id], Placement.COMMUNE
        elif establishment.departement_id in by_departement:
            (x, y), placement = by_departement[establishment.departement_id], Placement.DEPARTEMENT
        else:
            x, y, placement = 0.0, 0.0, Placement.UNKNOWN
        located.append(Located(application, establishment, x, y, placement, category_family(establishment)))
    return located


def region_consultants(call: Call) -> QuerySet:
    """The consultant accounts a pair of this call's programme may be made of: members of a
    consultancy of the call's region, or of a consultancy working in every region (no region set)."""
    region = call.programme.region_id
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.CONSULTANT,
            memberships__organisation__kind=OrganisationKind.CONSULTANCY,
        )
        .filter(
            Q(memberships__organisation__region_id=region) | Q(memberships__organisation__region__isnull=True)
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def pairs_of(call: Call) -> QuerySet[ConsultantPair]:
    return (
        ConsultantPair.objects.filter(programme_id=call.programme_id)
        .select_related("first", "second")
        .prefetch_related(
            Prefetch("departements", queryset=Departement.objects.order_by("code")),
            Prefetch("conflicts", queryset=Establishment.objects.order_by("name")),
        )
        .order_by("pk")
    )


def grouping_of(call: Call) -> Grouping | None:
    return Grouping.objects.filter(call=call).first()


def cohorts_of(call: Call) -> list[Cohort]:
    """The call's cohorts with their members, meeting place and pair: three queries whatever their number."""
    participants = Participant.objects.select_related(
        "establishment__departement", "establishment__commune"
    ).order_by("establishment__name", "pk")
    return list(
        Cohort.objects.filter(call=call)
        .select_related("meeting_place", "pair__first", "pair__second")
        .prefetch_related(Prefetch("participants", queryset=participants))
        .order_by("number")
    )


@dataclass(frozen=True)
class DepartementCount:
    code: str
    name: str
    count: int


def selected_by_departement(call: Call) -> list[DepartementCount]:
    """Every département of the call's region with its number of selected establishments (one query
    for the counts, one for the region's départements)."""
    counts = Counter(
        dict(
            selected_dossiers(call)
            .order_by()
            .values_list("establishment__departement_id")
            .annotate(n=Count("pk"))
        )
    )
    return [
        DepartementCount(d.code, d.name, counts.get(d.code, 0))
        for d in Departement.objects.filter(region_id=call.programme.region_id).order_by("code")
    ]


# Following confirmed cohorts


def cohorts_followed_by(user) -> QuerySet[Cohort]:
    """The cohorts the user follows: every cohort of the calls they manage, and the confirmed cohorts
    of the pairs they belong to."""
    if not getattr(user, "is_authenticated", False):
        return Cohort.objects.none()
    managed = Q(call__in=calls_managed_by(user))
    consultant = Q(call__grouping__status=GroupingStatus.CONFIRMED) & (
        Q(pair__first=user) | Q(pair__second=user)
    )
    return Cohort.objects.filter(managed | consultant).select_related(
        "call__programme__region", "pair__first", "pair__second"
    )


def participations_of(user) -> QuerySet[Participant]:
    """The participations the user takes part in once the cohorts are confirmed: as a member of the
    establishment's space, or as a member of its trinôme."""
    if not getattr(user, "is_authenticated", False):
        return Participant.objects.none()
    # Two subqueries rather than one OR across two outer joins, which PostgreSQL answers by joining
    # every participant to its establishment and trinôme (measured in bench/surveys.py: 4,0 → 0,3 ms).
    confirmed = Participant.objects.filter(call__grouping__status=GroupingStatus.CONFIRMED)
    in_space = confirmed.filter(establishment__organisation__memberships__user=user).values("pk")
    in_trio = confirmed.filter(trio__user=user, trio__active=True).values("pk")
    return Participant.objects.filter(Q(pk__in=in_space) | Q(pk__in=in_trio))


def participations_visible_to(user) -> QuerySet[Participant]:
    """What `participations_of` gives, and the participants of the cohorts the user follows."""
    own = participations_of(user).values("pk")
    followed = Participant.objects.filter(cohort__in=cohorts_followed_by(user)).values("pk")
    return Participant.objects.filter(Q(pk__in=own) | Q(pk__in=followed)).select_related(
        "call__programme__region", "cohort__pair__first", "cohort__pair__second", "establishment__commune"
    )


def with_trios(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """The participants with their trinôme (active members first, then those replaced)."""
    return participants.select_related(
        "establishment__commune", "establishment__departement"
    ).prefetch_related(Prefetch("trio", queryset=TrioMember.objects.order_by("role", "-active", "pk")))


def cohorts_of_consultant(user) -> QuerySet[Cohort]:
    """The confirmed cohorts the user follows as one of their pair."""
    if not getattr(user, "is_authenticated", False):
        return Cohort.objects.none()
    return (
        Cohort.objects.filter(Q(pair__first=user) | Q(pair__second=user))
        .filter(call__grouping__status=GroupingStatus.CONFIRMED)
        .select_related("call__programme__region", "pair__first", "pair__second")
        .annotate(participant_count=Count("participants"))
        .order_by("call__title", "number")
    )
