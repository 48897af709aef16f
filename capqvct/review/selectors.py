"""Reads of the review, always scoped to what the user may see.

Reviewers reach a dossier only through one of their assignments (without a declared conflict);
managers through the calls of their region. An applicant reaches nothing here.
"""

import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from capqvct.accounts.models import AGENCY_KINDS, AGENT_ROLES, Membership, Role, User
from capqvct.accounts.selectors import agent_region_codes, is_platform_admin
from capqvct.applications.eligibility import eligibility_problems
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.applications.summary import Line, summarize
from capqvct.calls.application_form import dossier_form, piece_fields
from capqvct.calls.formdef.answers import is_empty
from capqvct.calls.formdef.schema import TRIO_ROLES, Form, Kind
from capqvct.calls.models import Call
from capqvct.calls.permissions import managed_region_codes
from capqvct.calls.selectors import calls_managed_by
from capqvct.review.models import Assignment, Review, RoutingRule, Score
from capqvct.review.permissions import can_manage_review

MASKED = "[masqué]"
BLIND_NOTICE = "Masqué (instruction à l’aveugle)"


def reviews_managed_by(user) -> QuerySet[Review]:
    return Review.objects.filter(call__in=calls_managed_by(user)).select_related("call__programme__region")


def assignments_of(user) -> QuerySet[Assignment]:
    """The dossiers given to the user, without those they declared a conflict with."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(
            reviewer=user,
            conflict_declared_at__isnull=True,
            application__status=ApplicationStatus.IN_REVIEW,
            application__call__review__isnull=False,
        )
        .select_related(
            "application__call__programme__region",
            "application__call__review",
            "application__establishment__departement",
            "application__form_version",
        )
        .order_by("application__call__closes_at", "application__pk")
    )


def review_dossiers(review: Review) -> QuerySet[Application]:
    """The dossiers under review of a call, with their assignments and eligibility review."""
    return (
        Application.objects.filter(call_id=review.call_id, status=ApplicationStatus.IN_REVIEW)
        .select_related(
            "call__programme__region", "establishment__departement", "eligibility_review", "form_version"
        )
        .prefetch_related("assignments__reviewer", "call__departements", "submissions")
        .order_by("establishment__name", "pk")
    )


def region_agents(call: Call) -> QuerySet[Membership]:
    """Reviewers and programme managers of the ARS and Aract of the call's region, one row per agency."""
    return (
        Membership.objects.filter(
            role__in=AGENT_ROLES,
            organisation__kind__in=AGENCY_KINDS,
            organisation__region_id=call.programme.region_id,
            user__is_active=True,
        )
        .select_related("user", "organisation")
        .order_by("user__last_name", "user__first_name", "user__pk")
    )


def eligible_reviewers(call: Call) -> list[User]:
    """The region's agents who may be given a dossier, each once, in alphabetical order."""
    seen: dict[int, User] = {}
    for membership in region_agents(call):
        seen.setdefault(membership.user_id, membership.user)
    return list(seen.values())


def dossiers_hidden_from(user) -> QuerySet[Application]:
    """What an agent may not read, wherever dossiers are read (registered with
    applications.selectors.hide_from_agents): in a region they do not manage, the dossiers they declared
    a conflict of interest with and, where they review without managing a programme, every dossier not
    given to them or whose « pas de conflit » they have not declared yet. A programme manager's own
    conflict hides nothing in the regions they manage: they remain answerable for the whole call, and
    the review's pages show the conflict to them and to the other managers instead."""
    if is_platform_admin(user):
        return Application.objects.none().values("pk")
    agent_regions = agent_region_codes(user)  # both cached on the user; a manager is an agent
    managed = managed_region_codes(user) if agent_regions else set()
    conflicts = Assignment.objects.filter(reviewer_id=user.pk, conflict_declared_at__isnull=False)
    hidden = Q(pk__in=conflicts.values("application_id")) & ~Q(call__programme__region_id__in=managed)
    if reviewing_only := agent_regions - managed:
        cleared = Assignment.objects.filter(
            reviewer_id=user.pk, conflict_declared_at__isnull=True, no_conflict_declared_at__isnull=False
        )
        not_cleared = ~Q(pk__in=cleared.values("application_id"))
        hidden |= Q(call__programme__region_id__in=reviewing_only) & not_cleared
    return Application.objects.filter(hidden).values("pk")


OWN_CONFLICT_NOTICE = (
    "Vous avez déclaré un conflit d’intérêts sur ce dossier\u00a0: ne prenez pas part à sa décision."
)


@dataclass(frozen=True)
class ManagerConflict:
    """A programme manager of the call's region who declared a conflict of interest on a dossier: they
    keep reading it, but take no part in its decision."""

    reviewer: User

    def notice_for(self, user) -> str:
        if self.reviewer.pk == user.pk:
            return OWN_CONFLICT_NOTICE
        return f"Conflit d’intérêts déclaré par {self.reviewer}"


