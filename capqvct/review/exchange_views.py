"""Pages of the exchanges with the applicant: the agents' questions and interviews on a dossier under
review, and the applicant's page to answer them.

Agents reach a dossier through calls_managed_by, an interview through the calls they manage, and
applicants a dossier through applications_of_applicant: anyone else gets a 404.
"""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from capqvct.applications.models import Application, ApplicationStatus
from capqvct.applications.selectors import applications_of_applicant
from capqvct.calls.selectors import calls_managed_by
from capqvct.core.exceptions import Refusal
from capqvct.review import exchanges, selectors
from capqvct.review.exchange_forms import (
    AnswerForm,
    ExchangeForm,
    InterviewForm,
    InterviewNotesForm,
    QuestionForm,
)
from capqvct.review.models import Interview, Review

# The trinôme's members invited to an interview: the direction and the staff representative.
INVITED_TRIO_ROLES = ("direction", "staff_representative")


def _dossier_for(request, call_pk: int, pk: int) -> Application:
    call = get_object_or_404(calls_managed_by(request.user), pk=call_pk)
    review = get_object_or_404(Review, call=call)
    return get_object_or_404(
        selectors.review_dossiers(review).select_related("call__programme__region"), pk=pk
    )


def _interview_for(request, pk: int) -> Interview:
    return get_object_or_404(
        Interview.objects.filter(application__call__in=calls_managed_by(request.user)).select_related(
            "application__call__programme__region", "application__establishment", "scheduled_by"
        ),
        pk=pk,
    )


def _crumbs(application: Application, *last: tuple) -> list:
    call = application.call
    return [
        ("Gestion des appels", reverse("calls:manage_list")),
        (call.title, reverse("calls:manage_call", args=[call.pk])),
        ("Instruction", reverse("review:dashboard", args=[call.pk])),
        (application.establishment.name, reverse("review:dossier", args=[call.pk, application.pk])),
        *last,
    ]


def trio_addresses(application: Application) -> list[str]:
    """The e-mails of the trinôme's direction and staff representative, when the answers give them."""
    trio = selectors.trio_answers(application)
    found = [trio[role].get("email", "").lower() for role in INVITED_TRIO_ROLES if role in trio]
    return list(dict.fromkeys(email for email in found if email))


def _interview_initial(interview: Interview) -> dict:
    local = interview.starts_at.astimezone(ZoneInfo(interview.application.call.time_zone))
    return {
        "day": local.date().isoformat(),
        "hour": local.strftime("%H:%M"),
        "duration": str(interview.duration_minutes),
        "place": interview.place,
        "video_link": interview.video_link,
        "attendees": "\n".join(interview.attendees),
    }


# The agents' pages


def exchanges_page(request, call_pk: int, pk: int):
    """Questions to the applicant with their answers, and interviews; forms to ask and to schedule."""
    application = _dossier_for(request, call_pk, pk)
    zone = application.call.time_zone
    question = {"question": "", "reply_by": "", "error": None}
    interview_form = {
        "day": "",
        "hour": "",
        "duration": "60",
        "place": "",
        "video_link": "",
        "attendees": "\n".join(trio_addresses(application)),
        "error": None,
    }
    if request.method == "POST":
        posted = ExchangeForm(request.POST).posted()
        try:
            if posted == "interview":
                typed = InterviewForm(request.POST)
                interview_form.update(typed.typed())
                exchanges.schedule_interview(
                    application=application, by=request.user, **typed.arguments(zone)
                )
                messages.success(request, "Entretien programmé : l’invitation part aux personnes invitées.")
            else:
                asked = QuestionForm(request.POST)
                question.update(asked.typed())
                exchanges.ask_for_information(
                    application=application,
                    question=question["question"],
                    reply_by=asked.reply_by_date(),
                    by=request.user,
                )
                messages.success(request, "Question envoyée à l’établissement.")
            return redirect("review:exchanges", call_pk=application.call_id, pk=application.pk)
        except Refusal as refusal:
            target = interview_form if posted == "interview" else question
            target["error"] = refusal
            messages.error(request, refusal.message)
    requests_ = list(application.information_requests.select_related("answer_attachment", "asked_by"))
    for item in requests_:
        item.late = exchanges.is_late(item)
    return render(
        request,
        "review/exchanges/agent.html",
        {
            "page_title": f"Questions et entretiens — {application.establishment.name}",
            "application": application,
            "call": application.call,
            "requests": requests_,
            "interviews": list(application.interviews.select_related("scheduled_by")),
            "question": question,
            "interview_form": interview_form,
            "today": timezone.now().astimezone(ZoneInfo(zone)).date(),
            "breadcrumb": _crumbs(application, ("Questions et entretiens", None)),
        },
    )


