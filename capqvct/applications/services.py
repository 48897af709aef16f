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
from capqvct.applications.identity import finess_not_in_directory, with_directory_answers
from capqvct.applications.models import (
    Application,
    ApplicationStatus,
    Attachment,
    Change,
    Channel,
    Submission,
)
from capqvct.applications.permissions import can_apply_for, can_edit
from capqvct.applications.restoration import schedule_restoration
from capqvct.applications.review_signals import application_withdrawn
from capqvct.applications.states import DOSSIER, received_in_time
from capqvct.calls.application_form import dossier_form
from capqvct.calls.deadlines import deadline_cutoff
from capqvct.calls.formdef.answers import validate_answers
from capqvct.calls.formdef.schema import Form, Kind
from capqvct.calls.models import Call, CallStatus
from capqvct.calls.permissions import can_manage_region, submissions_open
from capqvct.calls.services import current_form
from capqvct.core.emails import EmailAttachment, send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import ensure
from capqvct.core.services import record_event
from capqvct.establishments.models import Establishment


class InvalidAnswers(Refusal):
    """A submission refused field by field; `errors` maps each field's path to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("Le dossier ne peut pas être déposé : corrigez les champs signalés.")
        self.errors = errors


class StaleDraft(Refusal):
    """Someone saved the dossier since this page was loaded."""


NOT_A_DRAFT = "Ce dossier est déposé : rouvrez-le pour le modifier."


def start_application(
    *, call: Call, establishment: Establishment, by, now: datetime | None = None
) -> Application:
    """Open the establishment's dossier for a call; there is one per establishment and call."""
    now = now or timezone.now()
    ensure(can_apply_for(by, establishment))
    ensure(submissions_open(call, now))
    if problems := eligibility_problems(call, establishment):
        raise Refusal(" ".join(problems))
    try:
        with transaction.atomic():
            form_version = current_form(call)
            application = Application.objects.create(
                call=call,
                establishment=establishment,
                form_version=form_version,
                answers=with_directory_answers(dossier_form(call, form_version), {}, establishment),
                created_by=by,
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
    ensure(can_edit(by, application))
    if application.status != ApplicationStatus.DRAFT:
        raise Refusal(NOT_A_DRAFT)
    form = form_of(application)
    answers = with_directory_answers(form, answers, application.establishment)
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
            # A draft still, and as the user read it: a submission or a colleague's save in between wins.
            updated = Application.objects.filter(
                pk=application.pk, lock_version=expected_version, status=ApplicationStatus.DRAFT
            ).update(answers=answers, lock_version=F("lock_version") + 1, updated_at=timezone.now())
            if (
                not updated
                and not Application.objects.filter(pk=application.pk, status=ApplicationStatus.DRAFT).exists()
            ):
                raise Refusal(NOT_A_DRAFT)
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
    errors = answer_errors(form, answers, for_submission=False)
    for key, message in upload_errors.items():
        errors[key] = [message]
    return errors


def answer_errors(form: Form, answers: dict, *, for_submission: bool) -> dict[str, list[str]]:
    """The form's own checks, then whether the FINESS numbers answered are in the directory."""
    errors = validate_answers(form, answers, for_submission=for_submission)
    for path, messages in finess_not_in_directory(form, answers).items():
        errors.setdefault(path, messages)
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
    DOSSIER.ensure(application, "submit", by=by, now=now)
    call = application.call
    received = application.received_at if application.channel != Channel.ONLINE else now
    submitted_at = deadline_cutoff(received)
    if problems := eligibility_problems(call, application.establishment):
        raise Refusal(" ".join(problems))
    if errors := answer_errors(form_of(application), application.answers, for_submission=True):
        raise InvalidAnswers(errors)
    with transaction.atomic():
        # Lock the row: two submissions racing each other cannot both pass the status check, and the
        # answers frozen are those just checked (a save in between changed the version).
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status == ApplicationStatus.DRAFT and locked.lock_version != application.lock_version:
            raise StaleDraft(
                "Ce dossier a été enregistré pendant que vous le déposiez : relisez-le, puis déposez-le."
            )
        number = locked.submissions.count() + 1
        DOSSIER.perform(
            locked,
            "submit",
            by=by,
            now=now,
            changes={"submitted_at": submitted_at, "lock_version": F("lock_version") + 1},
            details={"number": number},
        )
        submission = Submission.objects.create(
            application=locked,
            number=number,
            submitted_at=submitted_at,
            submitted_by=by,
            form_version=locked.form_version,
            answers=locked.answers,
            fingerprint=fingerprint(locked, submitted_at),
        )
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
    ensure(can_manage_region(by, call.programme.region_id))
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
            form_version = current_form(call)
            application = Application.objects.create(
                call=call,
                establishment=establishment,
                form_version=form_version,
                answers=with_directory_answers(dossier_form(call, form_version), {}, establishment),
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
    if not (allowed := received_in_time(call, received_at, now)):
        raise Refusal(allowed.reason, field=None if call.status == CallStatus.DRAFT else "received_at")


def _delete_files(stored: list[Attachment]) -> None:
    for attachment in stored:
        attachment.file.delete(save=False)


def reopen_application(*, application: Application, by, now: datetime | None = None) -> Application:
    """Until the deadline, a submitted dossier can be changed and submitted again; if it is not, its last
    submission is the one reviewed (restoration.py, scheduled here for the deadline)."""
    with transaction.atomic():
        DOSSIER.perform(
            application, "reopen", by=by, now=now, changes={"lock_version": F("lock_version") + 1}
        )
        schedule_restoration(application.call)
    return application


def withdraw_application(*, application: Application, by, now: datetime | None = None) -> Application:
    """The establishment gives up its candidacy; the dossier is kept, read-only.

    `application_withdrawn` is sent inside the withdrawal's transaction: what the review does then (the
    first on the waiting list takes a freed place) commits with the withdrawal, or neither does.
    """
    try:
        with transaction.atomic():
            DOSSIER.perform(
                application, "withdraw", by=by, now=now, changes={"lock_version": F("lock_version") + 1}
            )
            application_withdrawn.send(sender=Application, application=application, by=by)
    except Exception:
        # Rolled back: the object in memory must not say withdrawn either.
        application.refresh_from_db()
        raise
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