def manager_conflicts(call: Call, application_ids) -> dict[int, list[ManagerConflict]]:
    """For each dossier given, the conflicts declared on it by the programme managers of the call's
    region, in the order declared (one query)."""
    managers = Membership.objects.filter(
        role=Role.PROGRAMME_MANAGER, organisation__region_id=call.programme.region_id
    ).values("user_id")
    conflicts: dict[int, list[ManagerConflict]] = {}
    for assignment in (
        Assignment.objects.filter(
            application_id__in=application_ids, conflict_declared_at__isnull=False, reviewer_id__in=managers
        )
        .select_related("reviewer")
        .order_by("conflict_declared_at", "pk")
    ):
        conflicts.setdefault(assignment.application_id, []).append(ManagerConflict(assignment.reviewer))
    return conflicts


def conflict_notices(conflicts: list[ManagerConflict], user) -> list[str]:
    """What the page says of them to the user: their own conflict first."""
    own = [c.notice_for(user) for c in conflicts if c.reviewer.pk == user.pk]
    return own + [c.notice_for(user) for c in conflicts if c.reviewer.pk != user.pk]


def routing_rules(review: Review) -> QuerySet[RoutingRule]:
    return review.routing_rules.select_related("departement").prefetch_related("reviewers")


def routing_pools(review: Review) -> dict[str, list[int]]:
    """For each routed département, the reviewers its dossiers go to in automatic assignment."""
    pools: dict[str, list[int]] = {}
    for departement_id, reviewer_id in RoutingRule.reviewers.through.objects.filter(
        routingrule__review=review
    ).values_list("routingrule__departement_id", "user_id"):
        pools.setdefault(departement_id, []).append(reviewer_id)
    return pools


def is_region_agent(user, call: Call) -> bool:
    return region_agents(call).filter(user=user).exists()


