"""Forming a call's cohorts: the rules, the consultant pairs, the solver's proposal, the manual changes
(move, split, merge, change of pair) and the confirmation. Each checks who acts, writes its audit event
in the same transaction, and refuses with a French message; a manual change is never refused for
breaking a rule: the page shows what it now breaks (`current_breaches`), and confirming a grouping that
breaks some asks for an explicit acknowledgement."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from capqvct.accounts.models import User
from capqvct.calls.models import Call
from capqvct.cohorts import solver
from capqvct.cohorts.models import (
    Cohort,
    CohortRules,
    ConsultantPair,
    Grouping,
    GroupingStatus,
    Participant,
    TrioMember,
    TrioRole,
)
from capqvct.cohorts.permissions import can_form_cohorts
from capqvct.cohorts.selectors import (
    category_family,
    cohorts_of,
    locate,
    pairs_of,
    region_consultants,
    selected_dossiers,
)
from capqvct.cohorts.states import ALREADY_CONFIRMED, GROUPING
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ensure
from capqvct.core.services import record_event
from capqvct.establishments.models import Establishment
from capqvct.review.selectors import trio_answers
from capqvct.territory.models import Departement

NO_SELECTED = "Aucun dossier de cet appel n’est retenu et confirmé en commission : rien à répartir."
NO_GROUPING = "Proposez d’abord des collectifs."
CHANGED = "Les collectifs ont changé entre-temps : rechargez la page."


# Reading what the solver needs


def rules_of(call: Call) -> CohortRules:
    """The call's rules, or the defaults (not saved) while the manager has not set them."""
    return CohortRules.objects.filter(call=call).first() or CohortRules(call=call)


def solver_rules(rules: CohortRules) -> solver.Rules:
    return solver.Rules(
        max_size=rules.max_size,
        min_size=rules.min_size,
        same_departement=rules.same_departement,
        balance_categories=rules.balance_categories,
    )


def solver_pairs(pairs: Iterable[ConsultantPair]) -> list[solver.Pair]:
    """The pairs as the solver sees them (their départements and conflicts prefetched by pairs_of)."""
    return [
        solver.Pair(
            key=pair.pk,
            min_load=pair.min_load,
            max_load=pair.max_load,
            departements=frozenset(d.code for d in pair.departements.all()),
            conflicts=frozenset(e.pk for e in pair.conflicts.all()),
        )
        for pair in pairs
    ]


def participant_site(participant: Participant) -> solver.Site:
    establishment = participant.establishment
    return solver.Site(
        key=establishment.pk,
        x=participant.x,
        y=participant.y,
        departement=establishment.departement_id,
        category=category_family(establishment),
    )


@dataclass(frozen=True)
class Warning:
    """A rule the grouping breaks, with the cohort it concerns (None: the whole grouping) and the
    solver's message written with the names the page shows."""

    breach: solver.Breach
    cohort: Cohort | None
    message: str


# The solver numbers cohorts from 1 in the order given and names pairs by their key.
COHORT_NUMBER = re.compile(r"\b(?P<article>[Ll]e|du) collectif (?P<number>\d+)")
PAIR_KEY = re.compile(r"\b(?P<article>[Ll]e) binôme (?P<key>\d+)")


def readable(message: str, cohorts: list[Cohort], pairs: dict[int, ConsultantPair]) -> str:
    """« Le collectif 3 compte 9 établissements » as « « Collectif Hérault 2 » compte 9 établissements »."""

    def cohort_name(match: re.Match) -> str:
        index = int(match["number"]) - 1
        if not 0 <= index < len(cohorts):
            return match[0]
        name = f"«\u00a0{cohorts[index].name}\u00a0»"
        return f"de {name}" if match["article"] == "du" else name

    def pair_name(match: re.Match) -> str:
        pair = pairs.get(int(match["key"]))
        return f"{match['article']} binôme {pair}" if pair else match[0]

    return PAIR_KEY.sub(pair_name, COHORT_NUMBER.sub(cohort_name, message))


