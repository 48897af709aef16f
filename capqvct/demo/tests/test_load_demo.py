from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from capqvct.accounts.models import Membership, User
from capqvct.applications.models import Application, Attachment
from capqvct.calls.selectors import public_calls
from capqvct.demo import people
from capqvct.demo.review_demo import PAST_CALL_TITLE
from capqvct.establishments.models import Claim, Establishment
from capqvct.review.models import Assignment, Decision, Review

pytestmark = pytest.mark.django_db


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_prints_every_login_and_can_be_loaded_twice():
    first = _load()
    second = _load()

    for email, *_ in people.PEOPLE:
        assert email in first
    assert people.DEMO_PASSWORD in first
    assert "0 créés" in second
    assert Establishment.objects.filter(departement__region_id=people.DEMO_REGION).count() == 300
    assert User.objects.filter(email=people.DIRECTOR[0]).get().memberships.get().role == "director"
    # One claim on a space nobody runs yet; one on the director's EHPAD, which the director may confirm.
    assert Claim.objects.filter(status="pending").count() == 2
    assert Claim.objects.get(user__email=people.COLLEAGUE_CLAIMANT[0]).establishment.organisation_id
    assert Membership.objects.count() == len(people.PEOPLE) + 2
    assert mail.outbox == []
    assert list(public_calls().values_list("title", flat=True)) == [people.OMEGA_CALL_TITLE]
    # On the open call, a draft begun online and a dossier received by post with its scanned letter, once.
    assert sorted(
        Application.objects.filter(call__title=people.OMEGA_CALL_TITLE).values_list("channel", "status")
    ) == [("online", "draft"), ("post", "draft")]
    assert Attachment.objects.get().content_type == "application/pdf"


def test_the_demo_has_an_earlier_call_in_the_middle_of_its_review():
    _load()
    _load()
    dossiers = Application.objects.filter(call__title=PAST_CALL_TITLE)
    assert dossiers.count() == 12 and set(dossiers.values_list("status", flat=True)) == {"in_review"}
    review = Review.objects.get(call__title=PAST_CALL_TITLE)
    assert review.criteria.count() == 4 and review.routing_rules.get().departement_id == "34"
    confirmed = Decision.objects.filter(application__in=dossiers, confirmed_at__isnull=False)
    assert confirmed.count() == 10
    assert confirmed.filter(outcome="selected").count() == review.call.places
    # The director reads « Retenu »; another establishment has a question waiting.
    director_dossier = dossiers.get(establishment__organisation__memberships__user__email=people.DIRECTOR[0])
    assert director_dossier.state_for_applicant == "Retenu"
    assert dossiers.filter(applicant_stage="information_requested").count() == 1
    assert Assignment.objects.filter(conflict_declared_at__isnull=False).count() == 1
    assert mail.outbox == []


def test_demo_otp_prints_a_six_digit_code():
    _load()
    out = StringIO()
    call_command("demo_otp", people.PEOPLE[0][0], stdout=out)
    assert len(out.getvalue().strip()) == 6


def test_the_demo_has_confirmed_cohorts_with_their_trinomes_on_the_earlier_call():
    from capqvct.cohorts.models import ConsultantPair, Grouping, Participant, TrioMember

    _load()
    _load()
    grouping = Grouping.objects.get(call__title=PAST_CALL_TITLE)
    assert grouping.status == "confirmed"
    assert ConsultantPair.objects.filter(programme=grouping.call.programme).count() == 2
    selected = Decision.objects.filter(application__call=grouping.call, outcome="selected").count()
    assert Participant.objects.filter(call=grouping.call).count() == selected > 0
    assert TrioMember.objects.filter(participant__call=grouping.call).count() == 3 * selected
    # The demonstration's director is in her establishment's trinôme, with her account.
    director = TrioMember.objects.get(user__email=people.DIRECTOR[0])
    assert director.role == "direction"


def test_the_demo_has_engagement_letters_signed_in_full_by_one_trinome():
    from capqvct.cohorts.models import EngagementLetter, EngagementSignature

    _load()
    _load()
    letters = EngagementLetter.objects.filter(participant__call__title=PAST_CALL_TITLE)
    assert (
        letters.count()
        == Decision.objects.filter(application__call__title=PAST_CALL_TITLE, outcome="selected").count()
    )
    complete = letters.get(completed_at__isnull=False)
    # The demonstration's director signed her establishment's letter with her account.
    assert EngagementSignature.objects.filter(letter=complete, user__email=people.DIRECTOR[0]).exists()
    assert EngagementSignature.objects.filter(letter__completed_at__isnull=True).count() == 1


def test_the_demo_cohorts_have_visit_reports():
    from capqvct.cohorts.models import Cohort, SupportVisit

    _load()
    _load()
    past = SupportVisit.objects.filter(starts_at__lt=timezone.now(), kind="support")
    assert past.count() == SupportVisit.objects.filter(kind="support").count() > 0
    # The meetings before the start are past, each with its report.
    kickoffs = SupportVisit.objects.filter(kind="kickoff")
    assert kickoffs.count() == kickoffs.filter(report_written_at__isnull=False).count() > 0
    # Each cohort's last establishment waits for its report.
    assert (
        past.filter(report_written_at__isnull=True).count()
        == Cohort.objects.filter(pair__isnull=False).count()
    )
    assert past.filter(report_written_at__isnull=False, report_decisions__contains="comité QVT").exists()


def test_the_demo_cohorts_held_their_first_session_with_its_sign_in_sheet():
    from capqvct.cohorts.attendance_selectors import attendance_by_participant
    from capqvct.cohorts.models import Attendance, Cohort, Session

    _load()
    _load()
    cohorts = Cohort.objects.filter(call__title=PAST_CALL_TITLE, pair__isnull=False)
    held = Session.objects.filter(call__title=PAST_CALL_TITLE, ends_at__lt=timezone.now())
    # The presentation and each cohort's first session; the next four are ahead.
    assert sorted(held.values_list("number", flat=True), key=str) == sorted(
        [None, *[1] * cohorts.count()], key=str
    )
    assert Attendance.objects.filter(present=False).count() == cohorts.count()
    for cohort in cohorts:
        summary = attendance_by_participant(cohort)
        assert {item.held for item in summary} == {2}
        absent = [item for item in summary if item.attended["staff_representative"] == 1]
        assert len(absent) == 1  # the presentation only


def test_the_demo_has_an_approach_in_its_shared_diagnosis():
    from capqvct.approaches.models import Approach
    from capqvct.approaches.selectors import home_of

    _load()
    _load()
    approach = Approach.objects.get(participant__trio__user__email=people.DIRECTOR[0])
    assert approach.sequence == 2
    assert approach.indicator_years.count() == 2 and approach.situations.filter(retained=True).count() == 2
    # The second sequence's checklist has begun: the EDT met, the figures are in, priorities chosen.
    checks = {check.item.code: check.done for check in home_of(approach.participant).checks}
    assert checks["work_group_meeting"] and checks["indicators"] and checks["priorities"]
    assert Approach.objects.count() == 2
