"""The decision letter of a dossier, as a PDF (WeasyPrint), on the letterhead of the call's agencies.

No model holds an agency's logo, postal address or signatory yet: the letterhead names the
programme's agencies (ARS, Aract) of the region, and the letter is signed by the agent who confirmed
the decision, as programme manager.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from capqvct.accounts.models import Organisation
from capqvct.core.formatting import format_date
from capqvct.review.models import Decision, Outcome

OUTCOME_SENTENCES = {
    Outcome.SELECTED: "a le plaisir de vous informer que votre candidature est retenue",
    Outcome.WAITING_LIST: "vous informe que votre candidature est inscrite sur la liste d’attente",
    Outcome.NOT_SELECTED: "a le regret de vous informer que votre candidature n’est pas retenue",
    Outcome.INELIGIBLE: "a le regret de vous informer que votre candidature n’est pas recevable",
}


def letter_file_name(decision: Decision) -> str:
    return f"lettre-decision-{decision.application_id}.pdf"


def letter_context(decision: Decision, *, now: datetime | None = None) -> dict:
    application = decision.application
    call = application.call
    region = call.programme.region
    agencies = list(
        Organisation.objects.agencies().filter(programmes=call.programme).order_by("kind", "name")
    )
    # The letter is dated the day it was (or is being) sent, in the region's time zone.
    sent_at = decision.notified_at or now or timezone.now()
    signatory = decision.confirmed_by
    return {
        "decision": decision,
        "application": application,
        "establishment": application.establishment,
        "call": call,
        "region": region,
        "agencies": agencies,
        "contact_emails": [agency.email for agency in agencies if agency.email],
        "dated": format_date(timezone.localtime(sent_at, timezone=ZoneInfo(region.time_zone)).date()),
        "outcome_sentence": OUTCOME_SENTENCES[decision.outcome],
        "signatory": (signatory.get_full_name() or signatory.email) if signatory else "",
        "is_selected": decision.outcome == Outcome.SELECTED,
        "is_waiting": decision.outcome == Outcome.WAITING_LIST,
    }


def decision_letter_pdf(decision: Decision, *, now: datetime | None = None) -> bytes:
    html = render_to_string("review/decisions/letter.html", letter_context(decision, now=now))
    return HTML(string=html).write_pdf()