def interview_page(request, pk: int):
    """One interview: move it (new invitation), cancel it, or record its notes."""
    interview = _interview_for(request, pk)
    application = interview.application
    form = {**_interview_initial(interview), "error": None}
    notes = {"text": interview.notes, "error": None}
    if request.method == "POST":
        action = ExchangeForm(request.POST).posted()
        try:
            if action == "cancel":
                exchanges.cancel_interview(interview=interview, by=request.user)
                messages.success(request, "Entretien annulé : les personnes invitées en sont informées.")
            elif action == "notes":
                notes["text"] = InterviewNotesForm(request.POST).text()
                exchanges.record_interview_notes(interview=interview, notes=notes["text"], by=request.user)
                messages.success(request, "Compte rendu enregistré.")
            else:
                typed = InterviewForm(request.POST)
                form.update(typed.typed())
                exchanges.reschedule_interview(
                    interview=interview, by=request.user, **typed.arguments(application.call.time_zone)
                )
                messages.success(request, "Entretien modifié : une nouvelle invitation est envoyée.")
            return redirect("review:interview", pk=interview.pk)
        except Refusal as refusal:
            (notes if action == "notes" else form)["error"] = refusal
            messages.error(request, refusal.message)
    return render(
        request,
        "review/exchanges/interview.html",
        {
            "page_title": f"Entretien — {application.establishment.name}",
            "interview": interview,
            "application": application,
            "call": application.call,
            "interview_form": form,
            "notes": notes,
            "breadcrumb": _crumbs(
                application,
                (
                    "Questions et entretiens",
                    reverse("review:exchanges", args=[application.call_id, application.pk]),
                ),
                ("Entretien", None),
            ),
        },
    )


# The applicant's page


def applicant_exchanges(request, pk: int):
    """The dossier's state, the agency's questions with a form to answer each, and the interviews."""
    application = get_object_or_404(applications_of_applicant(request.user), pk=pk)
    errors: dict[int, Refusal] = {}
    typed: dict[int, str] = {}
    if request.method == "POST":
        answer = AnswerForm(request.POST, request.FILES)
        item = get_object_or_404(application.information_requests.all(), pk=answer.request_number())
        typed[item.pk] = answer.cleaned_data["answer"]
        try:
            exchanges.answer_information_request(
                request=item, answer=typed[item.pk], upload=answer.upload(), by=request.user
            )
        except Refusal as refusal:
            errors[item.pk] = refusal
            messages.error(request, refusal.message)
        else:
            if exchanges.is_late(item):
                messages.warning(
                    request,
                    "Réponse envoyée après la date attendue : l’agence la recevra avec cette mention.",
                )
            else:
                messages.success(request, "Réponse envoyée à l’agence.")
            return redirect("review:applicant_exchanges", pk=application.pk)
    requests_ = list(application.information_requests.select_related("answer_attachment"))
    for item in requests_:
        item.late = exchanges.is_late(item)
        item.error = errors.get(item.pk)
        item.typed = typed.get(item.pk, "")
    return render(
        request,
        "review/exchanges/applicant.html",
        {
            "page_title": f"Questions de l’agence — {application.call.title}",
            "breadcrumb": [("Mes dossiers", reverse("applications:mine")), ("Questions et entretiens", None)],
            "application": application,
            "call": application.call,
            "state": application.state_for_applicant,
            "requests": requests_,
            "interviews": list(application.interviews.filter(cancelled_at__isnull=True)),
            "in_review": application.status == ApplicationStatus.IN_REVIEW,
        },
    )
