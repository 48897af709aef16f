"""The QVT approaches of the demonstration's OMEGA cohorts, a few weeks in: marie.delmas's
establishment (the establishment of the first trinôme otherwise) closed its first sequence with its
consultant's agreement and is in its shared diagnosis (comité, meetings, scope, communication plan,
an EDT, two years of HR figures, situations rated by the comité, a first action); another
establishment has begun its comité. The others have not started: the following table shows it.
Invented people and figures; everything goes through the services, dated in the past."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from capqvct.approaches import diagnosis_services, feed_services, services
from capqvct.approaches.action_services import add_action
from capqvct.approaches.models import Approach, CommitteeMember
from capqvct.calls.models import Call
from capqvct.cohorts.models import Participant
from capqvct.core.models import AuditEvent

COMMITTEE = (
    ("Marie Delmas", "direction", "Directrice"),
    ("Hervé Castan", "staff_representative", "Élu du CSE, aide-soignant"),
    ("Nadia Sallès", "staff_representative", "Élue du CSE, agente de service"),
    ("Dr Paul Roux", "cme", "Médecin coordonnateur"),
    ("Inès Morel", "professional", "Infirmière de nuit"),
)
FIGURES = {
    2024: {
        "real_fte": Decimal("58.5"),
        "budgeted_fte": Decimal("61"),
        "headcount_previous_dec31": 66,
        "entries": 9,
        "exits": 11,
        "days_short_illness": 1120,
        "days_medium_illness": 610,
        "days_long_illness": 940,
        "days_maternity_paternity": 280,
        "days_work_accident": 450,
        "days_special_leave": 60,
        "replacement_fte": Decimal("4.2"),
        "staff_cost": Decimal("2350000"),
        "external_staff_cost": Decimal("96000"),
        "hours_worked": Decimal("88400"),
        "accidents_with_leave": 6,
        "days_lost": 450,
    },
    2025: {
        "real_fte": Decimal("59"),
        "budgeted_fte": Decimal("61"),
        "headcount_previous_dec31": 64,
        "entries": 7,
        "exits": 8,
        "days_short_illness": 1015,
        "days_medium_illness": 540,
        "days_long_illness": 980,
        "days_maternity_paternity": 190,
        "days_work_accident": 380,
        "days_special_leave": 55,
        "replacement_fte": Decimal("3.8"),
        "staff_cost": Decimal("2410000"),
        "external_staff_cost": Decimal("81000"),
        "hours_worked": Decimal("89100"),
        "accidents_with_leave": 5,
        "days_lost": 380,
    },
}
EDT_MEMBERS = (
    "Inès Morel, infirmière",
    "Awa Diallo, aide-soignante",
    "Léo Garcia, aide-soignant",
    "Jade Petit, agente de service",
)
SITUATIONS = (
    ("Les nuits à deux pour 80 résidents", "organisation", 4, 3, True),
    ("Les transmissions du matin qui débordent", "organisation", 3, 4, True),
    ("Le port de charges au lever", "health", 4, 2, False),
    ("Les entretiens annuels jamais faits", "skills", 2, 3, False),
)


def load_approaches_demo(*, call: Call, people: dict) -> None:
    if Approach.objects.filter(participant__call=call).exists():
        return
    participants = list(
        Participant.objects.filter(call=call, cohort__pair__isnull=False)
        .select_related("cohort__pair__first", "cohort__pair__second", "establishment")
        .order_by("cohort__number", "establishment__name")
    )
    if not participants:
        return
    marie = people.get("marie.delmas")
    mine = next((p for p in participants if marie and p.trio.filter(user=marie).exists()), participants[0])
    _diagnosis_under_way(mine, marie or mine.cohort.pair.first, days_ago=40)
    _spread_activity(mine, days_ago=40, days=23)
    other = next((p for p in participants if p.pk != mine.pk), None)
    if other is not None:
        _launch_begun(other, other.cohort.pair.first, days_ago=20)
        _spread_activity(other, days_ago=20, days=1)


def _diagnosis_under_way(participant: Participant, director, *, days_ago: int) -> None:
    start = timezone.now() - timedelta(days=days_ago)
    consultant = participant.cohort.pair.first

    def at(days: int):
        return start + timedelta(days=days)

    for name, role, function in COMMITTEE:
        services.add_committee_member(
            participant=participant, by=director, name=name, role=role, function=function, now=at(0)
        )
    services.record_committee_meeting(
        participant=participant,
        by=director,
        held_on=at(2).date(),
        attendee_ids=list(
            CommitteeMember.objects.filter(approach__participant=participant).values_list("pk", flat=True)
        ),
        minutes="Présentation de la démarche et du calendrier des séances ; tour de table des attentes.",
        decisions="Périmètre : les deux unités de vie et l’équipe de nuit. Un EDT de nuit est constitué.",
        now=at(2),
    )
    services.save_scope(
        participant=participant,
        by=director,
        services="Unités de vie Les Cigales et Les Mimosas ; équipe de nuit",
        sites="Site principal",
        notes="La cuisine, sous-traitée, est hors du périmètre.",
        now=at(3),
    )
    message = services.plan_message(
        participant=participant,
        by=director,
        audience="Toutes les équipes",
        content="Le lancement de la démarche QVT et l’appel à volontaires pour l’EDT de nuit",
        channel="Réunions d’équipe et affichage en salle de pause",
        planned_on=at(4).date(),
        now=at(3),
    )
    services.mark_message_sent(message=message, by=director, sent_on=at(5).date(), now=at(5))
    services.plan_message(
        participant=participant,
        by=director,
        audience="Les familles",
        content="Ce que la démarche change pour les résidents",
        channel="Lettre trimestrielle",
        planned_on=(timezone.now() + timedelta(days=20)).date(),
        now=at(6),
    )
    closure = services.ask_closure(participant=participant, by=director, now=at(8))
    services.answer_closure(closure=closure, by=consultant, agree=True, comment="Bon lancement.", now=at(9))
    group = diagnosis_services.add_work_group(
        participant=participant,
        by=director,
        name="EDT de nuit",
        members="\n".join(EDT_MEMBERS),
        subject="Les nuits à deux",
        now=at(10),
    )
    diagnosis_services.record_work_group_meeting(
        group=group,
        by=director,
        held_on=at(14).date(),
        notes="Le pic de 5 h à 7 h : levers, changes et transmissions en même temps.",
        now=at(14),
    )
    for year, figures in FIGURES.items():
        diagnosis_services.save_indicator_year(
            participant=participant, by=director, year=year, figures=figures, now=at(16)
        )
    situations = []
    for title, theme, importance, feasibility, retained in SITUATIONS:
        situation = diagnosis_services.add_situation(
            participant=participant, by=director, title=title, theme=theme, now=at(18)
        )
        diagnosis_services.rate_situation(
            situation=situation,
            by=director,
            importance=importance,
            feasibility=feasibility,
            retained=retained,
            now=at(20),
        )
        situations.append(situation)
    add_action(
        participant=participant,
        by=consultant,
        title="Un binôme de nuit stable sur trois mois",
        theme="organisation",
        situation_id=situations[0].pk,
        owner="Inès Morel",
        starts_on=(timezone.now() + timedelta(days=10)).date(),
        due_on=(timezone.now() + timedelta(days=100)).date(),
        status="planned",
        experiment=True,
        hypothesis="Des binômes stables partagent mieux le pic de 5 h à 7 h et réduisent les arrêts courts.",
        test_period="Trois mois, unité Les Cigales",
        now=at(22),
    )
    feed_services.post_comment(
        participant=participant,
        by=consultant,
        body="Très bon travail de l’EDT de nuit : gardons le pic de 5 h à 7 h pour la séance 2.",
        now=at(23),
    )


def _launch_begun(participant: Participant, consultant, *, days_ago: int) -> None:
    """A comité half formed, typed by the consultant during the meeting before the start."""
    start = timezone.now() - timedelta(days=days_ago)
    director = participant.trio.filter(role="direction").values_list("name", flat=True).first() or "Direction"
    services.add_committee_member(
        participant=participant, by=consultant, name=director, role="direction", now=start
    )
    services.add_committee_member(
        participant=participant, by=consultant, name="Élue du CSE", role="staff_representative", now=start
    )


def _spread_activity(participant: Participant, *, days_ago: int, days: int) -> None:
    """The audit log dates an event when it is written, that is when the demo loads: the approach's
    events are spread back over the weeks the demo tells, in their order, so that the activity feed
    reads as it would have."""
    start = timezone.now() - timedelta(days=days_ago)
    approach = Approach.objects.get(participant=participant)
    events = list(
        AuditEvent.objects.filter(
            target_type=Approach._meta.label_lower, target_id=str(approach.pk)
        ).order_by("pk")
    )
    for index, event in enumerate(events):
        event.at = start + timedelta(days=days) * index / max(len(events) - 1, 1)
    AuditEvent.objects.bulk_update(events, ["at"])
