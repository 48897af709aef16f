"""The digital sign-in sheet: the pair or a programme manager records who came, a trio member ticks
themself on the session's day, a cancelled session takes no attendance, and a stranger gets a 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from capqvct.cohorts import attendance_services
from capqvct.cohorts.models import Attendance, EventStatus, TrioMember, TrioRole
from capqvct.cohorts.tests.builders import (
    consultants,
    manager_of_occitanie,
    quick_confirmed_cohorts,
    session_of,
)
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import UserFactory, login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return manager_of_occitanie()


@pytest.fixture
def cohort(manager):
    return quick_confirmed_cohorts(manager, per_cohort=2)[0]


def members_of(cohort):
    return list(TrioMember.objects.filter(participant__cohort=cohort).order_by("pk"))


def sheet_payload(members, absent=()):
    payload = {"form": "attendance"}
    for member in members:
        payload[f"member-{member.pk}"] = "absent" if member in absent else "present"
    return payload


def test_the_pair_records_everyone_in_one_form(client, cohort):
    session = session_of(cohort)
    members = members_of(cohort)
    consultant = cohort.pair.second
    login_verified(client, consultant)
    page = client.get(reverse("cohorts:attendance_sheet", args=[session.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert typography_errors(text) == []
    for member in members:
        assert member.name in text

    response = client.post(
        reverse("cohorts:attendance_sheet", args=[session.pk]), sheet_payload(members, absent=members[:1])
    )

    assert response.status_code == 302
    lines = {a.trio_member_id: a for a in Attendance.objects.filter(session=session)}
    assert len(lines) == 6
    assert lines[members[0].pk].present is False
    assert all(lines[m.pk].present for m in members[1:])
    assert {a.recorded_by for a in lines.values()} == {consultant}
    assert AuditEvent.objects.filter(action="attendance_recorded", target_id=str(session.pk)).count() == 1
    # The page then says who recorded it.
    again = client.get(reverse("cohorts:attendance_sheet", args=[session.pk])).content.decode()
    assert "Enregistré par" in again


def test_a_programme_manager_records_too(cohort, manager):
    session = session_of(cohort)
    member = members_of(cohort)[0]
    attendance_services.record_attendance(session=session, by=manager, presence={member.pk: True})
    assert Attendance.objects.get(session=session, trio_member=member).recorded_by == manager


def test_recording_again_changes_only_what_changed(cohort):
    session = session_of(cohort)
    first, second = members_of(cohort)[:2]
    pair = cohort.pair
    attendance_services.record_attendance(
        session=session, by=pair.first, presence={first.pk: True, second.pk: True}
    )
    changed = attendance_services.record_attendance(
        session=session, by=pair.second, presence={first.pk: True, second.pk: False}
    )
    assert changed == 1
    assert Attendance.objects.get(trio_member=first).recorded_by == pair.first
    assert Attendance.objects.get(trio_member=second).recorded_by == pair.second


def test_another_consultant_gets_a_404_and_changes_nothing(client, cohort):
    session = session_of(cohort)
    stranger = consultants(1)[0]
    login_verified(client, stranger)
    url = reverse("cohorts:attendance_sheet", args=[session.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, sheet_payload(members_of(cohort))).status_code == 404
    assert client.get(reverse("cohorts:attendance_pdf", args=[session.pk])).status_code == 404
    assert not Attendance.objects.exists()
    with pytest.raises(Refusal, match="Seuls les responsables de programme et le binôme"):
        attendance_services.record_attendance(
            session=session, by=stranger, presence={members_of(cohort)[0].pk: True}
        )


def test_a_cancelled_session_takes_no_attendance(client, cohort):
    session = session_of(cohort, status=EventStatus.CANCELLED)
    login_verified(client, cohort.pair.first)
    response = client.post(
        reverse("cohorts:attendance_sheet", args=[session.pk]), sheet_payload(members_of(cohort)), follow=True
    )
    assert "Cette séance est annulée\u00a0: elle ne prend pas d’émargement." in response.content.decode()
    assert not Attendance.objects.exists()
    assert not AuditEvent.objects.filter(action="attendance_recorded").exists()


def test_attendance_opens_on_the_session_day(cohort):
    session = session_of(cohort, starts_in=timedelta(days=3))
    with pytest.raises(Refusal, match="L’émargement s’ouvre le jour de la séance"):
        attendance_services.record_attendance(
            session=session, by=cohort.pair.first, presence={members_of(cohort)[0].pk: True}
        )
    assert not Attendance.objects.exists()


def test_a_refused_form_keeps_what_was_chosen(client, cohort):
    session = session_of(cohort, starts_in=timedelta(days=3))
    members = members_of(cohort)
    login_verified(client, cohort.pair.first)
    page = client.post(
        reverse("cohorts:attendance_sheet", args=[session.pk]), sheet_payload(members, absent=members[:1])
    ).content.decode()
    assert "L’émargement s’ouvre le jour de la séance" in page
    assert f'id="member-{members[0].pk}-absent" name="member-{members[0].pk}" value="absent" checked' in page
    assert (
        f'id="member-{members[1].pk}-present" name="member-{members[1].pk}" value="present" checked' in page
    )


def test_someone_not_expected_cannot_be_recorded(cohort, manager):
    other_cohort = quick_confirmed_cohorts(manager, per_cohort=1)[0]
    session = session_of(cohort)
    outsider = members_of(other_cohort)[0]
    with pytest.raises(Refusal, match="n’est pas attendue à cette séance"):
        attendance_services.record_attendance(
            session=session, by=cohort.pair.first, presence={outsider.pk: True}
        )


def test_the_presentation_expects_every_cohort_of_the_call(manager):
    first, second = quick_confirmed_cohorts(manager, cohorts=2, per_cohort=1)
    presentation = session_of(None, call=first.call)
    from capqvct.cohorts.attendance_selectors import expected_members

    assert {m.participant.cohort_id for m in expected_members(presentation)} == {first.pk, second.pk}


# A trio member ticks themself present


def linked_member(cohort, role=TrioRole.STAFF_REPRESENTATIVE):
    member = members_of(cohort)[0].participant.trio.get(role=role)
    member.user = UserFactory(email=member.email)
    member.save()
    return member


def test_a_trio_member_ticks_themself_present_on_the_day(client, cohort):
    session = session_of(cohort, starts_in=timedelta(minutes=1))
    member = linked_member(cohort)
    login_verified(client, member.user)
    home = client.get(reverse("cohorts:mine")).content.decode()
    assert "Je suis présent" in home
    assert typography_errors(home) == []

    response = client.post(reverse("cohorts:attendance_declare", args=[session.pk]), follow=True)

    line = Attendance.objects.get(session=session)
    assert (line.trio_member, line.present, line.self_declared, line.recorded_by) == (
        member,
        True,
        True,
        member.user,
    )
    assert "Votre présence est enregistrée" in response.content.decode()
    assert "Présence enregistrée" in response.content.decode()


def test_a_trio_member_cannot_tick_another_day(cohort):
    member = linked_member(cohort)
    yesterday = session_of(cohort, starts_in=timedelta(days=-1, minutes=-5))
    tomorrow = session_of(cohort, starts_in=timedelta(days=1, minutes=5))
    for session in (yesterday, tomorrow):
        with pytest.raises(Refusal, match="le jour de la séance seulement"):
            attendance_services.declare_presence(session=session, by=member.user)
    assert not Attendance.objects.exists()


def test_a_trio_member_cannot_tick_a_cancelled_session(cohort):
    member = linked_member(cohort)
    session = session_of(cohort, starts_in=timedelta(minutes=1), status=EventStatus.CANCELLED)
    with pytest.raises(Refusal, match="Cette séance est annulée"):
        attendance_services.declare_presence(session=session, by=member.user, now=timezone.now())
    assert not Attendance.objects.exists()


def test_a_trio_member_of_another_cohort_gets_a_404(client, cohort, manager):
    other = linked_member(quick_confirmed_cohorts(manager, per_cohort=1)[0])
    session = session_of(cohort, starts_in=timedelta(minutes=1))
    login_verified(client, other.user)
    assert client.post(reverse("cohorts:attendance_declare", args=[session.pk])).status_code == 404
    assert client.get(reverse("cohorts:attendance_sheet", args=[session.pk])).status_code == 404
    assert not Attendance.objects.exists()


def test_a_replaced_member_can_no_longer_tick(cohort):
    member = linked_member(cohort)
    member.active, member.replaced_at = False, timezone.now()
    member.save()
    session = session_of(cohort, starts_in=timedelta(minutes=1))
    with pytest.raises(Refusal, match="Vous n’êtes pas attendu"):
        attendance_services.declare_presence(session=session, by=member.user)
