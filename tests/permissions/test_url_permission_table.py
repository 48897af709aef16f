"""Every URL of the project has an expected status for every role; a new URL without a row fails.

Statuses are for a GET by a user signed in with a verified second factor where their role needs one.
302 means « sent to the login page » for anonymous visitors (or elsewhere when stated).
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import login_verified
from tests.permissions.world import (
    EXTRA_ROLES,
    INVITATION_TOKEN,
    ROLES,
    build_world,
    original_file,
    reviewed_call,
)
from tests.typography_check import typography_errors

pytestmark = pytest.mark.sweep

EVERYONE = {role: 200 for role in ROLES}
SIGNED_IN = {**EVERYONE, "anonymous": 302}
AGENTS = ("programme_manager", "reviewer", "other_region_agent")
DIRECTORY_USERS = {**SIGNED_IN, "no_organisation": 403, "director": 403, "member": 403, "consultant": 403}
POST_ONLY = {**{role: 405 for role in ROLES}, "anonymous": 302}
MANAGERS = {
    **{role: 403 for role in ROLES},
    "anonymous": 302,
    "programme_manager": 200,
    "other_region_agent": 200,
    "admin": 200,
}
MANAGERS_OF_OBJECT = {
    **{role: 404 for role in ROLES},
    "anonymous": 302,
    "programme_manager": 200,
    "admin": 200,
}
# An approach's workspace: its establishment, the cohort's pair, the managers of the region.
WORKSPACE_READERS = {**MANAGERS_OF_OBJECT, "consultant": 200, "director": 200, "member": 200}
API_WORKSPACE_READERS = {**{role: 404 for role in ROLES}, **WORKSPACE_READERS, "anonymous": 401}
PLATFORM_ADMIN = {**{role: 403 for role in ROLES}, "anonymous": 302, "admin": 200}
OWN_ESTABLISHMENT = {**{role: 404 for role in ROLES}, "anonymous": 302, "director": 200, "member": 200}
# The establishment's members, the programme managers of the call's region and those who see every
# region; a reviewer reads only the dossiers given to them (test_a_reviewer_reads_what_is_given_to_them).
DOSSIER_READERS = {
    **OWN_ESTABLISHMENT,
    "programme_manager": 200,
    "observer": 200,
    "admin": 200,
}


# A reviewer's own assignment: the other agents of the ARS, given nothing or in conflict, get a 404.
NOT_THIS_ASSIGNMENT = {"unassigned_reviewer": 404, "conflicted_reviewer": 404}


def only(allowed: dict, **overrides) -> dict:
    return {**allowed, **overrides}


def world_logo(w) -> str:
    """The address of the world's ARS logo, given once through the letterhead service."""
    if not w.ars.logo:
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        from capqvct.accounts.services import update_letterhead

        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), "#000091").save(buffer, "PNG")
        update_letterhead(
            organisation=w.ars,
            by=w.users["programme_manager"],
            postal_address="",
            signatory_name="",
            signatory_title="",
            logo=SimpleUploadedFile("logo.png", buffer.getvalue()),
        )
    return f"/compte/organisations/{w.ars.pk}/en-tete/logo/"


def world_decision(w):
    """A confirmed, not yet notified decision on the world's dossier (created once)."""
    from capqvct.review.models import Decision, Outcome

    decision, _ = Decision.objects.get_or_create(
        application=w.application,
        defaults={
            "outcome": Outcome.SELECTED,
            "reason": "Projet solide.",
            "confirmed_at": w.application.submitted_at,
            "confirmed_by": w.users["programme_manager"],
        },
    )
    return decision


def world_pair(w):
    """A consultant pair of the world's programme: the world's consultant and a colleague (created once)."""
    from capqvct.accounts.models import Role
    from capqvct.cohorts.models import ConsultantPair
    from tests.factories import MembershipFactory, UserFactory

    pair = ConsultantPair.objects.filter(programme=w.call.programme).first()
    if pair is None:
        consultancy = w.users["consultant"].memberships.get().organisation
        colleague = UserFactory(email="consultant2@exemple.fr")
        MembershipFactory(user=colleague, organisation=consultancy, role=Role.CONSULTANT)
        pair = ConsultantPair.objects.create(
            programme=w.call.programme, first=w.users["consultant"], second=colleague
        )
    return pair


def world_cohort(w):
    """A draft grouping of the world's call: its selected dossier alone in « Collectif Hérault 1 »,
    without a pair yet (created once)."""
    from capqvct.cohorts.models import Cohort, Grouping, Participant, Placement

    world_decision(w)
    world_pair(w)
    cohort = Cohort.objects.filter(call=w.call, number=1).first()
    if cohort is None:
        Grouping.objects.create(call=w.call, proposed_travel=0, lower_bound=0)
        cohort = Cohort.objects.create(
            call=w.call, number=1, name="Collectif Hérault 1", meeting_place=w.establishment
        )
        Participant.objects.create(
            call=w.call,
            cohort=cohort,
            establishment=w.establishment,
            application=w.application,
            x=770000,
            y=6280000,
            placement=Placement.FINESS,
        )
    return cohort


def world_confirmed_cohort(w):
    """A confirmed grouping of the reviewed call: the world's establishment alone in « Collectif
    Hérault confirmé », followed by the world's pair, the consultant in it (created once)."""
    from django.utils import timezone

    from capqvct.cohorts.models import Cohort, Grouping, GroupingStatus, Participant, Placement

    application = reviewed_call(w).application
    cohort = Cohort.objects.filter(call=application.call).first()
    if cohort is None:
        Grouping.objects.create(
            call=application.call, status=GroupingStatus.CONFIRMED, confirmed_at=timezone.now()
        )
        cohort = Cohort.objects.create(
            call=application.call, number=1, name="Collectif Hérault confirmé", pair=world_pair(w)
        )
        Participant.objects.create(
            call=application.call,
            cohort=cohort,
            establishment=w.establishment,
            application=application,
            placement=Placement.FINESS,
        )
    return cohort


def world_calendar(w):
    """The confirmed cohort's calendar: a session with a document, a visit to the world's establishment
    by the world's consultant, and the consultant's private feed (created once)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from capqvct.cohorts.models import CalendarFeed, Session, SessionDocument, SupportVisit

    cohort = world_confirmed_cohort(w)
    session = Session.objects.filter(cohort=cohort).first()
    if session is None:
        paris = ZoneInfo("Europe/Paris")
        session = Session.objects.create(
            call=cohort.call,
            cohort=cohort,
            number=1,
            starts_at=datetime(2031, 3, 4, 9, tzinfo=paris),
            ends_at=datetime(2031, 3, 4, 17, tzinfo=paris),
            address="Salle du conseil, Montpellier",
        )
        document = SessionDocument(
            session=session, name="programme.pdf", size=9, content_type="application/pdf", sha256="0" * 64
        )
        document.file.save("document", ContentFile(b"%PDF-1.4\n"), save=True)
        SupportVisit.objects.create(
            participant=cohort.participants.get(),
            consultant=w.users["consultant"],
            starts_at=datetime(2031, 2, 3, 9, tzinfo=paris),
            ends_at=datetime(2031, 2, 3, 12, tzinfo=paris),
            address="Sur place",
        )
        CalendarFeed.objects.create(
            user=w.users["consultant"], token="jeton-agenda-du-tableau", created_at=timezone.now()
        )
    return session


def world_visit(w):
    from capqvct.cohorts.models import SupportVisit

    world_calendar(w)
    return SupportVisit.objects.get(consultant=w.users["consultant"])


def world_engagement(w):
    """The engagement letter of the world's confirmed participant, sent (created once): its trinôme's
    direction is the world's director (with their account), its staff representative has none. The
    director's personal link is kept as `w.engagement_token`."""
    import re

    from capqvct.cohorts.models import TrioMember, TrioRole
    from capqvct.core.models import OutgoingEmail

    if getattr(w, "engagement_token", None):
        return w.engagement_token
    from capqvct.cohorts import engagement_services

    participant = world_confirmed_cohort(w).participants.get()
    director = w.users["director"]
    TrioMember.objects.create(
        participant=participant,
        role=TrioRole.DIRECTION,
        name="Direction du monde",
        email=director.email,
        user=director,
    )
    TrioMember.objects.create(
        participant=participant,
        role=TrioRole.STAFF_REPRESENTATIVE,
        name="Délégué du monde",
        email="delegue.monde@example.org",
    )
    engagement_services.send_engagement_letters(cohort=participant.cohort, by=w.users["programme_manager"])
    (body,) = [
        email.body
        for email in OutgoingEmail.objects.filter(purpose="cohorts.engagement_link")
        if email.to == [director.email]
    ]
    w.engagement_token = re.search(r"/collectifs/signature/([^/\s]+)/", body).group(1)
    return w.engagement_token


