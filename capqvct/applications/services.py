"""Use cases of a dossier: start, save a draft, submit, reopen, withdraw."""

import hashlib
import json
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from capqvct.applications import attachments
from capqvct.applications.apps import RECEIPT_BUILDER
from capqvct.applications.eligibility import eligibility_problems
from capqvct.applications.models import (
    Application,
    ApplicationStatus,
    Attachment,
    Change,
    Channel,
    Submission,
)
from capqvct.applications.permissions import can_apply_for, can_edit
from capqvct.applications.review_signals import application_withdrawn
from capqvct.calls.application_form import dossier_form
from capqvct.calls.deadlines import describe_deadline, is_before_deadline
from capqvct.calls.formdef.answers import validate_answers
from capqvct.calls.formdef.schema import Form, Kind
from capqvct.calls.models import Call, CallStatus
from capqvct.calls.permissions import can_manage_region
from capqvct.calls.services import current_form
from capqvct.core.emails import EmailAttachment, send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event
from capqvct.establishments.models import Establishment


class InvalidAnswers(Refusal):
    """A submission refused field by field; `errors` maps each field's path to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("Le dossier ne peut pas être déposé : corrigez les champs signalés.")
        self.errors = errors


class StaleDraft(Refusal):
    """Someone saved the dossier since this page was loaded."""


def _ensure_open(call: Call, now: datetime) -> None:
    if call.status != CallStatus.PUBLISHED or now < call.opens_at:
        raise Refusal("Cet appel n’est pas ouvert aux dépôts.")
    if not is_before_deadline(now, call.closes_at):
        raise Refusal(
            f"Le dépôt est clos depuis {describe_deadline(call.closes_at, call.time_zone)} : "
            "votre brouillon est conservé."
        )


def start_application(
    *, call: Call, establishment: Establishment, by, now: datetime | None = None
) -> Application:
    """Open the establishment's dossier for a call; there is one per establishment and call."""
    now = now or timezone.now()
    if not (allowed := can_apply_for(by, establishment)):
        raise Refusal(allowed.reason)
    _ensure_open(call, now)
    if problems := eligibility_problems(call, establishment):
        raise Refusal(" ".join(problems))
    try:
        with transaction.atomic():
            application = Application.objects.create(
                call=call, establishment=establishment, form_version=current_form(call), created_by=by
            )
            record_event(action="application_started", actor=by, target=application)
    except IntegrityError:
        raise Refusal(
            "Un dossier existe déjà pour cet établissement : ouvrez-le depuis « Mes dossiers »."
        ) from None
    return application


def save_draft(
    *,
    application: Application,
    answers: dict,
    by,
    expected_version: int,
    uploads: dict[str, UploadedFile] | None = None,
) -> dict[str, list[str]]:
    """Keep every answer as typed and every acceptable file; return the errors to show next to the fields."""
    if not (allowed := can_edit(by, application)):
        raise Refusal(allowed.reason)
    if application.status != ApplicationStatus.DRAFT:
        raise Refusal("Ce dossier est déposé : rouvrez-le pour le modifier.")
    form = form_of(application)
    answers = dict(answers)
    upload_errors, accepted = _sort_uploads(form, uploads or {})
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            for key, upload in accepted.items():
                stored.append(attachments.store(application, upload, field_key=key, by=by))
                answers[key] = stored[-1].as_answer()
            changed = sorted(
                key
                for key in set(answers) | set(application.answers)
                if answers.get(key) != application.answers.get(key)
            )
            updated = Application.objects.filter(pk=application.pk, lock_version=expected_version).update(
                answers=answers, lock_version=F("lock_version") + 1, updated_at=timezone.now()
            )
            if not updated:
                raise StaleDraft(
                    "Un collègue a enregistré ce dossier pendant que vous le remplissiez : "
                    "rechargez la page pour voir sa version ; vos saisies restent affichées "
                    "ci-dessous pour les reporter."
                )
            if changed:
                Change.objects.create(application=application, by=by, fields=changed)
    except Exception:
        _delete_files(stored)
        raise
    application.refresh_from_db()
    errors = validate_answers(form, answers, for_submission=False)
    for key, message in upload_errors.items():
        errors[key] = [message]
    return errors