def breaches_of(call: Call, cohorts: list[Cohort], pairs: list[ConsultantPair]) -> list[Warning]:
    """Every rule the call's cohorts break as they are now (cohorts from cohorts_of, pairs from pairs_of)."""
    if not cohorts:
        return []
    sites = [participant_site(p) for cohort in cohorts for p in cohort.participants.all()]
    found = solver.check(
        [tuple(p.establishment_id for p in cohort.participants.all()) for cohort in cohorts],
        [cohort.pair_id for cohort in cohorts],
        sites,
        solver_rules(rules_of(call)),
        solver_pairs(pairs),
    )
    by_key = {pair.pk: pair for pair in pairs}
    return [
        Warning(
            breach,
            cohorts[breach.cohort]
            if breach.cohort is not None and 0 <= breach.cohort < len(cohorts)
            else None,
            readable(breach.message, cohorts, by_key),
        )
        for breach in found
    ]


def current_breaches(call: Call) -> list[Warning]:
    return breaches_of(call, cohorts_of(call), list(pairs_of(call)))


# Rules and pairs


def _draft_grouping(call: Call, *, create: bool = False) -> Grouping:
    """The call's grouping, its row locked for the caller's transaction; refused once confirmed."""
    grouping = Grouping.objects.select_for_update().filter(call=call).first()
    if grouping is None and create:
        grouping, _ = Grouping.objects.get_or_create(call=call)
        grouping = Grouping.objects.select_for_update().get(pk=grouping.pk)
    if grouping is None:
        raise Refusal(NO_GROUPING)
    if grouping.status != GroupingStatus.DRAFT:
        raise Refusal(ALREADY_CONFIRMED)
    return grouping


def _refuse_if_confirmed(call: Call) -> None:
    if Grouping.objects.filter(call=call, status=GroupingStatus.CONFIRMED).exists():
        raise Refusal(ALREADY_CONFIRMED)


def save_rules(
    *, call: Call, by, max_size: int, min_size: int, same_departement: bool, balance_categories: bool
) -> CohortRules:
    """Set the rules the proposal follows and the warnings check; not once the cohorts are confirmed."""
    ensure(can_form_cohorts(by, call))
    if max_size < 1:
        raise Refusal("Un collectif compte au moins un établissement.", field="max_size")
    if min_size > max_size:
        raise Refusal("La taille minimale dépasse la taille maximale.", field="min_size")
    with transaction.atomic():
        _refuse_if_confirmed(call)
        rules, _ = CohortRules.objects.update_or_create(
            call=call,
            defaults={
                "max_size": max_size,
                "min_size": min_size,
                "same_departement": same_departement,
                "balance_categories": balance_categories,
            },
        )
        record_event(
            action="cohort_rules_saved",
            actor=by,
            target=call,
            details={
                "max_size": max_size,
                "min_size": min_size,
                "same_departement": same_departement,
                "balance_categories": balance_categories,
            },
        )
    return rules