def world_trio_member(w):
    """The world's staff representative, who has no account: the member a replacement acts on."""
    from capqvct.cohorts.models import TrioMember

    world_engagement(w)
    return TrioMember.objects.get(email="delegue.monde@example.org", active=True)


def world_attendance(w):
    """Attendance, after the calendar's objects: the confirmed cohort's participant with a trinôme whose
    direction member is the world's director (with their account), the call's presentation starting
    now (numbered sessions stay the calendar's), a visit two days ago by the consultant's colleague in
    the pair (the world's consultant writes its report as the pair's other member), and a scan of a
    signed sheet (created once)."""
    from datetime import timedelta
    from types import SimpleNamespace

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from capqvct.cohorts.models import (
        Session,
        SessionKind,
        SignInSheetScan,
        SupportVisit,
        TrioMember,
        TrioRole,
    )

    world_calendar(w)
    cohort = world_confirmed_cohort(w)
    participant = cohort.participants.get()
    colleague = world_pair(w).second
    if not participant.trio.exists():
        TrioMember.objects.create(
            participant=participant,
            role=TrioRole.DIRECTION,
            name="Directrice du monde",
            email=w.users["director"].email,
            user=w.users["director"],
        )
        TrioMember.objects.create(
            participant=participant,
            role=TrioRole.STAFF_REPRESENTATIVE,
            name="Délégué du personnel",
            email="delegue@exemple.fr",
        )
    if not Session.objects.filter(video_url="https://visio.example.org/presentation-du-monde").exists():
        now = timezone.now()
        session = Session.objects.create(
            call=cohort.call,
            kind=SessionKind.PRESENTATION,
            starts_at=now,
            ends_at=now + timedelta(hours=2),
            mode="video",
            video_url="https://visio.example.org/presentation-du-monde",
        )
        SupportVisit.objects.create(
            participant=participant,
            consultant=colleague,
            starts_at=now - timedelta(days=2),
            ends_at=now - timedelta(days=2) + timedelta(hours=3),
        )
        scan = SignInSheetScan(
            session=session, name="feuille.pdf", size=8, content_type="application/pdf", sha256="0" * 64
        )
        scan.file.save("emargement", ContentFile(b"%PDF-1.7"), save=True)
    session = Session.objects.get(
        call=cohort.call, video_url="https://visio.example.org/presentation-du-monde"
    )
    return SimpleNamespace(
        session=session,
        visit=participant.visits.get(consultant=colleague),
        scan=session.sign_in_scans.get(),
        members=list(participant.trio.order_by("pk")),
    )


def routing_rule(w):
    """A routing rule of the reviewed call: the world's département to its reviewer (created once)."""
    from capqvct.review import services

    review = reviewed_call(w).application.call.review
    return review.routing_rules.first() or services.set_routing_rule(
        review=review,
        departement_code=w.establishment.departement_id,
        reviewer_ids=[w.users["reviewer"].pk],
        by=w.users["programme_manager"],
    )


def world_approach(w):
    """The confirmed participant's approach: a member of its comité, a message planned, a work
    situation, in its fourth sequence with a bilan written but not validated (created once)."""
    from datetime import date

    from capqvct.approaches.models import Approach, CommitteeMember, Message, Situation

    participant = world_confirmed_cohort(w).participants.get()
    approach, created = Approach.objects.get_or_create(
        participant=participant,
        defaults={"sequence": 4, "what_worked": "Les binômes de nuit", "what_did_not": "Le planning"},
    )
    if created:
        CommitteeMember.objects.create(approach=approach, name="Membre du monde", role="direction")
        Situation.objects.create(approach=approach, title="Situation du monde", theme="health")
        Message.objects.create(
            approach=approach, audience="Équipes", content="Lancement", planned_on=date(2030, 1, 7)
        )
    return approach


def world_action(w):
    """An action of the confirmed participant's plan (created once)."""
    from capqvct.approaches.models import Action

    approach = world_approach(w)
    return approach.actions.order_by("pk").first() or Action.objects.create(
        approach=approach, title="Action du monde", theme="organisation"
    )


def world_campaign(w):
    """The approach's first survey wave, closed with six responses, an open question and one answer to
    it waiting for the comité's review (created once)."""
    from django.utils import timezone

    from capqvct.surveys import services
    from capqvct.surveys.models import Campaign, InstrumentVersion

    participant = world_approach(w).participant
    campaign = Campaign.objects.filter(participant=participant, wave=1).first()
    if campaign is None:
        services.ensure_shipped_instruments()
        director = w.users["director"]
        today = timezone.localdate()
        campaign = services.create_campaign(
            participant=participant,
            by=director,
            wave=1,
            instrument=InstrumentVersion.objects.get(code="qvct-cap", agency=None),
            opens_on=today,
            closes_on=today,
            headcount=20,
        )
        question = services.add_own_question(campaign=campaign, by=director, text="Une idée", kind="text")
        services.open_campaign(campaign=campaign, by=director)
        for value in (1, 2, 3, 4, 5, 4):
            services.submit_response(
                campaign=campaign,
                answers={"ORG1": value, "ORG2": value},
                texts={str(question.pk): "Plus de pauses"},
            )
        services.close_campaign(campaign=campaign, by=director)
    return campaign


def world_document(w):
    """A file on the approach's first page (created once)."""
    from django.core.files.base import ContentFile

    from capqvct.approaches.models import ApproachDocument

    approach = world_approach(w)
    document = approach.documents.first()
    if document is None:
        document = ApproachDocument(
            approach=approach,
            part="launch",
            name="compte-rendu.pdf",
            size=9,
            content_type="application/pdf",
            sha256="0" * 64,
        )
        document.file.save("document", ContentFile(b"%PDF-1.4\n"), save=True)
    return document


def pending_closure(w):
    """A request to close the last sequence, made by the case that needs it: the others ask."""
    from django.utils import timezone

    from capqvct.approaches.models import SequenceClosure

    approach = world_approach(w)
    closure = approach.closures.filter(status="requested").first()
    return closure or SequenceClosure.objects.create(
        approach=approach, sequence=4, requested_by=w.users["director"], requested_at=timezone.now()
    )


def world_interview(w):
    """An interview on the dossier of the reviewed call (created once)."""
    from datetime import timedelta

    from capqvct.review.models import Interview

    application = reviewed_call(w).application
    interview, _ = Interview.objects.get_or_create(
        application=application,
        defaults={
            "starts_at": application.submitted_at + timedelta(days=60),
            "place": "Siège de l’agence",
            "attendees": ["direction@exemple.fr"],
            "scheduled_by": w.users["programme_manager"],
        },
    )
    return interview


def world_failed_email(w):
    """An e-mail the programme manager caused that failed for good (created once): their page lists it."""
    from capqvct.core.models import EmailStatus, OutgoingEmail

    email, _ = OutgoingEmail.objects.get_or_create(
        message_id="<echec@capqvct.example>",
        defaults={
            "to": ["direction@exemple.fr"],
            "subject": "Invitation à rejoindre l’ARS sur Cap QVCT",
            "body": "Bonjour",
            "purpose": "accounts.invitation",
            "caused_by": w.users["programme_manager"],
            "status": EmailStatus.FAILED,
            "attempts": 8,
            "last_error": "Le serveur d’envoi est injoignable (connexion refusée).",
        },
    )
    return email


