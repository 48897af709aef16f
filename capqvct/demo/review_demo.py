"""An earlier OMEGA call of the demonstration, its deadline passed, in the middle of its review.

Everything goes through the services, dated in the past where they accept a date: twelve dossiers
(the demo director's online, the others received by e-mail), the Bourgogne-Franche-Comté grid, a
routing rule for the Hérault, reviewers' scores (one declared conflict, one notation not yet handed
in), a question waiting for its answer, decisions confirmed in commission for ten dossiers and two
left undecided, with the announced notification date close: the dashboard warns. Only the director's
decision is notified, so that « Mes dossiers » shows « Retenu » and the letter; the managers send
the others themselves with « Notifier les décisions ».
"""

import random
from datetime import timedelta

from django.utils import timezone

from capqvct.applications import services as application_services
from capqvct.applications.models import Application, Channel
from capqvct.calls import services as call_services
from capqvct.calls.models import Call, CallKind, Programme
from capqvct.core.outbox import deliver
from capqvct.establishments.models import Establishment
from capqvct.review import decisions, exchanges
from capqvct.review import services as review_services
from capqvct.review.decision_tasks import queue_decision_emails
from capqvct.review.models import Assignment, Outcome
from capqvct.review.ranking import ranking
from capqvct.review.services import CriterionInput

PAST_CALL_TITLE = "Appel à candidatures OMEGA 2026 — première vague"
DOSSIERS = 12
PLACES = 5
WAITING = 3
FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [
                {
                    "key": "motivation",
                    "kind": "long_text",
                    "label": "Motivation",
                    "max_length": 3000,
                    "required": True,
                },
                {"key": "objectifs", "kind": "long_text", "label": "Objectifs", "max_length": 3000},
                {"key": "trinome", "kind": "trio", "label": "Trinôme"},
            ],
        }
    ]
}
# The criteria of the Bourgogne-Franche-Comté call (see DOMAIN.md), weighted as that call weighs them.
GRID = [
    CriterionInput("Accord de la direction et des représentants du personnel", 3, 4),
    CriterionInput("Motivation et objectifs", 2, 4),
    CriterionInput("Ressources internes disponibles", 2, 4),
    CriterionInput("Intérêt pour la santé au travail, la QVT et le dialogue social", 1, 4),
]
MOTIVATIONS = [
    "Des arrêts de travail en hausse chez les aides-soignantes de nuit.",
    "Un nouveau projet d’établissement à construire avec les équipes.",
    "Le turn-over des infirmières coordinatrices fragilise le service.",
    "Les tournées du SSIAD s’allongent et les équipes s’épuisent.",
]


def load_review_demo(*, programme: Programme, director_establishment: Establishment, people: dict) -> Call:
    """`people`: the agents by e-mail local part (claire.fabre, julien.mas, sophie.causse, mehdi.benali)
    and the director (marie.delmas)."""
    if existing := Call.objects.filter(title=PAST_CALL_TITLE).first():
        return existing
    now = timezone.now()
    manager = people["claire.fabre"]
    call = _past_call(programme, manager, now)
    dossiers = _dossiers(call, director_establishment, people, now)
    review = review_services.open_review(call=call, by=manager, now=now - timedelta(days=11))
    # Now in review: read again, the director's first.
    in_review = Application.objects.in_bulk([dossier.pk for dossier in dossiers])
    dossiers = [in_review[dossier.pk] for dossier in dossiers]
    review_services.set_grid(review=review, criteria=GRID, by=manager)
    review_services.set_routing_rule(
        review=review,
        departement_code="34",
        reviewer_ids=[people["julien.mas"].pk, people["mehdi.benali"].pk],
        by=manager,
    )
    review_services.assign_automatically(review=review, by=manager)
    _score(review, dossiers, now)
    _exchanges(dossiers, manager, people["marie.delmas"], now)
    _decide(review, manager, director_dossier=dossiers[0], now=now)
    return call


def _past_call(programme: Programme, manager, now) -> Call:
    opens_at = now - timedelta(days=60)
    call = call_services.create_call(
        programme=programme,
        by=manager,
        definition=FORM,
        kind=CallKind.AAC,
        title=PAST_CALL_TITLE,
        description="La première vague de l’appel OMEGA : dossiers en cours d’instruction.",
        categories=["500", "354"],
        places=PLACES,
        opens_at=opens_at,
        closes_at=now - timedelta(days=12),
        notification_on=(now + timedelta(days=4)).date(),
    )
    return call_services.publish_call(call=call, by=manager, now=opens_at)


def _dossiers(call: Call, director_establishment: Establishment, people: dict, now) -> list[Application]:
    """The director's dossier, sent online; eleven others received by e-mail and transcribed."""
    director, manager = people["marie.delmas"], people["claire.fabre"]
    sent_at = now - timedelta(days=20)
    online = application_services.start_application(
        call=call, establishment=director_establishment, by=director, now=sent_at
    )
    _fill(online, director, 0, director)
    application_services.submit_application(application=online, by=director, now=sent_at)
    others = (
        Establishment.objects.filter(
            departement__region_id=call.programme.region_id, category_code__in=call.categories
        )
        .exclude(pk=director_establishment.pk)
        .exclude(applications__isnull=False)
        .order_by("departement_id", "finess_et")
    )
    # Half from the Hérault, which has its routing rule, half from elsewhere in the region.
    chosen = list(others.filter(departement_id="34")[:5]) + list(others.exclude(departement_id="34")[:6])
    dossiers = [online]
    for number, establishment in enumerate(chosen, start=1):
        received = application_services.record_received_application(
            call=call,
            establishment=establishment,
            channel=Channel.EMAIL,
            received_at=sent_at - timedelta(hours=number),
            sender_email=f"direction{number}@etablissement-demo.example",
            by=manager,
        )
        _fill(received, manager, number, director)
        application_services.submit_application(application=received, by=manager)
        dossiers.append(received)
    return [Application.objects.get(pk=dossier.pk) for dossier in dossiers]