def save_pair(
    *,
    call: Call,
    by,
    first,
    second,
    min_load: int = 6,
    max_load: int = 10,
    departements: Iterable[Departement] = (),
    conflicts: Iterable[Establishment] = (),
    pair: ConsultantPair | None = None,
) -> ConsultantPair:
    """Create a consultant pair of the call's programme, or change one, from the region's consultants."""
    ensure(can_form_cohorts(by, call))
    if pair is not None and pair.programme_id != call.programme_id:
        raise Refusal("Ce binôme n’intervient pas dans le programme de cet appel.")
    if first.pk == second.pk:
        raise Refusal("Choisissez deux intervenants différents.", field="second")
    consultants = set(
        region_consultants(call).filter(pk__in=[first.pk, second.pk]).values_list("pk", flat=True)
    )
    for field, person in (("first", first), ("second", second)):
        if person.pk not in consultants:
            name = person.get_full_name() or person.email
            raise Refusal(f"{name} n’est pas intervenant d’un cabinet de la région.", field=field)
    if min_load > max_load:
        raise Refusal("Le nombre minimal d’établissements dépasse le nombre maximal.", field="min_load")
    if max_load < 1:
        raise Refusal("Un binôme suit au moins un établissement.", field="max_load")
    departements = list(departements)
    outside = [d for d in departements if d.region_id != call.programme.region_id]
    if outside:
        raise Refusal(f"{outside[0].name} n’est pas un département de la région.", field="departements")
    conflicts = list(conflicts)
    with transaction.atomic():
        created = pair is None
        if created:
            pair = ConsultantPair(programme=call.programme)
        pair.first, pair.second, pair.min_load, pair.max_load = first, second, min_load, max_load
        pair.save()
        pair.departements.set(departements)
        pair.conflicts.set(conflicts)
        record_event(
            action="consultant_pair_created" if created else "consultant_pair_changed",
            actor=by,
            target=pair,
            details={
                "call": call.pk,
                "consultants": [first.pk, second.pk],
                "load": [min_load, max_load],
                "departements": sorted(d.code for d in departements),
                "conflicts": sorted(e.pk for e in conflicts),
            },
        )
    return pair


# The proposal


def _name(departement_names: set[str], taken: set[str]) -> str:
    """« Collectif Hérault 1 » for a cohort of one département, « Collectif 3 » otherwise; the first
    number not taken by another cohort of the call."""
    prefix = f"Collectif {departement_names.pop()}" if len(departement_names) == 1 else "Collectif"
    number = 1
    while f"{prefix} {number}" in taken:
        number += 1
    name = f"{prefix} {number}"
    taken.add(name)
    return name


def propose_cohorts(
    *, call: Call, by, now: datetime | None = None, time_limit: float = 10.0
) -> solver.Proposal:
    """Group the call's selected establishments with the solver and give the cohorts to the pairs;
    the proposal replaces the draft (refused once the cohorts are confirmed)."""
    now = now or timezone.now()
    ensure(can_form_cohorts(by, call))
    _refuse_if_confirmed(call)
    located = locate(selected_dossiers(call))
    if not located:
        raise Refusal(NO_SELECTED)
    rules = rules_of(call)
    pairs = list(pairs_of(call))
    sites = [
        solver.Site(
            key=item.establishment.pk,
            x=item.x,
            y=item.y,
            departement=item.establishment.departement_id,
            category=item.category,
        )
        for item in located
    ]
    # The solver runs before the transaction: it may take seconds, and holds no lock meanwhile.
    proposal = solver.propose(sites, solver_rules(rules), solver_pairs(pairs), time_limit=time_limit)
    by_key = {item.establishment.pk: item for item in located}
    with transaction.atomic():
        grouping = _draft_grouping(call, create=True)
        Participant.objects.filter(call=call).delete()
        Cohort.objects.filter(call=call).delete()
        taken: set[str] = set()
        cohorts = Cohort.objects.bulk_create(
            Cohort(
                call=call,
                number=number,
                name=_name({by_key[key].establishment.departement.name for key in proposed.members}, taken),
                meeting_place_id=proposed.meeting_place,
                travel=proposed.travel,
                pair_id=proposed.pair,
            )
            for number, proposed in enumerate(proposal.cohorts, start=1)
        )
        Participant.objects.bulk_create(
            Participant(
                call=call,
                cohort=cohort,
                establishment=by_key[key].establishment,
                application=by_key[key].application,
                x=by_key[key].x,
                y=by_key[key].y,
                placement=by_key[key].placement,
            )
            for cohort, proposed in zip(cohorts, proposal.cohorts, strict=True)
            for key in proposed.members
        )
        Grouping.objects.filter(pk=grouping.pk).update(
            proposed_travel=proposal.total_travel,
            lower_bound=proposal.lower_bound,
            proposed_at=now,
            proposed_by=by,
        )
        record_event(
            action="cohorts_proposed",
            actor=by,
            target=grouping,
            details={
                "establishments": len(located),
                "cohorts": len(proposal.cohorts),
                "total_travel_m": round(proposal.total_travel),
                "lower_bound_m": round(proposal.lower_bound),
                "breaches": [breach.code for breach in proposal.breaches],
            },
        )
    return proposal