def _sort_uploads(
    form: Form, uploads: dict[str, UploadedFile]
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split uploads into refused ones (with their message) and those to store."""
    refused, accepted = {}, {}
    for key, upload in uploads.items():
        field = form.field(key)
        if field is None or field.kind != Kind.FILE:
            continue
        if problem := attachments.check_upload(field, upload):
            refused[key] = problem
        else:
            accepted[key] = upload
    return refused, accepted


def submit_application(*, application: Application, by, now: datetime | None = None) -> Submission:
    """Submit before the deadline, read on the server's clock; the receipt fingerprints what was sent.

    A dossier received by e-mail, post or import is dated by its receipt, which must precede the deadline.
    """
    now = now or timezone.now()
    if not (allowed := can_edit(by, application)):
        raise Refusal(allowed.reason)
    call = application.call
    if application.channel == Channel.ONLINE:
        _ensure_open(call, now)
        submitted_at = now.replace(microsecond=0)
    else:
        _ensure_received_in_time(call, application.received_at, now)
        submitted_at = application.received_at.replace(microsecond=0)
    if problems := eligibility_problems(call, application.establishment):
        raise Refusal(" ".join(problems))
    if errors := validate_answers(form_of(application), application.answers, for_submission=True):
        raise InvalidAnswers(errors)
    with transaction.atomic():
        # Lock the row: two submissions racing each other cannot both pass the status check.
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.DRAFT:
            raise Refusal("Ce dossier est déjà déposé.")
        number = locked.submissions.count() + 1
        submission = Submission.objects.create(
            application=locked,
            number=number,
            submitted_at=submitted_at,
            submitted_by=by,
            form_version=locked.form_version,
            answers=locked.answers,
            fingerprint=fingerprint(locked, submitted_at),
        )
        locked.status = ApplicationStatus.SUBMITTED
        locked.submitted_at = submission.submitted_at
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        record_event(action="application_submitted", actor=by, target=locked, details={"number": number})
        # In the outbox with the submission; the worker builds the PDF when the e-mail leaves.
        email_receipt(submission)
    application.refresh_from_db()
    return submission


def record_received_application(
    *,
    call: Call,
    establishment: Establishment,
    channel: str,
    received_at: datetime,
    by,
    sender_email: str = "",
    originals: list[UploadedFile] = (),
    now: datetime | None = None,
) -> Application:
    """An agent records a dossier that came by e-mail, post or spreadsheet, dated by its receipt.

    It is then transcribed and submitted like any other; the originals stay attached to it.
    """
    now = now or timezone.now()
    if not (allowed := can_manage_region(by, call.programme.region_id)):
        raise Refusal(allowed.reason)
    if channel not in (Channel.EMAIL, Channel.POST, Channel.IMPORT):
        raise Refusal("Indiquez comment le dossier a été reçu : par e-mail ou par courrier.", field="channel")
    _ensure_received_in_time(call, received_at, now)
    if problems := eligibility_problems(call, establishment):
        raise Refusal(" ".join(problems), field="establishment")
    for upload in originals:
        if problem := attachments.check_upload(attachments.ORIGINALS_FIELD, upload):
            raise Refusal(f"{attachments.clean_name(upload.name or '')} : {problem}", field="originals")
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            application = Application.objects.create(
                call=call,
                establishment=establishment,
                form_version=current_form(call),
                channel=channel,
                received_at=received_at,
                sender_email=sender_email,
                created_by=by,
            )
            for upload in originals:
                stored.append(attachments.store(application, upload, field_key="", by=by))
            record_event(
                action="application_recorded",
                actor=by,
                target=application,
                details={"channel": channel, "received_at": received_at.isoformat(), "files": len(stored)},
            )
    except IntegrityError:
        _delete_files(stored)
        raise Refusal(
            "Un dossier existe déjà pour cet établissement dans cet appel : complétez-le plutôt.",
            field="establishment",
        ) from None
    except Exception:
        _delete_files(stored)
        raise
    return application


def _ensure_received_in_time(call: Call, received_at: datetime | None, now: datetime) -> None:
    if call.status == CallStatus.DRAFT:
        raise Refusal("Cet appel n’est pas encore publié.")
    if received_at is None or received_at > now:
        raise Refusal("La date de réception ne peut pas être dans le futur.", field="received_at")
    deadline = call.closed_early_at or call.closes_at
    if not is_before_deadline(received_at, deadline):
        raise Refusal(
            "Ce dossier a été reçu après la date limite de dépôt, fixée "
            f"{describe_deadline(deadline, call.time_zone)}.",
            field="received_at",
        )


def _delete_files(stored: list[Attachment]) -> None:
    for attachment in stored:
        attachment.file.delete(save=False)


def reopen_application(*, application: Application, by, now: datetime | None = None) -> Application:
    """Until the deadline, a submitted dossier can be changed and submitted again."""
    now = now or timezone.now()
    if not (allowed := can_edit(by, application)):
        raise Refusal(allowed.reason)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Refusal("Seul un dossier déposé peut être rouvert.")
    _ensure_open(application.call, now)
    return _move(application, to=ApplicationStatus.DRAFT, by=by, action="application_reopened")


def withdraw_application(*, application: Application, by) -> Application:
    """The establishment gives up its candidacy; the dossier is kept, read-only."""
    if not (allowed := can_edit(by, application)):
        raise Refusal(allowed.reason)
    if application.status == ApplicationStatus.WITHDRAWN:
        raise Refusal("Ce dossier est déjà retiré.")
    application = _move(application, to=ApplicationStatus.WITHDRAWN, by=by, action="application_withdrawn")
    application_withdrawn.send(sender=Application, application=application, by=by)
    return application


def fingerprint(application: Application, submitted_at: datetime) -> str:
    """SHA-256 of the canonical JSON of what was submitted, when and by which establishment."""
    content = {
        "call": application.call_id,
        "establishment": application.establishment.finess_et,
        "form_version": application.form_version.number,
        "submitted_at": submitted_at.isoformat(),
        "answers": application.answers,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def form_of(application: Application) -> Form:
    return dossier_form(application.call, application.form_version)


def _move(application: Application, *, to: str, by, action: str) -> Application:
    with transaction.atomic():
        previous = application.status
        application.status = to
        application.lock_version += 1
        application.save(update_fields=["status", "lock_version", "updated_at"])
        record_event(action=action, actor=by, target=application, details={"from": previous, "to": to})
    return application


def email_receipt(submission: Submission) -> None:
    """The receipt e-mail, with the PDF, to who submitted online or to the sender of an off-site dossier."""
    application = submission.application
    if application.channel == Channel.ONLINE:
        recipients = [submission.submitted_by.email] if submission.submitted_by else []
    else:
        recipients = [application.sender_email] if application.sender_email else []
    if not recipients:
        return
    send_templated_email(
        to=recipients,
        subject=f"Accusé de réception : {application.call.title}",
        template="applications/emails/receipt.txt",
        context={"submission": submission, "application": application},
        purpose="applications.receipt",
        by=submission.submitted_by,
        about=submission,
        attachments=[
            EmailAttachment(
                RECEIPT_BUILDER,
                {"submission_id": submission.pk},
                f"accuse-reception-{application.pk}-{submission.number}.pdf",
                "application/pdf",
            )
        ],
    )
