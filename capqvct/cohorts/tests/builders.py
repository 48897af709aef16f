"""A call of Occitanie whose selected dossiers are ready to be grouped, for the cohorts' tests."""

from datetime import timedelta

from django.utils import timezone

from capqvct.accounts.models import OrganisationKind, Role
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls import services as call_services
from capqvct.review.models import Decision, Outcome
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    departement,
    region,
)

# Lambert-93 coordinates (metres) of a few places of Hérault and Aude.
MONTPELLIER = (770_000.0, 6_280_000.0)
SETE = (745_000.0, 6_259_000.0)
BEZIERS = (723_000.0, 6_250_000.0)
CARCASSONNE = (648_000.0, 6_233_000.0)


def manager_of_occitanie():
    occitanie = region("76", "Occitanie")
    departement("34", "Hérault", "76")
    departement("11", "Aude", "76")
    departement("30", "Gard", "76")
    ars = OrganisationFactory(kind=OrganisationKind.ARS, region=occitanie, name="ARS Occitanie")
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation=ars).user


# The call's form asks for the trinôme, as the OMEGA call did.
TRIO_FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [
                {"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 3000},
                {"key": "trinome", "kind": "trio", "label": "Trinôme"},
            ],
        }
    ]
}


def trio_answers(slug: str) -> dict:
    """A trinôme whose three members have e-mails `<role>.<slug>@example.org`."""
    return {
        "trinome": {
            "direction": {
                "name": f"Directrice {slug}",
                "function": "Directrice",
                "email": f"direction.{slug}@example.org",
            },
            "staff_representative": {
                "name": f"Délégué {slug}",
                "function": "Aide-soignant, élu CSE",
                "email": f"personnel.{slug}@example.org",
            },
            "professions": {
                "name": f"Cadre {slug}",
                "function": "Cadre de santé",
                "email": f"cadre.{slug}@example.org",
            },
        }
    }


def open_call(manager, title="Accompagnement QVCT OMEGA"):
    now = timezone.now()
    from tests.factories import published_call

    return published_call(
        manager,
        title=title,
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=1),
        definition=TRIO_FORM,
    )


def dossier(
    call, name, *, departement_code="34", at=MONTPELLIER, outcome=Outcome.SELECTED, confirmed=True, **fields
):
    """A dossier of the call from a new establishment at `at` (None: without coordinates), decided."""
    x, y = at if at else (None, None)
    establishment = EstablishmentFactory(name=name, departement_id=departement_code, x=x, y=y, **fields)
    application = Application.objects.create(
        call=call,
        establishment=establishment,
        answers=trio_answers(establishment.finess_et),
        status=ApplicationStatus.IN_REVIEW,
        form_version=call_services.current_form(call),
        submitted_at=timezone.now() - timedelta(days=10),
    )
    if outcome:
        Decision.objects.create(
            application=application,
            outcome=outcome,
            reason="Motif",
            waiting_rank=1 if outcome == Outcome.WAITING_LIST else None,
            confirmed_at=timezone.now() if confirmed else None,
        )
    return application


def spread(point, step):
    return (point[0] + step * 1000.0, point[1] + step * 700.0)


def selected_call(manager, *, herault=5, aude=0):
    """A call with `herault` selected establishments around Montpellier and `aude` around Carcassonne."""
    call = open_call(manager)
    for n in range(herault):
        dossier(call, f"EHPAD de l’Hérault {n + 1}", departement_code="34", at=spread(MONTPELLIER, n))
    for n in range(aude):
        dossier(call, f"EHPAD de l’Aude {n + 1}", departement_code="11", at=spread(CARCASSONNE, n))
    return call


def consultants(count=2, *, region_code=None):
    """Consultant accounts of a consultancy (of every region when region_code is None)."""
    consultancy = OrganisationFactory(kind=OrganisationKind.CONSULTANCY, region=None, name="Cabinet Trame")
    if region_code:
        consultancy.region_id = region_code
        consultancy.save()
    return [MembershipFactory(role=Role.CONSULTANT, organisation=consultancy).user for _ in range(count)]


def confirmed_cohort(manager, *, herault=3):
    """A call whose `herault` selected establishments form one cohort, followed by a new pair, confirmed.
    Returns the cohort; its pair's consultants are `cohort.pair.first` and `cohort.pair.second`."""
    from capqvct.cohorts import services

    call = selected_call(manager, herault=herault)
    first, second = consultants(2)
    services.save_pair(call=call, by=manager, first=first, second=second, min_load=1, max_load=10)
    services.save_rules(
        call=call, by=manager, max_size=8, min_size=1, same_departement=True, balance_categories=False
    )
    services.propose_cohorts(call=call, by=manager, time_limit=2.0)
    services.confirm_cohorts(call=call, by=manager, acknowledged=True)
    return call.cohorts.get()


# Attendance, sign-in sheets, visit reports: sessions and visits made with the ORM (the calendar's pages
# make them for real), and confirmed cohorts built without the solver, for counting queries.


def session_of(cohort, *, starts_in=timedelta(days=-7), hours=6, number=None, call=None, **fields):
    """A collective session of `cohort` starting `starts_in` from now (a presentation when cohort is
    None: give `call`)."""
    from capqvct.cohorts.models import Session, SessionKind

    starts_at = timezone.now() + starts_in
    if cohort is None:
        return Session.objects.create(
            call=call,
            kind=SessionKind.PRESENTATION,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            **fields,
        )
    if number is None:
        number = cohort.sessions.count() + 1
    return Session.objects.create(
        call=cohort.call,
        cohort=cohort,
        number=number,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        **{"address": "EHPAD Les Tilleuls, 12 rue des Écoles, Montpellier", **fields},
    )


def visit_of(participant, consultant, *, starts_in=timedelta(days=-2), hours=3, **fields):
    from capqvct.cohorts.models import SupportVisit

    starts_at = timezone.now() + starts_in
    return SupportVisit.objects.create(
        participant=participant,
        consultant=consultant,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        subject="Préparer le comité QVT",
        **fields,
    )


def quick_confirmed_cohorts(manager, *, cohorts=1, per_cohort=2, pair_people=None):
    """A confirmed call whose cohorts (numbered 1…) each hold `per_cohort` participants with a full
    trinôme, all followed by one pair; made with the ORM, without the solver. Returns the cohorts."""
    from capqvct.cohorts.models import (
        Cohort,
        ConsultantPair,
        Grouping,
        GroupingStatus,
        Participant,
        Placement,
        TrioMember,
        TrioRole,
    )

    call = open_call(manager)
    first, second = pair_people or consultants(2)
    pair = ConsultantPair.objects.create(programme=call.programme, first=first, second=second)
    Grouping.objects.create(call=call, status=GroupingStatus.CONFIRMED, confirmed_at=timezone.now())
    made = []
    for number in range(1, cohorts + 1):
        cohort = Cohort.objects.create(
            call=call, number=number, name=f"Collectif Hérault {number}", pair=pair
        )
        for n in range(per_cohort):
            application = dossier(call, f"EHPAD {number}-{n + 1}", at=spread(MONTPELLIER, n))
            participant = Participant.objects.create(
                call=call,
                cohort=cohort,
                establishment=application.establishment,
                application=application,
                placement=Placement.FINESS,
            )
            slug = application.establishment.finess_et
            people = trio_answers(slug)["trinome"]
            for role in TrioRole.values:
                TrioMember.objects.create(
                    participant=participant,
                    role=role,
                    name=people[role]["name"],
                    function=people[role]["function"],
                    email=people[role]["email"],
                )
        made.append(cohort)
    return made
