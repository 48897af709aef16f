from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from capqvct.accounts.selectors import organisations_managed_by
from capqvct.applications import services
from capqvct.applications.identity import directory_facts
from capqvct.applications.models import ApplicantStage, ApplicationStatus, Channel
from capqvct.applications.permissions import can_apply_for, can_edit
from capqvct.applications.receipts import receipt_pdf
from capqvct.applications.selectors import (
    accepts_answers,
    applications_editable_by,
    applications_of_applicant,
    applications_visible_to,
    attachment_visible_to,
    establishments_of_applicant,
)
from capqvct.applications.states import DOSSIER
from capqvct.applications.summary import summarize
from capqvct.calls.deadlines import describe_deadline
from capqvct.calls.formdef.progress import progress_by_section
from capqvct.calls.formdef.render import NAME_PREFIX, item_change, parse_post, render_form
from capqvct.calls.formdef.schema import Form, Kind
from capqvct.calls.selectors import visible_calls
from capqvct.core.exceptions import Refusal
from capqvct.core.outcomes import report_outcome
from capqvct.core.services import record_event
from capqvct.establishments.selectors import pending_claims_of

NEXT_STEP = {
    ApplicationStatus.DRAFT: "Compléter et déposer le dossier avant la date limite",
    ApplicationStatus.SUBMITTED: "Dossier déposé : en attente de l’instruction",
    ApplicationStatus.IN_REVIEW: "Dossier en instruction : la décision vous sera notifiée",
    ApplicationStatus.WITHDRAWN: "Dossier retiré",
}
# Under review, what the applicant has to do or read, and where (pages of the review).
NEXT_STEP_IN_REVIEW = {
    ApplicantStage.INFORMATION_REQUESTED: (
        "Répondre à la question de l’agence",
        "review:applicant_exchanges",
    ),
    ApplicantStage.SELECTED: ("Lire la lettre de décision", "review:applicant_decision"),
    ApplicantStage.WAITING_LIST: ("Lire la lettre de décision", "review:applicant_decision"),
    ApplicantStage.NOT_SELECTED: ("Lire la lettre de décision", "review:applicant_decision"),
}


def _next_step(application) -> tuple[str, str]:
    """What to do next, and the page where it is done ("" when there is none)."""
    if stage := application.review_stage:
        text, url_name = NEXT_STEP_IN_REVIEW[stage]
        return text, reverse(url_name, args=[application.pk])
    return NEXT_STEP[application.status], ""


def my_applications(request):
    applications = list(applications_of_applicant(request.user).order_by("call__closes_at"))
    for application in applications:
        application.next_step, application.next_step_url = _next_step(application)
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
        {
            "page_title": "Déposer un dossier",
            "call": call,
            "establishments": establishments,
            "pending_claims": [] if establishments else list(pending_claims_of(request.user)),
        },
    )


def _editable_application(request, pk: int):
    return get_object_or_404(applications_editable_by(request.user), pk=pk)


def file_url(value: dict) -> str | None:
    """Where the file a question's answer names can be downloaded."""
    attachment_id = value.get("id") if isinstance(value, dict) else None
    return reverse("applications:attachment", args=[attachment_id]) if attachment_id else None


def _uploads(form: Form, files) -> dict:
    """The files sent for the form's file questions, by question key."""
    return {
        field.key: files[f"{NAME_PREFIX}.{field.key}"]
        for field in form.fields()
        if field.kind == Kind.FILE and f"{NAME_PREFIX}.{field.key}" in files
    }


def edit(request, pk: int):
    """Fill in the dossier: « Enregistrer » keeps everything as typed; « Déposer » submits it."""
    application = _editable_application(request, pk)
    form = services.form_of(application)
    answers, errors = application.answers, {}
    if request.method == "POST" and application.status == ApplicationStatus.DRAFT:
        answers = parse_post(form, request.POST, previous=application.answers)
        uploads = _uploads(form, request.FILES)
        try:
            errors = services.save_draft(
                application=application,
                answers=answers,
                by=request.user,
                expected_version=int(request.POST.get("lock_version", -1)),
                uploads=uploads,
            )
            answers = application.answers
            submitting = "submit" in request.POST and not item_change(form, request.POST)
            if submitting and set(uploads) & set(errors):
                messages.error(request, "Le dossier n’est pas déposé : un fichier a été refusé.")
            elif submitting:
                services.submit_application(application=application, by=request.user)
                messages.success(request, _submitted_message(application))
                return redirect(_after_submission(request, application))
            elif not errors:
                messages.success(request, "Brouillon enregistré.")
            else:
                messages.warning(request, _saved_with_errors(errors))
        except services.InvalidAnswers as refusal:
            errors = refusal.errors
            messages.error(request, refusal.message)
        except Refusal as refusal:
            messages.error(request, refusal.message)
    context = _dossier_context(request, application, form, answers, errors)
    return render(request, "applications/edit.html", context)


def read(request, pk: int):
    """The dossier as submitted, its files and its history, for agents of the call's region."""
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    form = services.form_of(application)
    record_event(action="dossier_read", actor=request.user, target=application, request=request)
    return render(request, "applications/read.html", _dossier_context(request, application, form, {}, {}))


