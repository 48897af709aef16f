from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from capqvct.applications import services
from capqvct.applications.models import ApplicationStatus
from capqvct.applications.receipts import receipt_pdf
from capqvct.applications.selectors import applications_of_applicant, establishments_of_applicant
from capqvct.applications.summary import summarize
from capqvct.calls.deadlines import describe_deadline, is_before_deadline
from capqvct.calls.formdef.render import item_change, parse_post, render_form
from capqvct.calls.formdef.schema import Form
from capqvct.calls.selectors import visible_calls
from capqvct.core.exceptions import Refusal
from capqvct.core.outcomes import report_outcome

NEXT_STEP = {
    ApplicationStatus.DRAFT: "Compléter et déposer le dossier avant la date limite",
    ApplicationStatus.SUBMITTED: "Dossier déposé : en attente de l’instruction",
    ApplicationStatus.WITHDRAWN: "Dossier retiré",
}


def my_applications(request):
    applications = list(applications_of_applicant(request.user).order_by("call__closes_at"))
    for application in applications:
        application.next_step = NEXT_STEP[application.status]
        application.deadline_text = describe_deadline(application.call.closes_at, application.call.time_zone)
    return render(
        request,
        "applications/my_applications.html",
        {"page_title": "Mes dossiers", "applications": applications},
    )


def start(request, call_pk: int):
    """Choose the establishment (when the user has several) and open its dossier."""
    call = get_object_or_404(visible_calls(), pk=call_pk)
    establishments = list(establishments_of_applicant(request.user))
    if request.method == "POST":
        establishment = next(
            (e for e in establishments if str(e.pk) == request.POST.get("establishment")), None
        )
        if establishment is None:
            messages.error(request, "Choisissez l’établissement pour lequel vous déposez ce dossier.")
        else:
            try:
                application = services.start_application(
                    call=call, establishment=establishment, by=request.user
                )
            except Refusal as refusal:
                messages.error(request, refusal.message)
            else:
                return redirect("applications:edit", pk=application.pk)
    return render(
        request,
        "applications/start.html",
        {"page_title": "Déposer un dossier", "call": call, "establishments": establishments},
    )


def _own_application(request, pk: int):
    return get_object_or_404(applications_of_applicant(request.user), pk=pk)


def edit(request, pk: int):
    """Fill in the dossier: « Enregistrer » keeps everything as typed; « Déposer » submits it."""
    application = _own_application(request, pk)
    form = Form.from_json(application.form_version.definition)
    answers, errors = application.answers, {}
    if request.method == "POST" and application.status == ApplicationStatus.DRAFT:
        answers = parse_post(form, request.POST, previous=application.answers)
        try:
            errors = services.save_draft(
                application=application,
                answers=answers,
                by=request.user,
                expected_version=int(request.POST.get("lock_version", -1)),
            )
            if "submit" in request.POST and not item_change(form, request.POST):
                services.submit_application(application=application, by=request.user)
                messages.success(
                    request, "Dossier déposé : l’accusé de réception vous est envoyé par e-mail."
                )
                return redirect("applications:mine")
            if not errors:
                messages.success(request, "Brouillon enregistré.")
        except services.InvalidAnswers as refusal:
            errors = refusal.errors
            messages.error(request, refusal.message)
        except Refusal as refusal:
            messages.error(request, refusal.message)
    call = application.call
    return render(
        request,
        "applications/edit.html",
        {
            "page_title": f"Dossier — {call.title}",
            "application": application,
            "call": call,
            "form_html": render_form(form, answers, errors),
            "summary": summarize(form, answers),
            "deadline_text": describe_deadline(call.closes_at, call.time_zone),
            "is_open": is_before_deadline(timezone.now(), call.closes_at),
            "submissions": application.submissions.order_by("-number"),
            "changes": application.changes.select_related("by")[:10],
            "breadcrumb": [("Mes dossiers", "/dossiers/"), (call.title, None)],
        },
    )


def receipt(request, pk: int, number: int):
    application = _own_application(request, pk)
    submission = get_object_or_404(application.submissions, number=number)
    response = FileResponse(
        iter([receipt_pdf(submission)]),
        content_type="application/pdf",
        filename=f"accuse-reception-{application.pk}-{number}.pdf",
    )
    return response


@require_POST
def reopen(request, pk: int):
    application = _own_application(request, pk)
    report_outcome(
        request,
        lambda: services.reopen_application(application=application, by=request.user),
        success="Dossier rouvert : pensez à le déposer de nouveau avant la date limite.",
    )
    return redirect("applications:edit", pk=application.pk)


@require_POST
def withdraw(request, pk: int):
    application = _own_application(request, pk)
    report_outcome(
        request,
        lambda: services.withdraw_application(application=application, by=request.user),
        success="Dossier retiré.",
    )
    return redirect("applications:mine")
