"""The decision read through the signed link of its letter, without an account (decision_links.py):
a genuine link shows the decision and its letter; an expired one says so (410), anything else is a 404.
Each read is written to the audit log with the reader's IP address.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from capqvct.core.services import record_event
from capqvct.review.decision_links import LinkExpired, LinkInvalid, decision_of_token
from capqvct.review.letters import (
    addressee_name,
    decision_letter_pdf,
    letter_agencies,
    letter_file_name,
    recourse_text,
    sending_agency,
)


def _decision_or_answer(request, token: str):
    try:
        return decision_of_token(token), None
    except LinkExpired:
        response = render(
            request,
            "review/decisions/link_expired.html",
            {"page_title": "Lien expiré"},
            status=410,
        )
        return None, response
    except LinkInvalid:
        raise Http404("Ce lien n’est pas valide.") from None


@login_not_required
def decision_by_link(request, token: str):
    decision, expired = _decision_or_answer(request, token)
    if expired:
        return expired
    application = decision.application
    establishment = application.establishment
    record_event(action="decision_read_by_link", target=decision, request=request)
    claim = reverse("establishments:claim_create", args=[establishment.finess_et])
    sender = sending_agency(letter_agencies(decision))
    return render(
        request,
        "review/decisions/by_link.html",
        {
            "page_title": f"Décision — {application.call.title}",
            "decision": decision,
            "application": application,
            "call": application.call,
            "addressee": addressee_name(establishment),
            "recourse": recourse_text(decision, sender.name if sender else ""),
            "letter_url": reverse("review:decision_letter_by_link", args=[token]),
            "claim_url": claim,
            "signup_url": f"{reverse('accounts:signup')}?{urlencode({'next': claim})}",
            "login_url": f"{reverse('accounts:login')}?{urlencode({'next': claim})}",
        },
    )


@login_not_required
def decision_letter_by_link(request, token: str):
    decision, expired = _decision_or_answer(request, token)
    if expired:
        return expired
    record_event(action="letter_downloaded_by_link", target=decision.application, request=request)
    return FileResponse(
        iter([decision_letter_pdf(decision)]),
        content_type="application/pdf",
        filename=letter_file_name(decision),
    )