# Invented people: first names and surnames mixed by the dossier's number.
FIRST_NAMES = ["Hélène", "Karim", "Sandrine", "Thierry", "Aurélie", "Yannick", "Fatou", "Grégoire", "Inès"]
SURNAMES = ["Roux", "Baptiste", "Ollier", "Mercadier", "Santos", "Villeneuve", "Cabrol", "Lemaire", "Doumbia"]


def _trio(number: int, director) -> dict:
    """The dossier's trinôme; the director's own dossier names her for the direction."""

    def person(offset: int, function: str, prefix: str) -> dict:
        first = FIRST_NAMES[(number + offset) % len(FIRST_NAMES)]
        last = SURNAMES[(number * 2 + offset) % len(SURNAMES)]
        return {
            "name": f"{first} {last}",
            "function": function,
            "email": f"{prefix}{number}@etablissement-demo.example",
        }

    direction = person(0, "Directrice adjointe", "direction")
    if number == 0:
        direction = {"name": director.get_full_name(), "function": "Directrice", "email": director.email}
    return {
        "direction": direction,
        "staff_representative": person(3, "Aide-soignante, élue au CSE", "personnel"),
        "professions": person(5, "Cadre de santé", "cadre"),
    }


def _fill(application: Application, by, number: int, director) -> None:
    application_services.save_draft(
        application=application,
        answers={
            "motivation": MOTIVATIONS[number % len(MOTIVATIONS)],
            "objectifs": "Associer le CSE et les équipes de nuit à un plan d’action sur deux ans.",
            "trinome": _trio(number, director),
        },
        by=by,
        expected_version=application.lock_version,
    )
    application.refresh_from_db()


def _score(review, dossiers: list[Application], now) -> None:
    """Every reviewer scores, but one declares a conflict and one has not handed in yet."""
    rng = random.Random(2026)
    criteria = list(review.criteria.all())
    # The director's dossier scores well, so that it is selected.
    strength = {
        dossier.pk: 4 if n == 0 else rng.choice((1, 2, 2, 3, 3, 4)) for n, dossier in enumerate(dossiers)
    }
    assignments = list(
        Assignment.objects.filter(application__in=dossiers).select_related("reviewer").order_by("pk")
    )
    for number, assignment in enumerate(assignments):
        reviewer = assignment.reviewer
        if number == 3:
            review_services.declare_conflict(
                assignment=assignment, reason="J’ai été cadre de santé dans cet établissement.", by=reviewer
            )
            continue
        review_services.declare_no_conflict(assignment=assignment, by=reviewer)
        base = strength[assignment.application_id]
        values = {
            criterion.pk: (max(0, min(criterion.scale_max, base + rng.choice((-1, 0, 0, 1)))), "")
            for criterion in criteria
        }
        review_services.save_scores(assignment=assignment, values=values, by=reviewer)
        if number != len(assignments) - 1:
            review_services.submit_scores(assignment=assignment, by=reviewer, now=now - timedelta(days=5))


def _exchanges(dossiers: list[Application], manager, director, now) -> None:
    """The director answered a question; another establishment has one still waiting."""
    reply_by = (now + timedelta(days=6)).date()
    asked = exchanges.ask_for_information(
        application=dossiers[0],
        question="Combien de salariés travaillent de nuit dans l’établissement ?",
        reply_by=reply_by,
        by=manager,
        now=now - timedelta(days=8),
    )
    exchanges.answer_information_request(
        request=asked, answer="Quatorze, sur trois équipes.", by=director, now=now - timedelta(days=7)
    )
    exchanges.ask_for_information(
        application=dossiers[-1],
        question="Pouvez-vous joindre l’avis du CSE sur votre candidature ?",
        reply_by=reply_by,
        by=manager,
        now=now - timedelta(days=2),
    )


def _decide(review, manager, *, director_dossier: Application, now) -> None:
    """By rank: the places, then the waiting list, then not selected; the last two are left undecided."""
    ranked_ids = [row.application_id for row in ranking(review).dossiers if row.average is not None]
    by_id = Application.objects.in_bulk(ranked_ids)
    ranked = [by_id[pk] for pk in ranked_ids]
    decided = ranked[:-2] if len(ranked) > 2 else ranked
    for number, application in enumerate(decided):
        if number < PLACES:
            outcome, rank, reason = Outcome.SELECTED, None, "Un projet porté par la direction et le CSE."
        elif number < PLACES + WAITING:
            outcome, rank, reason = (
                Outcome.WAITING_LIST,
                number - PLACES + 1,
                "Un bon dossier ; les places sont prises.",
            )
        else:
            outcome, rank, reason = (
                Outcome.NOT_SELECTED,
                None,
                "Les objectifs restent à préciser avec les équipes.",
            )
        decisions.draft_decision(
            application=application, outcome=outcome, reason=reason, by=manager, waiting_rank=rank
        )
    decisions.confirm_decisions(review=review, by=manager, now=now - timedelta(days=1))
    director_decision = director_dossier.decision
    director_decision.refresh_from_db()
    # Sent at once, without waiting for the worker: « Mes dossiers » shows it as soon as the demo loads.
    for email in queue_decision_emails([director_decision.pk], by=manager):
        deliver(email.pk)
