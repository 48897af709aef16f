"""A small world with one user per role, shared by the permission table."""

from dataclasses import dataclass

from capqvct.accounts.models import Invitation, OrganisationKind, Role, hash_secret
from capqvct.api.services import create_api_token
from capqvct.establishments.models import Claim
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    departement,
    region,
)

SMALL_FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [{"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 3000}],
        }
    ]
}
INVITATION_TOKEN = "jeton-invitation-du-tableau"

ROLES = (
    "anonymous",
    "no_organisation",
    "director",
    "member",
    "programme_manager",
    "reviewer",
    "consultant",
    "observer",
    "other_region_agent",
    "admin",
)
# Three more actors of the review, checked against every row: each behaves as its stand-in except
# where a row names it. An agent of the ARS given nothing to review; an agent of the ARS who was given
# the reviewed dossier and declared a conflict of interest; the director of another establishment.
EXTRA_ROLES = {
    "unassigned_reviewer": "reviewer",
    "conflicted_reviewer": "reviewer",
    "other_director": "no_organisation",
}


@dataclass
class World:
    users: dict
    ars: object
    space: object
    establishment: object
    other_establishment: object
    claim: object
    director_membership: object
    agent_membership: object
    api_token_pk: int | None = None
    call: object = None
    application: object = None
    attachment_pk: object = None
    import_batch_pk: object = None


def build_world() -> World:
    occitanie, aura = region("76", "Occitanie"), region("84", "Auvergne-Rhône-Alpes")
    herault, rhone = departement("34", "Hérault", "76"), departement("69", "Rhône", "84")
    ars = OrganisationFactory(kind=OrganisationKind.ARS, region=occitanie, name="ARS Occitanie")
    other_ars = OrganisationFactory(kind=OrganisationKind.ARS, region=aura, name="ARS Auvergne-Rhône-Alpes")
    consultancy = OrganisationFactory(consultancy=True)
    national = OrganisationFactory(national=True)
    space = OrganisationFactory(establishment_space=True, name="Espace EHPAD Les Tilleuls")
    establishment = EstablishmentFactory(departement=herault, organisation=space)
    other_space = OrganisationFactory(establishment_space=True, name="Espace Foyer du Rhône")
    other_establishment = EstablishmentFactory(departement=rhone, organisation=other_space)

    users = {
        role: UserFactory(email=f"{role}@exemple.fr")
        for role in (*ROLES, *EXTRA_ROLES)
        if role != "anonymous"
    }
    users["admin"].is_superuser = users["admin"].is_staff = True
    users["admin"].save()
    director_membership = MembershipFactory(user=users["director"], organisation=space, role=Role.DIRECTOR)
    MembershipFactory(user=users["member"], organisation=space, role=Role.MEMBER)
    agent_membership = MembershipFactory(
        user=users["programme_manager"], organisation=ars, role=Role.PROGRAMME_MANAGER
    )
    MembershipFactory(user=users["reviewer"], organisation=ars, role=Role.REVIEWER)
    MembershipFactory(user=users["unassigned_reviewer"], organisation=ars, role=Role.REVIEWER)
    MembershipFactory(user=users["conflicted_reviewer"], organisation=ars, role=Role.REVIEWER)
    MembershipFactory(user=users["other_director"], organisation=other_space, role=Role.DIRECTOR)
    MembershipFactory(user=users["consultant"], organisation=consultancy, role=Role.CONSULTANT)
    MembershipFactory(user=users["observer"], organisation=national, role=Role.OBSERVER)
    MembershipFactory(user=users["other_region_agent"], organisation=other_ars, role=Role.PROGRAMME_MANAGER)
    claimant = UserFactory(email="demandeur@exemple.fr")
    claim = Claim.objects.create(establishment=establishment, user=claimant, function="Directrice")
    Invitation.objects.create(
        organisation=ars,
        email="invitee@exemple.fr",
        role=Role.REVIEWER,
        token_hash=hash_secret(INVITATION_TOKEN),
        expires_at="2999-01-01T00:00:00Z",
    )
    call = published_call(users["programme_manager"])
    application = submitted_application(call, establishment, users["director"])
    attachment = original_file(application, users["programme_manager"])
    batch = spreadsheet_import(call, establishment, users["programme_manager"])
    # The call's review, opened once whichever part of the table needs it first.
    from capqvct.review.models import Review

    Review.objects.get_or_create(call=call)
    token, _ = create_api_token(user=users["programme_manager"], name="Tableau")
    return World(
        users=users,
        ars=ars,
        space=space,
        establishment=establishment,
        other_establishment=other_establishment,
        claim=claim,
        director_membership=director_membership,
        agent_membership=agent_membership,
        api_token_pk=token.pk,
        call=call,
        application=application,
        attachment_pk=attachment.pk,
        import_batch_pk=batch.pk,
    )


def published_call(manager):
    from datetime import timedelta

    from django.utils import timezone

    from tests import factories

    now = timezone.now()
    return factories.published_call(
        manager,
        definition=SMALL_FORM,
        title="Appel à candidatures OMEGA",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=20),
    )


def submitted_application(call, establishment, director):
    from capqvct.applications import services

    application = services.start_application(call=call, establishment=establishment, by=director)
    services.submit_application(application=application, by=director)
    return application


def original_file(application, by):
    """A file of the dossier, stored as any upload is."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from capqvct.applications import attachments

    upload = SimpleUploadedFile("lettre.pdf", b"%PDF-1.4\n%lettre d'engagement\n%%EOF\n")
    return attachments.store(application, upload, field_key="", by=by)


def spreadsheet_import(call, establishment, by):
    """A spreadsheet of dossiers uploaded for the call, its columns mapped, not imported yet."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from capqvct.applications import imports

    content = f"FINESS;Déposé le;Motivation\n{establishment.finess_et};01/01/2026;Texte\n".encode()
    return imports.upload_batch(call=call, upload=SimpleUploadedFile("dossiers.csv", content), by=by)


def reviewed_call(w):
    """A second call, past its deadline and under review, the world's dossier on it given to the
    reviewer, who declared no conflict; built once, the first time a row needs it."""
    if getattr(w, "review_assignment", None) is None:
        from datetime import timedelta

        from django.utils import timezone

        from capqvct.calls.models import Call
        from capqvct.review import services

        manager = w.users["programme_manager"]
        call = published_call(manager)
        application = submitted_application(call, w.establishment, w.users["director"])
        Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(hours=1))
        call.refresh_from_db()
        review = services.open_review(call=call, by=manager)
        services.set_grid(review=review, criteria=[services.CriterionInput("Portage du projet")], by=manager)
        application.refresh_from_db()
        w.review_assignment = services.assign(
            review=review, application=application, reviewer=w.users["reviewer"], by=manager
        )
        services.declare_no_conflict(assignment=w.review_assignment, by=w.users["reviewer"])
        conflicted = services.assign(
            review=review, application=application, reviewer=w.users["conflicted_reviewer"], by=manager
        )
        services.declare_conflict(
            assignment=conflicted,
            reason="J’ai travaillé dans cet établissement.",
            by=w.users["conflicted_reviewer"],
        )
    return w.review_assignment