# Manual changes


def _refresh(cohort: Cohort) -> None:
    """Recompute a cohort's meeting place and travel from its members; an emptied cohort goes."""
    members = list(Participant.objects.filter(cohort=cohort).select_related("establishment"))
    if not members:
        Cohort.objects.filter(pk=cohort.pk).delete()
        return
    sites = {p.establishment_id: participant_site(p) for p in members}
    meeting_place, travel = solver.travel(tuple(sites), sites)
    Cohort.objects.filter(pk=cohort.pk).update(meeting_place_id=meeting_place, travel=travel)


def _same_call(cohort: Cohort, other: Cohort) -> None:
    if cohort.call_id != other.call_id:
        raise Refusal("Ces deux collectifs ne sont pas du même appel.")


def move_participant(*, participant: Participant, to: Cohort, by) -> Participant:
    """Move an establishment to another cohort of the call (its former cohort goes if emptied)."""
    call = participant.call
    ensure(can_form_cohorts(by, call))
    if to.call_id != participant.call_id:
        raise Refusal("Ce collectif n’est pas de cet appel.", field="to")
    if to.pk == participant.cohort_id:
        raise Refusal(f"{participant.establishment} fait déjà partie de « {to.name} ».", field="to")
    source = participant.cohort
    with transaction.atomic():
        _draft_grouping(call)
        if not Participant.objects.filter(pk=participant.pk, cohort_id=source.pk).update(cohort=to):
            raise Refusal(CHANGED)
        participant.cohort = to
        _refresh(source)
        _refresh(to)
        record_event(
            action="cohort_participant_moved",
            actor=by,
            target=participant,
            details={"from": source.name, "to": to.name},
        )
    return participant


def split_cohort(*, cohort: Cohort, participants: Iterable[Participant], by) -> Cohort:
    """Put some members of a cohort in a new cohort of the call, followed by the same pair."""
    call = cohort.call
    ensure(can_form_cohorts(by, call))
    chosen = {p.pk for p in participants}
    members = set(Participant.objects.filter(cohort=cohort).values_list("pk", flat=True))
    if not chosen:
        raise Refusal("Choisissez les établissements du nouveau collectif.", field="participants")
    if not chosen <= members:
        raise Refusal("Choisissez des établissements de ce collectif.", field="participants")
    if chosen == members:
        raise Refusal("Laissez au moins un établissement dans le collectif d’origine.", field="participants")
    with transaction.atomic():
        _draft_grouping(call)
        moved = Participant.objects.filter(pk__in=chosen, cohort=cohort).select_related(
            "establishment__departement"
        )
        moved = list(moved)
        if len(moved) != len(chosen):
            raise Refusal(CHANGED)
        number = (Cohort.objects.filter(call=call).aggregate(n=Max("number"))["n"] or 0) + 1
        taken = set(Cohort.objects.filter(call=call).values_list("name", flat=True))
        new = Cohort.objects.create(
            call=call,
            number=number,
            name=_name({p.establishment.departement.name for p in moved}, taken),
            pair_id=cohort.pair_id,
        )
        Participant.objects.filter(pk__in=chosen).update(cohort=new)
        _refresh(cohort)
        _refresh(new)
        record_event(
            action="cohort_split",
            actor=by,
            target=new,
            details={
                "from": cohort.name,
                "to": new.name,
                "establishments": sorted(p.establishment_id for p in moved),
            },
        )
    new.refresh_from_db()
    return new


