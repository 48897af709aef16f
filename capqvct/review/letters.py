"""The decision letter of a dossier, as a PDF (WeasyPrint), on the letterhead of the call's agencies.

The header shows the logo and name of each of the programme's agencies (ARS first, then Aract) and
the postal address of the sending agency. The sending agency is the first of them with a signatory
(set on its « En-tête des lettres de décision » page), who signs the letter with their title; when
no agency has one, it is the first agency, and the agent who confirmed the decision signs as
programme manager. Logos are embedded as data: URIs, so the letter renders with no network.

The place line is the sending agency's city (its letterhead page), the region's name without one. The
letter carries the decision's reference (decisions.decision_reference), the same addressee as the
e-mail and the pages (addressee_name), the « voies et délais de recours » of an adverse decision
(RECOURSE), and, for an establishment without an account, the signed link of decision_links.py.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from django.utils import timezone

from capqvct.accounts.models import Organisation, OrganisationKind
from capqvct.core.files import image_data_uri
from capqvct.core.formatting import format_date
from capqvct.core.pdf import render_pdf
from capqvct.review.decision_links import LINK_VALIDITY, link_url, needs_link
from capqvct.review.models import Decision, Outcome

OUTCOME_SENTENCES = {
    Outcome.SELECTED: "a le plaisir de vous informer que votre candidature est retenue",
    Outcome.WAITING_LIST: "vous informe que votre candidature est inscrite sur la liste d’attente",
    Outcome.NOT_SELECTED: "a le regret de vous informer que votre candidature n’est pas retenue",
    Outcome.INELIGIBLE: "a le regret de vous informer que votre candidature n’est pas recevable",
}
# The ARS signs before the Aract.
AGENCY_ORDER = {OrganisationKind.ARS: 0, OrganisationKind.ARACT: 1}
PROGRAMME_MANAGER_TITLE = "Responsable de programme"
# The outcomes that refuse what was asked, and so tell how to contest them.
ADVERSE_OUTCOMES = (Outcome.NOT_SELECTED, Outcome.INELIGIBLE)
# Code des relations entre le public et l’administration, L. 411-2 (an administrative appeal made in
# time extends the time for the court); code de justice administrative, R. 421-1 (two months from
# notification) and R. 312-1 (the court of the place of the deciding authority).
RECOURSE = (
    "Voies et délais de recours\u00a0: si vous entendez contester cette décision, vous pouvez, dans "
    "un délai de deux mois à compter de sa notification, former un recours gracieux auprès de "
    "l’autorité qui l’a prise ({agency}), ou un recours contentieux devant le tribunal administratif "
    "territorialement compétent (article R.\u00a0421-1 du code de justice administrative), y compris "
    "par l’application Télérecours citoyens (www.telerecours.fr). Le recours gracieux formé dans ce "
    "délai le prolonge (article L.\u00a0411-2 du code des relations entre le public et "
    "l’administration)\u00a0: le délai du recours contentieux court de nouveau à compter de la "
    "réponse, ou du rejet implicite né du silence gardé pendant deux mois."
)


@dataclass(frozen=True)
class Signature:
    name: str
    title: str
    agency: str
    # Signed by the agency's signatory (title above the name, room for the handwritten signature)
    # rather than by the confirming agent.
    by_signatory: bool


def addressee_name(establishment) -> str:
    """How every channel names the addressee (letter, e-mail, pages): the establishment's full name in
    the directory, else its usual name."""
    return (establishment.long_name or establishment.name).strip()


def recourse_text(decision: Decision, agency_name: str) -> str:
    """The « voies et délais de recours » of an adverse decision; empty for the others."""
    if decision.outcome not in ADVERSE_OUTCOMES:
        return ""
    return RECOURSE.format(agency=agency_name or "l’agence régionale")


def letter_file_name(decision: Decision) -> str:
    return f"lettre-decision-{decision.application_id}.pdf"


def letter_agencies(decision: Decision) -> list[Organisation]:
    """The programme's agencies, ARS first."""
    agencies = Organisation.objects.agencies().filter(programmes=decision.application.call.programme)
    return sorted(agencies, key=lambda agency: (AGENCY_ORDER[agency.kind], agency.name))


def sending_agency(agencies: list[Organisation]) -> Organisation | None:
    """The agency that signs: the first with a signatory, else the first."""
    return next((agency for agency in agencies if agency.signatory_name), agencies[0] if agencies else None)


def signature(decision: Decision, sender: Organisation | None) -> Signature:
    """The agency's signatory when it has one; otherwise the agent who confirmed the decision."""
    agency = sender.name if sender else ""
    if sender and sender.signatory_name:
        return Signature(
            name=sender.signatory_name, title=sender.signatory_title, agency=agency, by_signatory=True
        )
    agent = decision.confirmed_by
    name = (agent.get_full_name() or agent.email) if agent else ""
    return Signature(name=name, title=PROGRAMME_MANAGER_TITLE, agency=agency, by_signatory=False)


def letter_context(decision: Decision, *, now: datetime | None = None) -> dict:
    application = decision.application
    call = application.call
    region = call.programme.region
    agencies = letter_agencies(decision)
    sender = sending_agency(agencies)
    # The letter is dated the day it was (or is being) sent, in the region's time zone.
    sent_at = decision.notified_at or now or timezone.now()
    return {
        "addressee": addressee_name(application.establishment),
        "place": (sender.city if sender else "") or region.name,
        "recourse": recourse_text(decision, sender.name if sender else ""),
        "link": link_url(decision) if decision.confirmed_at and needs_link(decision) else "",
        "decision": decision,
        "application": application,
        "establishment": application.establishment,
        "call": call,
        "region": region,
        "agencies": [{"name": agency.name, "logo": image_data_uri(agency.logo)} for agency in agencies],
        "sender": sender,
        "sender_address": sender.postal_address.splitlines() if sender else [],
        "contact_emails": [agency.email for agency in agencies if agency.email],
        "dated": format_date(timezone.localtime(sent_at, timezone=ZoneInfo(region.time_zone)).date()),
        "outcome_sentence": OUTCOME_SENTENCES[decision.outcome],
        "signature": signature(decision, sender),
        "is_selected": decision.outcome == Outcome.SELECTED,
        "is_waiting": decision.outcome == Outcome.WAITING_LIST,
        "link_days": LINK_VALIDITY.days,
    }


def decision_letter_pdf(decision: Decision, *, now: datetime | None = None) -> bytes:
    html = render_to_string("review/decisions/letter.html", letter_context(decision, now=now))
    return render_pdf(html)