def _dossier_context(request, application, form: Form, answers: dict, errors: dict) -> dict:
    call = application.call
    zone = call.time_zone
    now = timezone.now()
    labels = {field.key: field.label for field in form.fields()}
    changes = list(application.changes.select_related("by")[:10])
    for change in changes:
        change.labels = [labels.get(key, key) for key in change.fields]
    latest = application.submissions.order_by("-number").first()
    shown_answers = (
        application.answers if application.status == ApplicationStatus.DRAFT or not latest else latest.answers
    )
    return {
        "page_title": f"Dossier — {call.title}",
        "application": application,
        "call": call,
        "zone": zone,
        "form_html": render_form(
            form, answers, errors, file_url=file_url, directory=directory_facts(application.establishment)
        ),
        # The page's header names the establishment's FINESS number: once is enough.
        "summary": summarize(
            form, shown_answers, file_url=file_url, shown_elsewhere=application.establishment.finess_et
        ),
        "deadline_text": describe_deadline(call.closes_at, zone),
        "accepts_answers": accepts_answers(application, now),
        "actions": DOSSIER.allowed_actions(application, by=request.user, now=now),
        "refusals": DOSSIER.refused_actions(application, by=request.user, now=now),
        "can_edit": bool(can_edit(request.user, application)),
        "submissions": application.submissions.select_related("submitted_by").order_by("-number"),
        "originals": application.attachments.filter(field_key="").order_by("uploaded_at"),
        "changes": changes,
        # What was changed after a reopening and not deposited again: for the establishment only.
        "undeposited": (
            summarize(form, application.undeposited_answers, file_url=file_url)
            if application.undeposited_answers and can_apply_for(request.user, application.establishment)
            else []
        ),
        "progress": _progress(form, answers),
        "invite_url": _invite_url(request.user, application),
        "can_apply": bool(can_apply_for(request.user, application.establishment)),
        "breadcrumb": _crumbs(request, application),
    }


def _progress(form: Form, answers: dict) -> dict:
    """The sommaire's sections with their required questions answered, and the whole in words."""
    sections = progress_by_section(form, answers)
    filled, required = sum(s.filled for s in sections), sum(s.required for s in sections)
    plural = "s" if filled > 1 else ""
    return {
        "sections": sections,
        "text": f"{filled}\u00a0question{plural} obligatoire{plural} sur {required} remplie{plural}",
        "required": required,
    }


def _invite_url(user, application) -> str:
    """Directors invite colleagues into the establishment's space, where they can fill in its dossiers."""
    space = application.establishment.organisation_id
    if space and organisations_managed_by(user).filter(pk=space).exists():
        return reverse("accounts:invite", args=[space])
    return ""


def _crumbs(request, application) -> list:
    call = application.call
    if can_apply_for(request.user, application.establishment):
        return [("Mes dossiers", reverse("applications:mine")), (call.title, None)]
    return [
        ("Gestion des appels", reverse("calls:manage_list")),
        (call.title, reverse("calls:manage_call", args=[call.pk])),
        ("Dossiers", reverse("applications:call_dossiers", args=[call.pk])),
        (application.establishment.name, None),
    ]


def _saved_with_errors(errors: dict) -> str:
    """Saved all the same: a field in error must not make anyone think the rest was lost."""
    count = len(errors)
    fields = f"{count}\u00a0champ est signalé" if count == 1 else f"{count}\u00a0champs sont signalés"
    return (
        "Brouillon enregistré\u00a0: vos autres réponses sont enregistrées. "
        f"{fields} ci-dessous, à corriger avant le dépôt."
    )


def _submitted_message(application) -> str:
    if application.channel == Channel.ONLINE:
        return "Dossier déposé : l’accusé de réception vous est envoyé par e-mail."
    if application.sender_email:
        return (
            "Dossier enregistré comme déposé : l’accusé de réception est envoyé à "
            f"{application.sender_email}."
        )
    return "Dossier enregistré comme déposé."


def _after_submission(request, application) -> str:
    if can_apply_for(request.user, application.establishment):
        return reverse("applications:mine")
    return reverse("applications:read", args=[application.pk])


def receipt(request, pk: int, number: int):
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    submission = get_object_or_404(application.submissions, number=number)
    record_event(
        action="receipt_downloaded",
        actor=request.user,
        target=application,
        details={"number": number},
        request=request,
    )
    return FileResponse(
        iter([receipt_pdf(submission)]),
        content_type="application/pdf",
        filename=f"accuse-reception-{application.pk}-{number}.pdf",
    )


def attachment(request, attachment_id):
    """A dossier's file, to those who may read the dossier; always downloaded, never shown inline."""
    found = attachment_visible_to(request.user, attachment_id)
    if found is None:
        raise Http404("Fichier introuvable.")
    record_event(
        action="file_downloaded",
        actor=request.user,
        target=found.application,
        details={"file": str(found.pk), "name": found.name},
        request=request,
    )
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type
    )


def reopen(request, pk: int):
    """GET explains what reopening means for the dossier; POST reopens it."""
    application = _editable_application(request, pk)
    if request.method == "POST":
        report_outcome(
            request,
            lambda: services.reopen_application(application=application, by=request.user),
            success="Dossier rouvert : pensez à le déposer de nouveau avant la date limite.",
        )
        return redirect("applications:edit", pk=application.pk)
    call = application.call
    crumbs = _crumbs(request, application)[:-1]
    return render(
        request,
        "applications/reopen.html",
        {
            "page_title": "Rouvrir le dossier",
            "application": application,
            "call": call,
            "last": application.submissions.order_by("-number").first(),
            "zone": call.time_zone,
            "deadline_text": describe_deadline(call.closed_early_at or call.closes_at, call.time_zone),
            "allowed": DOSSIER.check(application, "reopen", by=request.user),
            "breadcrumb": [*crumbs, (call.title, reverse("applications:edit", args=[pk])), ("Rouvrir", None)],
        },
    )


@require_POST
def withdraw(request, pk: int):
    application = _editable_application(request, pk)
    report_outcome(
        request,
        lambda: services.withdraw_application(application=application, by=request.user),
        success="Dossier retiré.",
    )
    return redirect(_after_submission(request, application))