def active_loads(review: Review) -> dict[int, int]:
    """How many dossiers of this review each reviewer holds (declared conflicts left out)."""
    return dict(
        Assignment.objects.filter(application__call_id=review.call_id, conflict_declared_at__isnull=True)
        .values_list("reviewer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def declared_no_conflict(assignment: Assignment) -> bool:
    return assignment.no_conflict_declared_at is not None


# Eligibility


@dataclass(frozen=True)
class Check:
    label: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class EligibilityResult:
    checks: list[Check]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


def submitted_answers(application: Application) -> dict:
    """The answers of the latest submission, or the dossier's own when it was never submitted here."""
    # Submissions come latest first (their Meta ordering), prefetched or not.
    latest = next(iter(application.submissions.all()), None)
    return latest.answers if latest else application.answers


def trio_answers(application: Application) -> dict[str, dict]:
    """The trinôme the dossier names, by role (`TRIO_ROLES`): each person's answered parts (name,
    function, email, phone), from the latest submission."""
    answers = submitted_answers(application) or {}
    form = Form.from_json(application.form_version.definition)
    trio: dict[str, dict] = {}
    for field in form.fields():
        if field.kind != Kind.TRIO or not isinstance(answers.get(field.key), dict):
            continue
        for role in TRIO_ROLES:
            person = answers[field.key].get(role)
            if isinstance(person, dict) and role not in trio:
                trio[role] = {part: str(value).strip() for part, value in person.items() if value}
    return trio


def automatic_eligibility(application: Application) -> EligibilityResult:
    """The checks the platform makes by itself: territory and category, pieces, trinôme."""
    call = application.call
    answers = submitted_answers(application)
    problems = eligibility_problems(call, application.establishment)
    checks = [Check("Région, département et catégorie", not problems, " ".join(problems))]
    form = Form.from_json(application.form_version.definition)
    pieces = piece_fields(call, taken={field.key for field in form.fields()})
    missing = [field.label for field in pieces if field.required and is_empty(answers.get(field.key))]
    checks.append(
        Check(
            "Pièces à joindre",
            not missing,
            ("Manquantes : " + ", ".join(missing) + ".") if missing else "",
        )
    )
    trios = [field for field in form.fields() if field.kind == Kind.TRIO]
    incomplete = [
        label
        for field in trios
        for role, label in TRIO_ROLES.items()
        if any(is_empty(_part(answers.get(field.key), role, part)) for part in field.required_parts)
    ]
    if trios:
        detail = ("Incomplet : " + ", ".join(incomplete) + ".") if incomplete else ""
        checks.append(Check("Trinôme complet", not incomplete, detail))
    return EligibilityResult(checks)


def _part(trio, role: str, part: str):
    person = trio.get(role) if isinstance(trio, dict) else None
    return person.get(part) if isinstance(person, dict) else None


# Scores


def scores_visible_to(user, application: Application) -> QuerySet[Score]:
    """Managers see every reviewer's scores; a reviewer their own, and the others' once they submitted."""
    scores = Score.objects.filter(
        assignment__application=application, assignment__conflict_declared_at__isnull=True
    ).select_related("criterion", "assignment__reviewer")
    if not user.is_authenticated:
        return scores.none()
    if can_manage_review(user, application.call):
        return scores
    own = Assignment.objects.filter(
        application=application, reviewer=user, conflict_declared_at__isnull=True
    ).first()
    if own is None:
        return scores.none()
    if own.submitted_at is None:
        return scores.filter(assignment=own)
    return scores.filter(Q(assignment=own) | Q(assignment__submitted_at__isnull=False))


# What a reviewer reads of a dossier


@dataclass(frozen=True)
class DossierView:
    title: str
    subtitle: str
    summary: list[tuple[str, list[Line]]]
    blind: bool


def is_blind_for(assignment: Assignment | None, review: Review) -> bool:
    return bool(assignment and assignment.is_expert and review.blind_for_experts)


def dossier_view(application: Application, *, blind: bool, file_url=None) -> DossierView:
    """The dossier's answers; blind, without anything naming the establishment or its people."""
    form = dossier_form(application.call, application.form_version)
    answers = submitted_answers(application)
    establishment = application.establishment
    if not blind:
        return DossierView(
            title=establishment.name,
            subtitle=f"FINESS {establishment.finess_et}, {establishment.departement.name}",
            summary=summarize(form, answers, file_url=file_url),
            blind=False,
        )
    masked = {}
    identity = _identity_pattern(application)
    for field in form.fields():
        raw = answers.get(field.key)
        if raw is None:
            continue
        if field.kind in (Kind.PERSON, Kind.TRIO, Kind.EMAIL, Kind.PHONE, Kind.ESTABLISHMENT, Kind.FILE):
            masked[field.key] = BLIND_NOTICE
        else:
            masked[field.key] = _mask(raw, identity)
    return DossierView(
        title=f"Dossier n° {application.pk}",
        subtitle=f"{establishment.category_label}, {establishment.departement.name}",
        summary=summarize(form, masked),
        blind=True,
    )


def _identity_pattern(application: Application) -> re.Pattern | None:
    establishment = application.establishment
    words = [
        establishment.name,
        establishment.finess_et,
        getattr(establishment, "finess_ej", ""),
        establishment.organisation.name if establishment.organisation_id else "",
    ]
    words = sorted({w.strip() for w in words if w and len(w.strip()) > 2}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def _mask(raw, identity: re.Pattern | None):
    if isinstance(raw, str):
        return identity.sub(MASKED, raw) if identity else raw
    if isinstance(raw, list):
        return [_mask(item, identity) for item in raw]
    if isinstance(raw, dict):
        return {key: _mask(value, identity) for key, value in raw.items()}
    return raw


# The announced notification date

# The announced notification date is flagged this many days ahead when dossiers remain undecided.
WARNING_DAYS = 7


def local_today(call: Call) -> date:
    return timezone.localtime(timezone=ZoneInfo(call.time_zone)).date()


def undecided_count(review: Review) -> int:
    """Dossiers in review without a decision confirmed in commission."""
    return (
        Application.objects.filter(call_id=review.call_id, status=ApplicationStatus.IN_REVIEW)
        .exclude(decision__confirmed_at__isnull=False)
        .count()
    )


def notification_warning(call: Call, *, undecided: int, today: date) -> str:
    """The warning of the review dashboard and the decisions page: the announced date is near (or
    past) and dossiers wait for a confirmed decision."""
    if call.notification_on is None or not undecided:
        return ""
    days = (call.notification_on - today).days
    if days > WARNING_DAYS:
        return ""
    when = (
        "est dépassée"
        if days < 0
        else "est aujourd’hui"
        if days == 0
        else f"est dans {days} jour" + ("s" if days > 1 else "")
    )
    return (
        f"La date annoncée de notification {when} et {undecided} dossier{'s' if undecided > 1 else ''} "
        f"{'n’ont' if undecided > 1 else 'n’a'} pas de décision confirmée."
    )


# The manager's dashboard


def dashboard_dossiers(review: Review, *, short_only: bool = False) -> QuerySet[Application]:
    """The dossiers of the review's dashboard, each with its number of reviewers (declared conflicts left
    out); with `short_only`, those left with fewer than the review asks (the filter « À compléter »)."""
    dossiers = review_dossiers(review).annotate(
        active_reviewers=Count("assignments", filter=Q(assignments__conflict_declared_at__isnull=True))
    )
    if short_only:
        dossiers = dossiers.filter(active_reviewers__lt=review.reviewers_per_dossier)
    return dossiers