def builder_block(w, rest: str = "") -> str:
    """The form builder's address of a repeated block « actions » added (once) to the world's call."""
    from capqvct.calls import builder, services

    definition = services.current_form(w.call).definition
    if "actions" not in builder.question_keys(definition):
        definition, _ = builder.add_question(
            definition, "projet", kind="repeated", attributes={"label": "Actions", "min_items": 0}
        )
        services.save_form(call=w.call, definition=definition, by=w.users["programme_manager"])
    return f"/appels/gestion/{w.call.pk}/questionnaire/questions/actions/{rest}"


# name: (path builder, expected status per role)
TABLE = {
    "core:home": (lambda w: "/", EVERYONE),
    "core:legal_notice": (lambda w: "/mentions-legales/", EVERYONE),
    "core:accessibility": (lambda w: "/accessibilite/", EVERYONE),
    "core:privacy": (lambda w: "/donnees-personnelles/", EVERYONE),
    "core:cookies": (lambda w: "/cookies/", EVERYONE),
    "core:sitemap": (lambda w: "/plan-du-site/", EVERYONE),
    "core:help": (lambda w: "/aide/", EVERYONE),
    "core:guide": (lambda w: "/aide/agents/", EVERYONE),
    "core:contact": (lambda w: "/contact/", EVERYONE),
    # The DSFR's favicon, in its static files.
    "core:favicon": (lambda w: "/favicon.ico", {role: 302 for role in ROLES}),
    "core:failed_emails": (lambda w: "/compte/envois-en-echec/", SIGNED_IN),
    "core:retry_failed_email": (
        lambda w: f"/compte/envois-en-echec/{world_failed_email(w).pk}/renvoyer/",
        POST_ONLY,
    ),
    # A signed-in user is sent on to their dashboard.
    "accounts:login": (lambda w: "/compte/connexion/", only({role: 302 for role in ROLES}, anonymous=200)),
    "accounts:logout": (lambda w: "/compte/deconnexion/", POST_ONLY),
    # Users who need no second factor, or already proved it, are sent on.
    "accounts:second_factor": (lambda w: "/compte/double-authentification/", {role: 302 for role in ROLES}),
    # Recovery codes are shown (and downloaded) only just after they were generated, from the session:
    # without them, the page sends its reader to « Mon compte » and the file is not found.
    "accounts:recovery_codes": (
        lambda w: "/compte/double-authentification/codes-de-secours/",
        {role: 302 for role in ROLES},
    ),
    "accounts:recovery_codes_download": (
        lambda w: "/compte/double-authentification/codes-de-secours/telecharger/",
        {**{role: 404 for role in ROLES}, "anonymous": 302},
    ),
    "accounts:recovery_codes_regenerate": (lambda w: "/compte/codes-de-secours/nouveaux/", POST_ONLY),
    "accounts:password_reset": (lambda w: "/compte/mot-de-passe/oubli/", EVERYONE),
    "accounts:password_reset_done": (lambda w: "/compte/mot-de-passe/oubli/envoye/", EVERYONE),
    "accounts:password_reset_confirm": (lambda w: "/compte/mot-de-passe/nouveau/MQ/jeton-faux/", EVERYONE),
    "accounts:password_reset_complete": (lambda w: "/compte/mot-de-passe/change/", EVERYONE),
    "accounts:accept_invitation": (lambda w: f"/compte/invitation/{INVITATION_TOKEN}/", EVERYONE),
    # Signing up without an invitation: a signed-in person is sent on; a stale confirmation link
    # says so to everyone.
    "accounts:signup": (lambda w: "/compte/inscription/", only({role: 302 for role in ROLES}, anonymous=200)),
    "accounts:signup_sent": (lambda w: "/compte/inscription/envoyee/", EVERYONE),
    "accounts:signup_confirm": (lambda w: "/compte/inscription/confirmer/MQ/jeton-faux/", EVERYONE),
    # The platform administrator's « Agences » page.
    "accounts:agencies": (lambda w: "/compte/agences/", PLATFORM_ADMIN),
    "accounts:agency_create": (lambda w: "/compte/agences/nouvelle/", PLATFORM_ADMIN),
    "accounts:profile": (lambda w: "/compte/", SIGNED_IN),
    "accounts:dashboard": (lambda w: "/compte/tableau-de-bord/", SIGNED_IN),
    "accounts:organisation": (
        lambda w: f"/compte/organisations/{w.ars.pk}/",
        {**{role: 404 for role in ROLES}, "anonymous": 302, "programme_manager": 200, "admin": 200},
    ),
    "accounts:invite": (
        lambda w: f"/compte/organisations/{w.ars.pk}/inviter/",
        {**{role: 404 for role in ROLES}, "anonymous": 302, "programme_manager": 200, "admin": 200},
    ),
    # The letterhead of the world's ARS: its programme manager edits it; its logo is shown to its members.
    "accounts:letterhead": (
        lambda w: f"/compte/organisations/{w.ars.pk}/en-tete/",
        {**{role: 404 for role in ROLES}, "anonymous": 302, "programme_manager": 200, "admin": 200},
    ),
    "accounts:letterhead_logo": (
        lambda w: world_logo(w),
        {
            **{role: 404 for role in ROLES},
            "anonymous": 302,
            "programme_manager": 200,
            "reviewer": 200,
            "admin": 200,
        },
    ),
    # The lifetime of the agency's API tokens is set by a form of its members' page (POST only).
    "accounts:api_token_lifetime": (lambda w: f"/compte/organisations/{w.ars.pk}/jetons-api/", POST_ONLY),
    "accounts:change_role": (lambda w: f"/compte/appartenances/{w.agent_membership.pk}/role/", POST_ONLY),
    "accounts:remove_membership": (
        lambda w: f"/compte/appartenances/{w.agent_membership.pk}/retirer/",
        POST_ONLY,
    ),
    "establishments:directory": (lambda w: "/etablissements/", DIRECTORY_USERS),
    "establishments:detail": (
        lambda w: f"/etablissements/{w.establishment.finess_et}/",
        only(
            DIRECTORY_USERS,
            no_organisation=404,
            consultant=404,
            other_region_agent=404,
            director=200,
            member=200,
        ),
    ),
    "establishments:claim_search": (lambda w: "/etablissements/rattachement/", SIGNED_IN),
    "establishments:claim_create": (
        lambda w: f"/etablissements/rattachement/{w.other_establishment.finess_et}/",
        SIGNED_IN,
    ),
    # Programme managers (of any region: the list is their region's) and administrators decide claims;
    # reviewers and observers do not.
    "establishments:claims": (
        lambda w: "/etablissements/demandes/",
        only(DIRECTORY_USERS, reviewer=403, observer=403),
    ),
    "establishments:claim_approve": (lambda w: f"/etablissements/demandes/{w.claim.pk}/accepter/", POST_ONLY),
    "establishments:claim_reject": (
        lambda w: f"/etablissements/demandes/{w.claim.pk}/refuser/",
        {**{role: 404 for role in ROLES}, "anonymous": 302, "programme_manager": 200, "admin": 200},
    ),
    # The world's claim is on the director's establishment: its direction answers it.
    "establishments:claim_confirm": (
        lambda w: f"/etablissements/demandes/{w.claim.pk}/confirmer/",
        POST_ONLY,
    ),
    "establishments:claim_decline": (
        lambda w: f"/etablissements/demandes/{w.claim.pk}/decliner/",
        {**{role: 404 for role in ROLES}, "anonymous": 302, "director": 200},
    ),
    "calls:public_list": (lambda w: "/appels/", EVERYONE),
    "calls:public_detail": (lambda w: f"/appels/{w.call.pk}/", EVERYONE),
    "calls:manage_list": (lambda w: "/appels/gestion/", MANAGERS),
    "calls:manage_programme_create": (lambda w: "/appels/gestion/programmes/nouveau/", MANAGERS),
    "calls:manage_programme": (
        lambda w: f"/appels/gestion/programmes/{w.call.programme.pk}/",
        MANAGERS_OF_OBJECT,
    ),
    "calls:manage_call_create": (
        lambda w: f"/appels/gestion/programmes/{w.call.programme.pk}/appels/nouveau/",
        MANAGERS_OF_OBJECT,
    ),
    "calls:manage_call": (lambda w: f"/appels/gestion/{w.call.pk}/", MANAGERS_OF_OBJECT),
    "calls:manage_call_edit": (lambda w: f"/appels/gestion/{w.call.pk}/modifier/", MANAGERS_OF_OBJECT),
    "calls:manage_call_form": (lambda w: f"/appels/gestion/{w.call.pk}/formulaire/", MANAGERS_OF_OBJECT),
    "calls:manage_call_preview": (lambda w: f"/appels/gestion/{w.call.pk}/apercu/", MANAGERS_OF_OBJECT),
    "calls:manage_call_publish": (lambda w: f"/appels/gestion/{w.call.pk}/publier/", POST_ONLY),
    "calls:manage_call_close": (lambda w: f"/appels/gestion/{w.call.pk}/clore/", MANAGERS_OF_OBJECT),
    "calls:manage_call_clone": (lambda w: f"/appels/gestion/{w.call.pk}/dupliquer/", MANAGERS_OF_OBJECT),
    # The form builder: 403 for whoever manages no region, 404 for another region's manager.
    "calls:manage_form_builder": (
        lambda w: f"/appels/gestion/{w.call.pk}/questionnaire/",
        only(MANAGERS, other_region_agent=404),
    ),
    "calls:manage_builder_section_add": (
        lambda w: f"/appels/gestion/{w.call.pk}/questionnaire/sections/ajouter/",
        only(MANAGERS, other_region_agent=404),
    ),
    "calls:manage_builder_section_edit": (
        lambda w: f"/appels/gestion/{w.call.pk}/questionnaire/sections/projet/",
        only(MANAGERS, other_region_agent=404),
    ),
    "calls:manage_builder_section_move": (
        lambda w: f"/appels/gestion/{w.call.pk}/questionnaire/sections/projet/deplacer/bas/",
        POST_ONLY,
    ),
    "calls:manage_builder_section_delete": (
        lambda w: f"/appels/gestion/{w.call.pk}/questionnaire/sections/projet/supprimer/",
        POST_ONLY,
    ),
    "calls:manage_builder_question_add": (
        lambda w: f"/appels/gestion/{w.call.pk}/questionnaire/sections/projet/questions/ajouter/?type=file",
        only(MANAGERS, other_region_agent=404),
    ),
    "calls:manage_builder_question_edit": (
        lambda w: f"/appels/gestion/{w.call.pk}/questionnaire/questions/motivation/",
        only(MANAGERS, other_region_agent=404),
    ),
    "calls:manage_builder_question_move": (
        lambda w: f"/appels/gestion/{w.call.pk}/questionnaire/questions/motivation/deplacer/haut/",
        POST_ONLY,
    ),
    "calls:manage_builder_question_delete": (
        lambda w: f"/appels/gestion/{w.call.pk}/questionnaire/questions/motivation/supprimer/",
        POST_ONLY,
    ),
    "calls:manage_builder_subquestion_add": (
        lambda w: builder_block(w, "sous-questions/ajouter/?type=single_choice"),
        only(MANAGERS, other_region_agent=404),
    ),
    "calls:manage_builder_subquestion_edit": (
        lambda w: builder_block(w, "sous-questions/intitule/"),
        only(MANAGERS, other_region_agent=404),
    ),
    "calls:manage_builder_subquestion_move": (
        lambda w: builder_block(w, "sous-questions/intitule/deplacer/bas/"),
        POST_ONLY,
    ),
    "calls:manage_builder_subquestion_delete": (
        lambda w: builder_block(w, "sous-questions/intitule/supprimer/"),
        POST_ONLY,
    ),
    "applications:mine": (lambda w: "/dossiers/", SIGNED_IN),
    "applications:start": (lambda w: f"/dossiers/nouveau/{w.call.pk}/", SIGNED_IN),
    "applications:edit": (lambda w: f"/dossiers/{w.application.pk}/", OWN_ESTABLISHMENT),
    "applications:receipt": (
        lambda w: f"/dossiers/{w.application.pk}/depots/1/accuse-reception.pdf",
        DOSSIER_READERS,
    ),
    "applications:read": (lambda w: f"/dossiers/{w.application.pk}/lecture/", DOSSIER_READERS),
    "applications:attachment": (lambda w: f"/dossiers/pieces/{w.attachment_pk}/", DOSSIER_READERS),
    "applications:call_dossiers": (lambda w: f"/dossiers/gestion/appels/{w.call.pk}/", MANAGERS_OF_OBJECT),
    "applications:invite_director": (
        lambda w: f"/dossiers/gestion/appels/{w.call.pk}/inviter-une-direction/",
        MANAGERS_OF_OBJECT,
    ),
    "applications:record": (
        lambda w: f"/dossiers/gestion/appels/{w.call.pk}/enregistrer/",
        MANAGERS_OF_OBJECT,
    ),
    # Spreadsheet imports: 403 for whoever manages no region, 404 for a manager of another region.
    "applications:import_upload": (
        lambda w: f"/dossiers/gestion/appels/{w.call.pk}/import/",
        only(MANAGERS, other_region_agent=404),
    ),
    "applications:import_mapping": (
        lambda w: f"/dossiers/gestion/appels/{w.call.pk}/import/{w.import_batch_pk}/correspondance/",
        only(MANAGERS, other_region_agent=404),
    ),
    "applications:import_preview": (
        lambda w: f"/dossiers/gestion/appels/{w.call.pk}/import/{w.import_batch_pk}/apercu/",
        only(MANAGERS, other_region_agent=404),
    ),
    "applications:import_run": (
        lambda w: f"/dossiers/gestion/appels/{w.call.pk}/import/{w.import_batch_pk}/importer/",
        POST_ONLY,
    ),
    # The world's file is not imported yet: its managers are sent to its preview.
    "applications:import_report": (
        lambda w: f"/dossiers/gestion/appels/{w.call.pk}/import/{w.import_batch_pk}/compte-rendu/",
        only(MANAGERS, other_region_agent=404, programme_manager=302, admin=302),
    ),
    # GET explains what reopening means (POST reopens): the establishment's own page.
    "applications:reopen": (lambda w: f"/dossiers/{w.application.pk}/rouvrir/", OWN_ESTABLISHMENT),
    "applications:withdraw": (lambda w: f"/dossiers/{w.application.pk}/retirer/", POST_ONLY),
    # Managers of no region get 403; a manager of another region, 404 for this call.
    "applications:write_to_drafts": (
        lambda w: f"/dossiers/gestion/appels/{w.call.pk}/ecrire-aux-brouillons/",
        only(MANAGERS, other_region_agent=404),
    ),
    # The ranking table (and its exports, same view): 403 for whoever manages no region, 404 for
    # a manager of another region.
    "review:ranking": (
        lambda w: f"/instruction/appels/{w.call.pk}/classement/",
        only(MANAGERS, other_region_agent=404),
    ),
    # The archive of the dossiers: the call's managers (404 for anyone else). Its status fragment
    # answers them even before any archive is prepared; the world prepares none, so the download is a
    # 404 for everyone (anonymous visitors go to the login page).
    "review:bundle_prepare": (lambda w: f"/instruction/appels/{w.call.pk}/archive/", POST_ONLY),
    "review:bundle_status": (lambda w: f"/instruction/appels/{w.call.pk}/archive/etat/", MANAGERS_OF_OBJECT),
    "review:bundle_download": (
        lambda w: f"/instruction/appels/{w.call.pk}/archive/telecharger/",
        {**{role: 404 for role in ROLES}, "anonymous": 302},
    ),
    # Decisions: the call's managers; the applicant's page to the establishment's members.
    "review:decisions": (lambda w: f"/instruction/decisions/appels/{w.call.pk}/", MANAGERS_OF_OBJECT),
    "review:decisions_progress": (
        lambda w: f"/instruction/decisions/appels/{w.call.pk}/avancement/",
        MANAGERS_OF_OBJECT,
    ),
    # The bulk proposal and the two confirmation pages, before « Confirmer en commission » and « Notifier ».
    "review:decisions_propose": (
        lambda w: f"/instruction/decisions/appels/{w.call.pk}/proposition/",
        MANAGERS_OF_OBJECT,
    ),
    "review:decisions_confirm": (
        lambda w: f"/instruction/decisions/appels/{w.call.pk}/commission/",
        MANAGERS_OF_OBJECT,
    ),
    "review:decisions_notify": (
        lambda w: f"/instruction/decisions/appels/{w.call.pk}/notifier/",
        MANAGERS_OF_OBJECT,
    ),
    "review:decision_change": (
        lambda w: f"/instruction/decisions/{world_decision(w).pk}/modifier/",
        MANAGERS_OF_OBJECT,
    ),
    "review:decision_retry": (
        lambda w: f"/instruction/decisions/{world_decision(w).pk}/renvoyer/",
        POST_ONLY,
    ),
    "review:applicant_decision": (
        lambda w: f"/instruction/decisions/dossier/{w.application.pk}/",
        OWN_ESTABLISHMENT,
    ),
    # Managers preview the letter at any time; the applicant only once it has been notified (not yet).
    "review:decision_letter": (
        lambda w: f"/instruction/decisions/dossier/{world_decision(w).application_id}/lettre/",
        MANAGERS_OF_OBJECT,
    ),
    # A letter's signed link, for an establishment without an account: no sign-in needed, so an altered
    # link is a 404 for everyone (test_decision_letter_content.py opens a genuine one, expired or not).
    "review:decision_by_link": (
        lambda w: "/instruction/decisions/lien/altere/",
        {role: 404 for role in ROLES},
    ),
    "review:decision_letter_by_link": (
        lambda w: "/instruction/decisions/lien/altere/lettre/",
        {role: 404 for role in ROLES},
    ),
    # The review of a second call, past its deadline (see world.reviewed_call): its managers see it,
    # the reviewer only their assignment (after declaring no conflict), everyone else a 404.
    "review:dashboard": (
        lambda w: f"/instruction/appels/{reviewed_call(w).application.call_id}/",
        MANAGERS_OF_OBJECT,
    ),
    "review:open": (
        lambda w: f"/instruction/appels/{reviewed_call(w).application.call_id}/ouvrir/",
        POST_ONLY,
    ),
    "review:grid": (
        lambda w: f"/instruction/appels/{reviewed_call(w).application.call_id}/grille/",
        MANAGERS_OF_OBJECT,
    ),
    "review:assign_automatically": (
        lambda w: f"/instruction/appels/{reviewed_call(w).application.call_id}/repartir/",
        POST_ONLY,
    ),
    "review:routing_rule": (
        lambda w: f"/instruction/appels/{reviewed_call(w).application.call_id}/regles/",
        POST_ONLY,
    ),
    "review:delete_routing_rule": (
        lambda w: f"/instruction/regles/{routing_rule(w).pk}/supprimer/",
        POST_ONLY,
    ),
    "review:dossier": (
        lambda w: "/instruction/appels/{0.call_id}/dossiers/{0.pk}/".format(reviewed_call(w).application),
        MANAGERS_OF_OBJECT,
    ),
    "review:assign": (
        lambda w: "/instruction/appels/{0.call_id}/dossiers/{0.pk}/affecter/".format(
            reviewed_call(w).application
        ),
        POST_ONLY,
    ),
    "review:eligibility": (
        lambda w: "/instruction/appels/{0.call_id}/dossiers/{0.pk}/eligibilite/".format(
            reviewed_call(w).application
        ),
        POST_ONLY,
    ),
    "review:complete": (
        lambda w: "/instruction/appels/{0.call_id}/dossiers/{0.pk}/completer/".format(
            reviewed_call(w).application
        ),
        POST_ONLY,
    ),
    "review:unassign": (lambda w: f"/instruction/affectations/{reviewed_call(w).pk}/retirer/", POST_ONLY),
    "review:private_note": (
        lambda w: f"/instruction/dossiers/{reviewed_call(w).application_id}/notes/",
        POST_ONLY,
    ),
    "review:my_assignments": (lambda w: "/instruction/mes-dossiers/", SIGNED_IN),
    # Questions and interviews: the call's managers on the reviewed dossier; the applicant's page
    # to the establishment's members.
    "review:exchanges": (
        lambda w: "/instruction/appels/{0.call_id}/dossiers/{0.pk}/echanges/".format(
            reviewed_call(w).application
        ),
        MANAGERS_OF_OBJECT,
    ),
    "review:interview": (lambda w: f"/instruction/entretiens/{world_interview(w).pk}/", MANAGERS_OF_OBJECT),
    "review:applicant_exchanges": (
        lambda w: f"/instruction/echanges/dossier/{w.application.pk}/",
        OWN_ESTABLISHMENT,
    ),
    # Already declared: the reviewer is sent on to the scoring page.
    "review:conflict": (
        lambda w: f"/instruction/mes-dossiers/{reviewed_call(w).pk}/conflit/",
        {**{role: 404 for role in ROLES}, "anonymous": 302, "reviewer": 302, **NOT_THIS_ASSIGNMENT},
    ),
    "review:score": (
        lambda w: f"/instruction/mes-dossiers/{reviewed_call(w).pk}/",
        {**{role: 404 for role in ROLES}, "anonymous": 302, "reviewer": 200, **NOT_THIS_ASSIGNMENT},
    ),
    # « Constituer les collectifs »: the call's managers; the world's call has one cohort in draft.
    "cohorts:page": (lambda w: f"/collectifs/appels/{w.call.pk}/", MANAGERS_OF_OBJECT),
    "cohorts:rules": (lambda w: f"/collectifs/appels/{w.call.pk}/regles/", MANAGERS_OF_OBJECT),
    "cohorts:pair_create": (lambda w: f"/collectifs/appels/{w.call.pk}/binomes/nouveau/", MANAGERS_OF_OBJECT),
    "cohorts:pair_edit": (
        lambda w: f"/collectifs/appels/{w.call.pk}/binomes/{world_pair(w).pk}/",
        MANAGERS_OF_OBJECT,
    ),
    "cohorts:propose": (lambda w: f"/collectifs/appels/{w.call.pk}/proposer/", POST_ONLY),
    "cohorts:confirm": (lambda w: f"/collectifs/appels/{w.call.pk}/confirmer/", MANAGERS_OF_OBJECT),
    "cohorts:move": (lambda w: f"/collectifs/{world_cohort(w).pk}/deplacer/", MANAGERS_OF_OBJECT),
    "cohorts:split": (lambda w: f"/collectifs/{world_cohort(w).pk}/scinder/", MANAGERS_OF_OBJECT),
    "cohorts:merge": (lambda w: f"/collectifs/{world_cohort(w).pk}/fusionner/", MANAGERS_OF_OBJECT),
    "cohorts:set_pair": (lambda w: f"/collectifs/{world_cohort(w).pk}/binome/", MANAGERS_OF_OBJECT),
    # A confirmed cohort: its managers and its pair; its participation: those and the establishment.
    "cohorts:mine": (lambda w: "/collectifs/mes-collectifs/", SIGNED_IN),
    "cohorts:cohort": (
        lambda w: f"/collectifs/{world_confirmed_cohort(w).pk}/",
        {**MANAGERS_OF_OBJECT, "consultant": 200},
    ),
    "cohorts:participation": (
        lambda w: f"/collectifs/participations/{world_confirmed_cohort(w).participants.get().pk}/",
        WORKSPACE_READERS,
    ),
    # Calendar: the confirmed cohort's sessions and visits (its managers and its pair), the call's
    # presentation and school holidays (its managers), documents (those and the establishment), « Mon
    # agenda » and the private feed (open to whoever has its token).
    "cohorts:calendar_session_new": (
        lambda w: f"/collectifs/{world_confirmed_cohort(w).pk}/seances/nouvelle/",
        {**MANAGERS_OF_OBJECT, "consultant": 200},
    ),
    "cohorts:calendar_planning": (
        lambda w: f"/collectifs/{world_confirmed_cohort(w).pk}/seances/planifier/",
        {**MANAGERS_OF_OBJECT, "consultant": 200},
    ),
    "cohorts:calendar_visit_new": (
        lambda w: f"/collectifs/{world_confirmed_cohort(w).pk}/rencontres/nouvelle/",
        {**MANAGERS_OF_OBJECT, "consultant": 200},
    ),
    "cohorts:calendar_session": (
        lambda w: f"/collectifs/seances/{world_calendar(w).pk}/",
        {**MANAGERS_OF_OBJECT, "consultant": 200},
    ),
    "cohorts:calendar_session_cancel": (
        lambda w: f"/collectifs/seances/{world_calendar(w).pk}/annuler/",
        POST_ONLY,
    ),
    "cohorts:calendar_session_document": (
        lambda w: f"/collectifs/seances/{world_calendar(w).pk}/documents/",
        POST_ONLY,
    ),
    "cohorts:calendar_document": (
        lambda w: f"/collectifs/documents/{world_calendar(w).documents.get().pk}/",
        WORKSPACE_READERS,
    ),
    "cohorts:calendar_document_remove": (
        lambda w: f"/collectifs/documents/{world_calendar(w).documents.get().pk}/retirer/",
        POST_ONLY,
    ),
    "cohorts:calendar_visit": (
        lambda w: f"/collectifs/rencontres/{world_visit(w).pk}/",
        {**MANAGERS_OF_OBJECT, "consultant": 200},
    ),
    "cohorts:calendar_visit_cancel": (
        lambda w: f"/collectifs/rencontres/{world_visit(w).pk}/annuler/",
        POST_ONLY,
    ),
    "cohorts:calendar_presentation_new": (
        lambda w: f"/collectifs/appels/{world_confirmed_cohort(w).call_id}/presentation/",
        MANAGERS_OF_OBJECT,
    ),
    "cohorts:calendar_school_holidays": (
        lambda w: f"/collectifs/appels/{world_confirmed_cohort(w).call_id}/vacances-scolaires/",
        MANAGERS_OF_OBJECT,
    ),
    "cohorts:calendar_agenda": (lambda w: "/collectifs/mon-agenda/", SIGNED_IN),
    "cohorts:calendar_feed_renew": (lambda w: "/collectifs/mon-agenda/nouvelle-adresse/", POST_ONLY),
    "cohorts:calendar_feed": (lambda w: "/collectifs/agenda/jeton-agenda-du-tableau.ics", EVERYONE),
    # Engagement letters: the text and sending, the call's managers; the letters, those who see the
    # participation (the world's letter is not signed by its whole trinôme yet: its co-signed PDF is
    # found by no one; see test_engagement_pages); replacing a member, the managers and the
    # establishment's director; the personal link, whoever holds it unless signed in with another
    # account than its member's (the world's director).
    "cohorts:engagement_template": (
        lambda w: f"/collectifs/appels/{w.call.pk}/lettre-engagement/",
        MANAGERS_OF_OBJECT,
    ),
    "cohorts:engagement_send": (
        lambda w: f"/collectifs/{world_confirmed_cohort(w).pk}/lettres-engagement/envoyer/",
        POST_ONLY,
    ),
    "cohorts:engagement_letter": (
        lambda w: (
            f"/collectifs/participations/{world_confirmed_cohort(w).participants.get().pk}/lettre-engagement.pdf"
        ),
        WORKSPACE_READERS,
    ),
    "cohorts:engagement_cosigned": (
        lambda w: (
            f"/collectifs/participations/{world_confirmed_cohort(w).participants.get().pk}/lettre-engagement-signee.pdf"
        ),
        {**{role: 404 for role in ROLES}, "anonymous": 302},
    ),
    "cohorts:engagement_replace": (
        lambda w: f"/collectifs/trinome/{world_trio_member(w).pk}/remplacer/",
        {**MANAGERS_OF_OBJECT, "director": 200},
    ),
    "cohorts:engagement_sign": (
        lambda w: f"/collectifs/signature/{world_engagement(w)}/",
        {**{role: 403 for role in ROLES}, "anonymous": 200, "director": 200},
    ),
    "cohorts:engagement_letter_by_link": (
        lambda w: f"/collectifs/signature/{world_engagement(w)}/lettre.pdf",
        {**{role: 403 for role in ROLES}, "anonymous": 200, "director": 200},
    ),
    # The approach's workspace: read by the establishment, its pair and the managers; written by the
    # first two.
    "approaches:home": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/",
        WORKSPACE_READERS,
    ),
    "approaches:launch": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/lancement/",
        WORKSPACE_READERS,
    ),
    "approaches:closure_answer": (
        lambda w: f"/demarches/demandes/{pending_closure(w).pk}/reponse/",
        POST_ONLY,
    ),
    "approaches:diagnosis": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/diagnostic/",
        WORKSPACE_READERS,
    ),
    "approaches:situation_rating": (
        lambda w: f"/demarches/situations/{world_approach(w).situations.get().pk}/cotation/",
        POST_ONLY,
    ),
    "approaches:actions": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/actions/",
        WORKSPACE_READERS,
    ),
    "approaches:action": (
        lambda w: f"/demarches/actions/{world_action(w).pk}/",
        WORKSPACE_READERS,
    ),
    "approaches:review": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/bilan/",
        WORKSPACE_READERS,
    ),
    "approaches:review_validate": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/bilan/validation/",
        POST_ONLY,
    ),
    "approaches:bilan": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/bilan.pdf",
        WORKSPACE_READERS,
    ),
    "approaches:export": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/export.zip",
        WORKSPACE_READERS,
    ),
    "approaches:comment": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/commentaires/",
        POST_ONLY,
    ),
    "approaches:digest": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/resume-quotidien/",
        POST_ONLY,
    ),
    "approaches:document_add": (
        lambda w: f"/demarches/{world_approach(w).participant_id}/documents/launch/",
        POST_ONLY,
    ),
    "approaches:document": (
        lambda w: f"/demarches/documents/{world_document(w).pk}/",
        WORKSPACE_READERS,
    ),
    "approaches:document_remove": (
        lambda w: f"/demarches/documents/{world_document(w).pk}/retirer/",
        POST_ONLY,
    ),
    "approaches:cohort_following": (
        lambda w: f"/demarches/collectifs/{world_confirmed_cohort(w).pk}/",
        {**MANAGERS_OF_OBJECT, "consultant": 200},
    ),
    "approaches:call_following": (
        lambda w: f"/demarches/appels/{world_confirmed_cohort(w).call_id}/",
        MANAGERS_OF_OBJECT,
    ),
    "approaches:committee_member_leave": (
        lambda w: f"/demarches/comite/{world_approach(w).committee.get().pk}/depart/",
        POST_ONLY,
    ),
    "approaches:message_sent": (
        lambda w: f"/demarches/messages/{world_approach(w).messages.get().pk}/envoye/",
        POST_ONLY,
    ),
    # The staff survey: the questionnaire is public (its campaign here is closed: its steps send back to
    # the first page); the campaigns are read with the workspace; paper entries and the review of open
    # answers are the establishment's; the research export is a platform administrator's.
    "surveys:respond": (lambda w: f"/q/{world_campaign(w).token}/", EVERYONE),
    "surveys:respond_step": (lambda w: f"/q/{world_campaign(w).token}/1/", {role: 302 for role in ROLES}),
    "surveys:thanks": (lambda w: f"/q/{world_campaign(w).token}/merci/", EVERYONE),
    "surveys:campaigns": (
        lambda w: f"/enquetes/demarche/{world_campaign(w).participant_id}/",
        WORKSPACE_READERS,
    ),
    "surveys:campaign": (lambda w: f"/enquetes/{world_campaign(w).pk}/", WORKSPACE_READERS),
    "surveys:question_remove": (
        lambda w: f"/enquetes/questions/{world_campaign(w).own_questions.get().pk}/retirer/",
        POST_ONLY,
    ),
    "surveys:poster": (lambda w: f"/enquetes/{world_campaign(w).pk}/affiche.pdf", WORKSPACE_READERS),
    "surveys:paper": (
        lambda w: f"/enquetes/{world_campaign(w).pk}/questionnaire-papier.pdf",
        WORKSPACE_READERS,
    ),
    "surveys:paper_entry": (lambda w: f"/enquetes/{world_campaign(w).pk}/saisie-papier/", OWN_ESTABLISHMENT),
    "surveys:free_texts": (lambda w: f"/enquetes/{world_campaign(w).pk}/reponses-libres/", OWN_ESTABLISHMENT),
    "surveys:free_text_review": (
        lambda w: f"/enquetes/reponses-libres/{world_campaign(w).own_questions.get().free_texts.first().pk}/",
        POST_ONLY,
    ),
    "surveys:report": (lambda w: f"/enquetes/{world_campaign(w).pk}/resultats.pdf", WORKSPACE_READERS),
    "surveys:aggregates": (lambda w: f"/enquetes/{world_campaign(w).pk}/resultats.csv", WORKSPACE_READERS),
    "surveys:research": (lambda w: "/enquetes/recherche/", PLATFORM_ADMIN),
    "surveys:research_export": (lambda w: "/enquetes/recherche/qvct-cap/1.0.csv", PLATFORM_ADMIN),
    # Attendance and visit reports: the sheet, its PDF and scans to the cohort's managers and pair; a
    # trio member's own « présent » is a POST; a visit's report is written by the pair.
    "cohorts:attendance_sheet": (
        lambda w: f"/collectifs/seances/{world_attendance(w).session.pk}/emargement/",
        {**MANAGERS_OF_OBJECT, "consultant": 200},
    ),
    "cohorts:attendance_declare": (
        lambda w: f"/collectifs/seances/{world_attendance(w).session.pk}/emargement/present/",
        POST_ONLY,
    ),
    "cohorts:attendance_pdf": (
        lambda w: f"/collectifs/seances/{world_attendance(w).session.pk}/emargement.pdf",
        {**MANAGERS_OF_OBJECT, "consultant": 200},
    ),
    "cohorts:attendance_scan": (
        lambda w: f"/collectifs/emargements/{world_attendance(w).scan.pk}/",
        {**MANAGERS_OF_OBJECT, "consultant": 200},
    ),
    "cohorts:visit_report": (
        lambda w: f"/collectifs/rencontres/{world_attendance(w).visit.pk}/compte-rendu/",
        {**{role: 404 for role in ROLES}, "anonymous": 302, "consultant": 200},
    ),
    "tokens:list": (lambda w: "/compte/jetons/", SIGNED_IN),
    "tokens:create": (lambda w: "/compte/jetons/nouveau/", SIGNED_IN),
    # The secret is shown once, right after creation: afterwards its owner is sent back to the list.
    "tokens:created": (
        lambda w: f"/compte/jetons/{w.api_token_pk}/cree/",
        {**{role: 404 for role in ROLES}, "anonymous": 302, "programme_manager": 302},
    ),
    "tokens:revoke": (lambda w: f"/compte/jetons/{w.api_token_pk}/revoquer/", POST_ONLY),
    "api:api-root": (lambda w: "/api/v1/", {role: 404 for role in ROLES}),
    "api:openapi-json": (lambda w: "/api/v1/openapi.json", EVERYONE),
    "api:openapi-view": (lambda w: "/api/v1/docs", EVERYONE),
    "api:list_regions": (lambda w: "/api/v1/territoire/regions", EVERYONE),
    "api:list_departements": (lambda w: "/api/v1/territoire/departements", EVERYONE),
    "api:list_communes": (lambda w: "/api/v1/territoire/communes?departement=34", EVERYONE),
    "api:list_establishments": (lambda w: "/api/v1/etablissements", only(EVERYONE, anonymous=401)),
    "api:get_establishment": (
        lambda w: f"/api/v1/etablissements/{w.establishment.finess_et}",
        {
            **{role: 404 for role in ROLES},
            "anonymous": 401,
            "director": 200,
            "member": 200,
            "programme_manager": 200,
            "reviewer": 200,
            "observer": 200,
            "admin": 200,
        },
    ),
    "api:list_calls": (lambda w: "/api/v1/appels", EVERYONE),
    "api:get_call": (lambda w: f"/api/v1/appels/{w.call.pk}", EVERYONE),
    "api:list_applications": (lambda w: "/api/v1/dossiers", only(EVERYONE, anonymous=401)),
    "api:get_application": (
        lambda w: f"/api/v1/dossiers/{w.application.pk}",
        {
            **{role: 404 for role in ROLES},
            "anonymous": 401,
            "director": 200,
            "member": 200,
            "programme_manager": 200,
            "observer": 200,
            "admin": 200,
        },
    ),
    # Writes only: a GET is refused whoever asks; their scoping is tested in capqvct/api/tests.
    "api:save_draft": (
        lambda w: f"/api/v1/dossiers/{w.application.pk}/reponses",
        {role: 405 for role in ROLES},
    ),
    "api:submit_application": (
        lambda w: f"/api/v1/dossiers/{w.application.pk}/depot",
        {role: 405 for role in ROLES},
    ),
    # The review: the reviewer reads the scores of their assignment (no conflict declared) on the review
    # of world.reviewed_call, its managers the ranking and decisions; the world's decision is not
    # notified yet, so its applicant does not see it.
    "api:list_assignments": (lambda w: "/api/v1/instruction/affectations", only(EVERYONE, anonymous=401)),
    "api:get_scores": (
        lambda w: f"/api/v1/instruction/affectations/{reviewed_call(w).pk}/notes",
        {**{role: 404 for role in ROLES}, "anonymous": 401, "reviewer": 200, **NOT_THIS_ASSIGNMENT},
    ),
    # The same path as api:get_scores (a PUT there): a GET reads the scores.
    "api:save_scores": (
        lambda w: f"/api/v1/instruction/affectations/{reviewed_call(w).pk}/notes",
        {**{role: 404 for role in ROLES}, "anonymous": 401, "reviewer": 200, **NOT_THIS_ASSIGNMENT},
    ),
    "api:submit_scores": (
        lambda w: f"/api/v1/instruction/affectations/{reviewed_call(w).pk}/remise",
        {role: 405 for role in ROLES},
    ),
    "api:get_ranking": (
        lambda w: f"/api/v1/instruction/appels/{reviewed_call(w).application.call_id}/classement",
        {**{role: 404 for role in ROLES}, "anonymous": 401, "programme_manager": 200, "admin": 200},
    ),
    "api:list_decisions": (
        lambda w: f"/api/v1/instruction/appels/{reviewed_call(w).application.call_id}/decisions",
        {**{role: 404 for role in ROLES}, "anonymous": 401, "programme_manager": 200, "admin": 200},
    ),
    "api:get_decision": (
        lambda w: f"/api/v1/dossiers/{world_decision(w).application_id}/decision",
        {**{role: 404 for role in ROLES}, "anonymous": 401},
    ),
    # Cohorts: the confirmed cohort for its managers and its pair, the participation for those and
    # the establishment; the lists are everyone's own (empty for most).
    "api:list_cohorts": (lambda w: "/api/v1/collectifs", only(EVERYONE, anonymous=401)),
    "api:get_cohort": (
        lambda w: f"/api/v1/collectifs/{world_confirmed_cohort(w).pk}",
        {
            **{role: 404 for role in ROLES},
            "anonymous": 401,
            "programme_manager": 200,
            "admin": 200,
            "consultant": 200,
        },
    ),
    "api:list_sessions": (
        lambda w: f"/api/v1/collectifs/{world_confirmed_cohort(w).pk}/seances",
        {
            **{role: 404 for role in ROLES},
            "anonymous": 401,
            "programme_manager": 200,
            "admin": 200,
            "consultant": 200,
        },
    ),
    "api:get_attendance": (
        lambda w: f"/api/v1/collectifs/{world_confirmed_cohort(w).pk}/presences",
        {
            **{role: 404 for role in ROLES},
            "anonymous": 401,
            "programme_manager": 200,
            "admin": 200,
            "consultant": 200,
        },
    ),
    "api:get_sign_in_sheet": (
        lambda w: f"/api/v1/seances/{world_attendance(w).session.pk}/emargement",
        {
            **{role: 404 for role in ROLES},
            "anonymous": 401,
            "programme_manager": 200,
            "admin": 200,
            "consultant": 200,
        },
    ),
    "api:get_agenda": (lambda w: "/api/v1/agenda", only(EVERYONE, anonymous=401)),
    "api:get_approach": (
        lambda w: f"/api/v1/participations/{world_approach(w).participant_id}/demarche",
        API_WORKSPACE_READERS,
    ),
    "api:list_campaigns": (
        lambda w: f"/api/v1/participations/{world_campaign(w).participant_id}/enquetes",
        API_WORKSPACE_READERS,
    ),
    "api:get_results": (
        lambda w: f"/api/v1/enquetes/{world_campaign(w).pk}/resultats",
        API_WORKSPACE_READERS,
    ),
    "api:get_committee": (
        lambda w: f"/api/v1/participations/{world_approach(w).participant_id}/demarche/comite",
        API_WORKSPACE_READERS,
    ),
    "api:list_work_groups": (
        lambda w: f"/api/v1/participations/{world_approach(w).participant_id}/demarche/groupes",
        API_WORKSPACE_READERS,
    ),
    "api:list_indicators": (
        lambda w: f"/api/v1/participations/{world_approach(w).participant_id}/demarche/indicateurs",
        API_WORKSPACE_READERS,
    ),
    "api:list_actions": (
        lambda w: f"/api/v1/participations/{world_approach(w).participant_id}/demarche/actions",
        API_WORKSPACE_READERS,
    ),
    "api:list_participations": (lambda w: "/api/v1/participations", only(EVERYONE, anonymous=401)),
    "api:list_visits": (
        lambda w: f"/api/v1/participations/{world_confirmed_cohort(w).participants.get().pk}/rencontres",
        API_WORKSPACE_READERS,
    ),
    # The administration: its index stands for every admin page (Django checks staff on each).
    "admin:*": (lambda w: "/admin/", only({role: 302 for role in ROLES}, admin=200)),
}


