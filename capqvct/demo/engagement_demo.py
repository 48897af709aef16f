"""The engagement letters of the demonstration's OMEGA cohorts: sent to every trinôme, signed by the
whole trinôme of one establishment (marie.delmas's, signed in with her account when she is in it) and
by part of another's, so that the cohort page shows each state. Everything goes through the services;
the links are those the e-mails carry."""

from datetime import timedelta

from django.utils import timezone

from capqvct.calls.models import Call
from capqvct.cohorts import engagement_services
from capqvct.cohorts.engagement_links import link_token
from capqvct.cohorts.models import Cohort, EngagementInvitation, EngagementLetter, TrioRole

# Addresses reserved for documentation (RFC 5737).
DEMO_IPS = ("192.0.2.14", "198.51.100.23", "203.0.113.41")


def load_engagement_demo(*, call: Call, people: dict) -> None:
    if EngagementLetter.objects.filter(participant__call=call).exists():
        return
    manager = people["claire.fabre"]
    sent_at = timezone.now() - timedelta(days=3)
    cohorts = list(Cohort.objects.filter(call=call).order_by("number"))
    for cohort in cohorts:
        engagement_services.send_engagement_letters(cohort=cohort, by=manager, now=sent_at)
    invitations = list(
        EngagementInvitation.objects.filter(letter__participant__call=call)
        .select_related("member__user", "letter__participant")
        .order_by("letter__participant__establishment__name", "member__role")
    )
    if not invitations:
        return
    marie = people.get("marie.delmas")
    hers = [i for i in invitations if marie is not None and i.member.user_id == marie.pk]
    complete = (hers[0] if hers else invitations[0]).letter.participant_id
    others = [i.letter.participant_id for i in invitations if i.letter.participant_id != complete]
    partial = others[0] if others else None
    for n, invitation in enumerate(invitations):
        participant_id = invitation.letter.participant_id
        if participant_id == complete or (
            participant_id == partial and invitation.member.role == TrioRole.DIRECTION
        ):
            engagement_services.sign_engagement_letter(
                token=link_token(invitation, now=sent_at),
                typed_name=invitation.member.name or invitation.member.email,
                consent=True,
                user=invitation.member.user,
                ip=DEMO_IPS[n % len(DEMO_IPS)],
                now=sent_at + timedelta(hours=2 + n),
            )
