"""The cohorts of the demonstration's past OMEGA call: its dossiers selected in commission, two
consultant pairs of the programme (one per consultancy), rules for small cohorts across départements,
and the proposal confirmed, so that the cohorts have something to show. Everything goes through the
services."""

from capqvct.calls.models import Call
from capqvct.cohorts import services
from capqvct.cohorts.models import ConsultantPair, Grouping
from capqvct.demo.approaches_demo import load_approaches_demo
from capqvct.demo.attendance_demo import load_attendance_demo
from capqvct.demo.calendar_demo import load_calendar_demo
from capqvct.demo.engagement_demo import load_engagement_demo
from capqvct.demo.surveys_demo import load_surveys_demo
from capqvct.territory.models import Departement


def load_cohorts_demo(*, call: Call, people: dict) -> None:
    """`people`: the agents and consultants by e-mail local part (claire.fabre, lucie.roques, paul.vidal,
    nadia.ferrand, antoine.lacaze)."""
    if ConsultantPair.objects.filter(programme=call.programme).exists():
        return
    manager = people["claire.fabre"]
    # One pair for the Hérault and its neighbours, one for the whole region.
    pairs = (
        ("lucie.roques", "paul.vidal", Departement.objects.filter(code__in=["34", "30", "48"])),
        ("nadia.ferrand", "antoine.lacaze", ()),
    )
    for first, second, zone in pairs:
        services.save_pair(
            call=call,
            by=manager,
            first=people[first],
            second=people[second],
            min_load=2,
            max_load=6,
            departements=zone,
        )
    # Five places in this call: small cohorts, the départements mixed.
    services.save_rules(
        call=call, by=manager, max_size=4, min_size=2, same_departement=False, balance_categories=False
    )
    if not Grouping.objects.filter(call=call).exists():
        services.propose_cohorts(call=call, by=manager, time_limit=5.0)
        # Confirmed, so that the cohorts can be followed: the pairs and the trinômes find them in
        # « Mes collectifs ».
        services.confirm_cohorts(call=call, by=manager, acknowledged=True)
    load_calendar_demo(call=call, people=people)
    load_engagement_demo(call=call, people=people)
    load_attendance_demo(call=call, people=people)
    load_approaches_demo(call=call, people=people)
    load_surveys_demo(call=call, people=people)