def _named_patterns(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(
                f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>"
            )
    return names


def _covered(name: str) -> bool:
    return name in TABLE or f"{name.split(':')[0]}:*" in TABLE


def test_every_url_pattern_has_a_row_in_the_table():
    missing = sorted(name for name in _named_patterns(get_resolver()) if not _covered(name))
    assert missing == [], f"URL patterns without expected statuses: {missing}"


def test_every_row_names_a_real_url_pattern():
    names = _named_patterns(get_resolver())
    stale = sorted(key for key in TABLE if not key.endswith(":*") and key not in names)
    assert stale == []


def complete_world(w):
    """Every object a row may name, built at once: the world is shared by the whole module, so
    nothing may be created lazily by one case and rolled back under the next."""
    for build in (
        reviewed_call,
        world_logo,
        world_decision,
        routing_rule,
        world_interview,
        builder_block,
        world_failed_email,
        world_cohort,
        world_confirmed_cohort,
        world_calendar,
        world_engagement,
        world_attendance,
        world_approach,
        world_action,
        world_document,
        world_campaign,
    ):
        build(w)
    return w


@pytest.fixture(scope="module")
def module_media_root(tmp_path_factory):
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture
def private_media_root(module_media_root):
    """The module's files live as long as its world: one folder for the module, not one per case."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, module_media_root):
    """Built once per module inside a transaction rolled back at its end; each case runs in a
    savepoint of it, so what a request changes is undone before the next case."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield complete_world(build_world())
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def case_in_savepoint(world, db):
    """Each case in its own savepoint (pytest-django's `db`), inside the module's transaction."""


@pytest.fixture(scope="module")
def sessions(world, django_db_blocker):
    """One signed-in session per role (second factor verified), opened once in the module's
    transaction: a case's savepoint undoes what a request changes in it (a logout included)."""
    with django_db_blocker.unblock():
        return {
            role: login_verified(Client(), world.users[role]).session.session_key
            for role in (*ROLES, *EXTRA_ROLES)
            if role != "anonymous"
        }


def _client_for(role: str, sessions) -> Client:
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
    return client


# Pages that send everyone elsewhere, not the anonymous visitor to the login page.
REDIRECT_EVERYONE = {"admin:*", "core:favicon", "surveys:respond_step"}


def expected_status(expected: dict, role: str) -> int:
    """A row names each role; the extra actors of the review follow their stand-in unless named."""
    return expected[role] if role in expected else expected[EXTRA_ROLES[role]]


@pytest.mark.parametrize("role", (*ROLES, *EXTRA_ROLES))
@pytest.mark.parametrize("name", sorted(TABLE))
def test_status_by_role(name, role, world, sessions):
    build_path, expected = TABLE[name]
    response = _client_for(role, sessions).get(build_path(world))
    assert response.status_code == expected_status(expected, role), f"{name} as {role}"
    if role == "anonymous" and expected[role] == 302 and name not in REDIRECT_EVERYONE:
        assert response["Location"].startswith("/compte/connexion/")
    if response.status_code == 200 and response["Content-Type"].startswith("text/html") and name != "admin:*":
        assert typography_errors(response.content.decode()) == []


def test_a_reviewer_reads_what_is_given_to_them(world, sessions):
    """The dossier given to the reviewer and its files: readable by them, not by the ARS's other
    reviewer, who has been given nothing."""
    application = reviewed_call(world).application
    upload = original_file(application, world.users["programme_manager"])
    paths = [
        f"/dossiers/{application.pk}/lecture/",
        f"/dossiers/pieces/{upload.pk}/",
        f"/api/v1/dossiers/{application.pk}",
    ]
    reviewer, unassigned = (_client_for(role, sessions) for role in ("reviewer", "unassigned_reviewer"))
    assert [reviewer.get(path).status_code for path in paths] == [200, 200, 200]
    assert [unassigned.get(path).status_code for path in paths] == [404, 404, 404]


def test_a_reviewer_in_conflict_reads_nothing_of_that_dossier(world, sessions):
    """Their own assignment, its scores, the dossier and its files: all 404 once the conflict is
    declared, while the dossier stays readable by the reviewer without conflict."""
    from capqvct.review.models import Assignment

    application = reviewed_call(world).application
    conflicted = Assignment.objects.get(application=application, reviewer=world.users["conflicted_reviewer"])
    upload = original_file(application, world.users["programme_manager"])
    paths = [
        f"/instruction/mes-dossiers/{conflicted.pk}/conflit/",
        f"/instruction/mes-dossiers/{conflicted.pk}/",
        f"/api/v1/instruction/affectations/{conflicted.pk}/notes",
        f"/dossiers/{application.pk}/lecture/",
        f"/dossiers/pieces/{upload.pk}/",
    ]
    client = _client_for("conflicted_reviewer", sessions)
    assert [client.get(path).status_code for path in paths] == [404] * len(paths)
    reviewer = _client_for("reviewer", sessions)
    assert [reviewer.get(path).status_code for path in paths[3:]] == [200, 200]
