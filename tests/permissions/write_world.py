"""What some rows of the POST permission table act on, created by their path builder inside the case's
savepoint (so it is undone before the next case), on top of the shared world of world.py."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import PASSWORD, EstablishmentFactory
from tests.permissions.test_url_permission_table import builder_block, world_decision
from tests.permissions.world import SMALL_FORM, published_call, reviewed_call, submitted_application


def user(w, role):
    return w.users.get(role)


def draft_call(w):
    """A call of the world's region, created but not published."""
    from capqvct.calls import services

    programme = w.call.programme
    now = timezone.now()
    return services.create_call(
        programme=programme,
        by=user(w, "programme_manager"),
        definition=SMALL_FORM,
        kind=w.call.kind,
        title="Appel en préparation",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )


def open_call(w):
    return published_call(user(w, "programme_manager"))


def closed_call(w):
    """A call past its deadline with a submitted dossier and no review yet."""
    from capqvct.calls.models import Call

    call = open_call(w)
    submitted_application(call, w.establishment, user(w, "director"))
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    return call


def draft_application(w):
    from capqvct.applications import services

    return services.start_application(
        call=open_call(w), establishment=w.establishment, by=user(w, "director")
    )


def undeclared_assignment(w):
    """The reviewer's assignment, as before they said whether they have a conflict of interest."""
    from capqvct.review.models import Assignment

    assignment = reviewed_call(w)
    Assignment.objects.filter(pk=assignment.pk).update(no_conflict_declared_at=None)
    return assignment


def information_request(w):
    from capqvct.review import exchanges

    application = reviewed_call(w).application
    return exchanges.ask_for_information(
        application=application,
        question="Pouvez-vous préciser la composition du comité QVT ?",
        reply_by=timezone.localdate() + timedelta(days=10),
        by=user(w, "programme_manager"),
    )


def second_section(w):
    """The builder's address of the call's form with a second section « Équipe »."""
    from capqvct.calls import builder, services

    definition = services.current_form(w.call).definition
    definition, _ = builder.add_section(definition, title="Équipe")
    services.save_form(call=w.call, definition=definition, by=user(w, "programme_manager"))
    return f"/appels/gestion/{w.call.pk}/questionnaire/sections/projet/deplacer/bas/"


def scored_assignment(w):
    from capqvct.review import services

    assignment = reviewed_call(w)
    criterion = assignment.application.call.review.criteria.get()
    services.save_scores(assignment=assignment, values={criterion.pk: (3, "")}, by=user(w, "reviewer"))
    return assignment


def membership_of(w, role):
    return user(w, role).memberships.get()


def own_establishment(w, role):
    """The establishment a role directs or belongs to, if any."""
    found = (
        user(w, role) and user(w, role).memberships.filter(organisation__establishment__isnull=False).first()
    )
    return found.organisation.establishment if found else None


def latest_request(w):
    from capqvct.review.models import InformationRequest

    return InformationRequest.objects.filter(application=reviewed_call(w).application).latest("pk")


def filled_draft(w):
    """A draft with its one question answered, ready to be submitted."""
    from capqvct.applications import services

    application = draft_application(w)
    services.save_draft(
        application=application,
        answers={"motivation": "Prendre soin des équipes."},
        by=user(w, "director"),
        expected_version=application.lock_version,
    )
    return application


def definition_with_question(w):
    """The call's form with one more question in its first section."""
    from capqvct.calls import services

    definition = services.current_form(w.call).definition
    first = definition["sections"][0]
    first["fields"].append({"key": "effectif", "kind": "short_text", "label": "Effectif", "max_length": 50})
    return definition


def reviewed_call_path(w, rest: str) -> str:
    return f"/instruction/decisions/appels/{reviewed_call(w).application.call_id}/{rest}"