def merge_cohorts(*, cohort: Cohort, into: Cohort, by) -> Cohort:
    """Move every member of `cohort` into `into`, which keeps its pair; `cohort` goes."""
    call = cohort.call
    ensure(can_form_cohorts(by, call))
    _same_call(cohort, into)
    if cohort.pk == into.pk:
        raise Refusal("Choisissez un autre collectif avec qui fusionner.", field="into")
    with transaction.atomic():
        _draft_grouping(call)
        moved = Participant.objects.filter(cohort=cohort).update(cohort=into)
        if not moved:
            raise Refusal(CHANGED)
        Cohort.objects.filter(pk=cohort.pk).delete()
        _refresh(into)
        record_event(
            action="cohorts_merged",
            actor=by,
            target=into,
            details={"from": cohort.name, "to": into.name, "establishments": moved},
        )
    into.refresh_from_db()
    return into


def set_pair(*, cohort: Cohort, pair: ConsultantPair | None, by) -> Cohort:
    """Give the cohort to another consultant pair of the programme (or to none)."""
    call = cohort.call
    ensure(can_form_cohorts(by, call))
    if pair is not None and pair.programme_id != call.programme_id:
        raise Refusal("Ce binôme n’intervient pas dans le programme de cet appel.", field="pair")
    if (pair.pk if pair else None) == cohort.pair_id:
        raise Refusal(
            f"« {cohort.name} » est déjà suivi par ce binôme." if pair else "Ce collectif n’a pas de binôme.",
            field="pair",
        )
    with transaction.atomic():
        _draft_grouping(call)
        if not Cohort.objects.filter(pk=cohort.pk, pair_id=cohort.pair_id).update(pair=pair):
            raise Refusal(CHANGED)
        record_event(
            action="cohort_pair_set",
            actor=by,
            target=cohort,
            details={"from": cohort.pair_id, "to": pair.pk if pair else None},
        )
    cohort.pair = pair
    return cohort


# Confirmation


def confirm_cohorts(*, call: Call, by, acknowledged: bool = False, now: datetime | None = None) -> Grouping:
    """Confirm the call's cohorts (read-only afterwards); with rules still broken, only when the
    manager acknowledges them, which the grouping records."""
    now = now or timezone.now()
    ensure(can_form_cohorts(by, call))
    with transaction.atomic():
        grouping = Grouping.objects.select_for_update().filter(call=call).first()
        if grouping is None or not Cohort.objects.filter(call=call).exists():
            raise Refusal(NO_GROUPING)
        GROUPING.ensure(grouping, "confirm", by=by, now=now)
        breaches = current_breaches(call)
        if breaches and not acknowledged:
            count = len(breaches)
            raise Refusal(
                f"Les collectifs enfreignent encore {count} règle{'s' if count > 1 else ''} : "
                "confirmez-les en connaissance de cause.",
                field="acknowledged",
            )
        GROUPING.perform(
            grouping,
            "confirm",
            by=by,
            now=now,
            changes={
                "confirmed_at": now,
                "confirmed_by": by,
                "acknowledged_breaches": [w.message for w in breaches],
            },
            details={"breaches": [w.breach.code for w in breaches]},
        )
        create_trios(call)
    return grouping


def create_trios(call: Call) -> list[TrioMember]:
    """Each participant's trinôme as its dossier names it; a role left unanswered stays empty (the
    programme managers complete it). Members are linked to the account of the same e-mail, if any."""
    participants = Participant.objects.filter(call=call).select_related("application__form_version")
    members = [
        TrioMember(
            participant=participant,
            role=role,
            name=person.get("name", "")[:200],
            function=person.get("function", "")[:200],
            email=person["email"].lower(),
        )
        for participant in participants
        for role, person in trio_answers(participant.application).items()
        if role in TrioRole.values and person.get("email")
    ]
    accounts = {
        user.email.lower(): user
        for user in User.objects.filter(email__in=[member.email for member in members], is_active=True)
    }
    for member in members:
        member.user = accounts.get(member.email)
    return TrioMember.objects.bulk_create(members)
