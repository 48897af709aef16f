"""A confirmed cohort whose first participant has an establishment space with a director: the people
of a workspace (the director, the pair, the programme manager) and strangers to it."""

from dataclasses import dataclass

from capqvct.accounts.models import Role
from capqvct.cohorts.models import Cohort, Participant
from capqvct.cohorts.tests.builders import confirmed_cohort, consultants, manager_of_occitanie
from tests.factories import MembershipFactory, OrganisationFactory


@dataclass
class Workspace:
    manager: object
    cohort: Cohort
    participant: Participant
    other: Participant
    director: object
    consultant: object
    stranger: object


def workspace(*, herault: int = 2) -> Workspace:
    manager = manager_of_occitanie()
    cohort = confirmed_cohort(manager, herault=herault)
    participant, other = cohort.participants.select_related("establishment").order_by("pk")[:2]
    participant.establishment.organisation = OrganisationFactory(establishment_space=True)
    participant.establishment.save()
    director = MembershipFactory(role=Role.DIRECTOR, organisation=participant.establishment.organisation).user
    return Workspace(
        manager=manager,
        cohort=cohort,
        participant=Participant.objects.select_related("cohort__pair__first", "cohort__pair__second").get(
            pk=participant.pk
        ),
        other=other,
        director=director,
        consultant=cohort.pair.first,
        stranger=consultants(1)[0],
    )