def drafted_decision(w, *, confirmed: bool = False):
    """A decision drafted (and confirmed in commission if asked) on the reviewed call's dossier."""
    from capqvct.review import decisions
    from capqvct.review.decision_drafts import Draft, draft_decisions

    application = reviewed_call(w).application
    manager = user(w, "programme_manager")
    draft = Draft(
        application_id=application.pk, outcome="selected", reason="Projet solide.", waiting_rank=None
    )
    draft_decisions(call=application.call, drafts=[draft], by=manager)
    if confirmed:
        decisions.confirm_decisions(review=application.call.review, by=manager, places_override_reason="")
    return application


def confirmed_decision(w):
    """The reviewed dossier's decision, confirmed in commission, read afresh: the world's dossier
    object outlives the case, and PostgreSQL does not reuse the numbers a rollback freed."""
    from capqvct.review.models import Decision

    return Decision.objects.get(application=drafted_decision(w, confirmed=True))


def failed_notification(w):
    """The world's decision, whose letter could not be sent."""
    from capqvct.review.models import Decision

    decision = world_decision(w)
    Decision.objects.filter(pk=decision.pk).update(notification_error="Boîte de réception pleine.")
    return f"/instruction/decisions/{decision.pk}/renvoyer/"


def with_password(account) -> None:
    account.set_password(PASSWORD)
    account.save(update_fields=["password"])


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def establishment_without_space(w):
    """An establishment of the world's département nobody has claimed yet."""
    return EstablishmentFactory(departement=w.establishment.departement)


def second_sub_question(w):
    """The repeated block « actions » with a second sub-question « echeance » after « intitule »."""
    from capqvct.calls import services

    builder_block(w)
    definition = services.current_form(w.call).definition
    block = next(f for s in definition["sections"] for f in s["fields"] if f["key"] == "actions")
    block["fields"].append({"key": "echeance", "kind": "short_text", "label": "Échéance", "max_length": 50})
    services.save_form(call=w.call, definition=definition, by=user(w, "programme_manager"))


def sub_question_keys(w) -> list:
    block = next(f for s in form_definition(w)["sections"] for f in s["fields"] if f["key"] == "actions")
    return [sub["key"] for sub in block["fields"]]


def criterion_of(w):
    return reviewed_call(w).application.call.review.criteria.get()


def form_definition(w):
    from capqvct.calls import services

    return services.current_form(w.call).definition


def second_cohort(w, *, with_member: bool):
    """A second cohort of the world's call, « Collectif Rhône 1 », holding the dossier of the world's
    other establishment (selected) or empty."""
    from capqvct.cohorts.models import Cohort, Participant, Placement
    from tests.permissions.test_url_permission_table import world_cohort

    world_cohort(w)
    cohort = Cohort.objects.create(call=w.call, number=2, name="Collectif Rhône 1")
    if with_member:
        Participant.objects.create(
            call=w.call,
            cohort=cohort,
            establishment=w.other_establishment,
            application=second_selected_dossier(w),
            x=842000,
            y=6519000,
            placement=Placement.FINESS,
        )
    return cohort


def second_selected_dossier(w):
    """The other establishment's dossier on the world's call, selected in commission; recorded as it
    stands (the other establishment is of another region, which the dossier form refuses)."""
    from capqvct.applications.models import Application, ApplicationStatus
    from capqvct.calls.services import current_form
    from capqvct.review.models import Decision, Outcome

    application = Application.objects.create(
        call=w.call,
        establishment=w.other_establishment,
        status=ApplicationStatus.SUBMITTED,
        form_version=current_form(w.call),
        submitted_at=timezone.now(),
    )
    Decision.objects.create(
        application=application,
        outcome=Outcome.SELECTED,
        reason="Projet solide.",
        confirmed_at=timezone.now(),
    )
    return application


def second_participant(w):
    """The other establishment's dossier, in the world's cohort beside the world's establishment."""
    from capqvct.cohorts.models import Participant, Placement
    from tests.permissions.test_url_permission_table import world_cohort

    return Participant.objects.create(
        call=w.call,
        cohort=world_cohort(w),
        establishment=w.other_establishment,
        application=second_selected_dossier(w),
        x=842000,
        y=6519000,
        placement=Placement.FINESS,
    )


def world_participant(w):
    from capqvct.cohorts.models import Participant

    return Participant.objects.get(call=w.call, establishment=w.establishment)
