"""Reading a dossier and downloading its files, receipts, letters, archives and exports are written to
the audit log with the reader's IP address, as are withdrawals, reopenings and password resets; the
address behind a proxy is believed only from a trusted proxy."""

import pytest
from django.test import Client

from capqvct.applications import services as application_services
from capqvct.core.models import AuditEvent
from tests.factories import login_verified
from tests.permissions.test_url_permission_table import world_decision
from tests.permissions.world import build_world, reviewed_call

pytestmark = pytest.mark.django_db

AGENT_IP, DIRECTOR_IP, PROXY = "198.51.100.7", "203.0.113.20", "10.0.0.2"


@pytest.fixture
def world():
    return build_world()


def client_of(world, role: str, ip: str) -> Client:
    return login_verified(Client(REMOTE_ADDR=ip), world.users[role])


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("pk")


def test_every_read_of_a_dossier_and_its_files_is_logged_with_the_ip(world):
    manager = client_of(world, "programme_manager", AGENT_IP)
    application = world.application
    decision = world_decision(world)
    review_dossier = reviewed_call(world).application
    reads = [
        (f"/dossiers/{application.pk}/lecture/", "dossier_read", application),
        (f"/dossiers/pieces/{world.attachment_pk}/", "file_downloaded", application),
        (f"/dossiers/{application.pk}/depots/1/accuse-reception.pdf", "receipt_downloaded", application),
        (
            f"/instruction/decisions/dossier/{decision.application_id}/lettre/",
            "letter_downloaded",
            application,
        ),
        (
            f"/instruction/appels/{review_dossier.call_id}/dossiers/{review_dossier.pk}/",
            "dossier_read",
            review_dossier,
        ),
    ]
    for path, action, target in reads:
        assert manager.get(path).status_code == 200, path
        event = last_event(action)
        assert (event.actor, event.target_id, event.ip) == (
            world.users["programme_manager"],
            str(target.pk),
            AGENT_IP,
        ), path


def test_the_reviewer_reading_their_dossier_is_logged(world):
    assignment = reviewed_call(world)
    reviewer = client_of(world, "reviewer", AGENT_IP)

    assert reviewer.get(f"/instruction/mes-dossiers/{assignment.pk}/").status_code == 200

    event = last_event("dossier_read")
    assert (event.actor, event.target_id, event.ip) == (
        world.users["reviewer"],
        str(assignment.application_id),
        AGENT_IP,
    )


def test_downloading_the_archive_is_logged(world):
    manager = client_of(world, "programme_manager", AGENT_IP)
    call = reviewed_call(world).application.call
    manager.post(f"/instruction/appels/{call.pk}/archive/")

    response = manager.get(f"/instruction/appels/{call.pk}/archive/telecharger/")

    assert response.status_code == 200
    event = last_event("archive_downloaded")
    assert (event.target_id, event.ip) == (str(call.pk), AGENT_IP)


def test_a_refused_read_writes_nothing(world):
    stranger = client_of(world, "other_region_agent", AGENT_IP)

    assert stranger.get(f"/dossiers/{world.application.pk}/lecture/").status_code == 404
    assert not AuditEvent.objects.filter(action="dossier_read").exists()


def test_withdrawal_and_reopening_carry_the_applicant_ip(world):
    director = client_of(world, "director", DIRECTOR_IP)
    application = world.application

    director.post(f"/dossiers/{application.pk}/rouvrir/")
    director.post(f"/dossiers/{application.pk}/retirer/")

    assert last_event("application_reopened").ip == DIRECTOR_IP
    assert last_event("application_withdrawn").ip == DIRECTOR_IP


def test_events_written_outside_a_request_have_no_ip(world):
    application_services.withdraw_application(application=world.application, by=world.users["director"])

    assert last_event("application_withdrawn").ip is None


def test_x_forwarded_for_is_believed_from_a_trusted_proxy_only(world, settings):
    import ipaddress

    settings.TRUSTED_PROXY_NETWORKS = [ipaddress.ip_network("10.0.0.0/24")]
    path = f"/dossiers/{world.application.pk}/lecture/"

    behind_proxy = client_of(world, "programme_manager", PROXY)
    behind_proxy.get(path, headers={"X-Forwarded-For": f"192.0.2.99, {AGENT_IP}, 10.0.0.1"})
    assert last_event("dossier_read").ip == AGENT_IP

    direct = client_of(world, "programme_manager", DIRECTOR_IP)
    direct.get(path, headers={"X-Forwarded-For": "192.0.2.99"})
    assert last_event("dossier_read").ip == DIRECTOR_IP

    garbled = client_of(world, "programme_manager", PROXY)
    garbled.get(path, headers={"X-Forwarded-For": "pas-une-adresse"})
    assert last_event("dossier_read").ip == PROXY


def test_the_audit_log_is_purged_after_its_retention(settings):
    import io
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    settings.AUDIT_RETENTION_DAYS = 365
    old = AuditEvent.objects.create(action="login", ip="198.51.100.7")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=366))
    recent = AuditEvent.objects.create(action="login")

    call_command("purge_audit_log", stdout=io.StringIO())

    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
