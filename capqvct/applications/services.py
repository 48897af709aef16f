"""Use cases of a dossier: start, save a draft, submit, reopen, withdraw."""

import hashlib
import json
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from capqvct.applications.eligibility import eligibility_problems
from capqvct.applications.models import Application, ApplicationStatus, Change, Submission
from capqvct.applications.permissions import can_apply_for
from capqvct.calls.deadlines import describe_deadline, is_before_deadline
from capqvct.calls.formdef.answers import validate_answers
from capqvct.calls.formdef.schema import Form
from capqvct.calls.models import Call, CallStatus
from capqvct.calls.services import current_form
from capqvct.core.emails import send_templated_email
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


def save_draft(*, application: Application, answers: dict, by, expected_version: int) -> dict[str, list[str]]:
    """Keep every answer as typed; return the format errors to show next to the fields."""
    if not (allowed := can_apply_for(by, application.establishment)):
        raise Refusal(allowed.reason)
    if application.status != ApplicationStatus.DRAFT:
        raise Refusal("Ce dossier est déposé : rouvrez-le pour le modifier.")
    changed = sorted(
        key
        for key in set(answers) | set(application.answers)
        if answers.get(key) != application.answers.get(key)
    )
    with transaction.atomic():
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
    application.refresh_from_db()
    return validate_answers(_form_of(application), answers, for_submission=False)


def submit_application(*, application: Application, by, now: datetime | None = None) -> Submission:
    """Submit before the deadline, read on the server's clock; the receipt fingerprints what was sent."""
    now = now or timezone.now()
    if not (allowed := can_apply_for(by, application.establishment)):
        raise Refusal(allowed.reason)
    call = application.call
    _ensure_open(call, now)
    if problems := eligibility_problems(call, application.establishment):
        raise Refusal(" ".join(problems))
    if errors := validate_answers(_form_of(application), application.answers, for_submission=True):
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
            submitted_at=now.replace(microsecond=0),
            submitted_by=by,
            form_version=locked.form_version,
            answers=locked.answers,
            fingerprint=fingerprint(locked, now.replace(microsecond=0)),
        )
        locked.status = ApplicationStatus.SUBMITTED
        locked.submitted_at = submission.submitted_at
        locked.save(update_fields=["status", "submitted_at", "updated_at"])
        record_event(action="application_submitted", actor=by, target=locked, details={"number": number})
        _send_receipt(submission)
    application.refresh_from_db()
    return submission


def reopen_application(*, application: Application, by, now: datetime | None = None) -> Application:
    """Until the deadline, a submitted dossier can be changed and submitted again."""
    now = now or timezone.now()
    if not (allowed := can_apply_for(by, application.establishment)):
        raise Refusal(allowed.reason)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Refusal("Seul un dossier déposé peut être rouvert.")
    _ensure_open(application.call, now)
    return _move(application, to=ApplicationStatus.DRAFT, by=by, action="application_reopened")


def withdraw_application(*, application: Application, by) -> Application:
    """The establishment gives up its candidacy; the dossier is kept, read-only."""
    if not (allowed := can_apply_for(by, application.establishment)):
        raise Refusal(allowed.reason)
    if application.status == ApplicationStatus.WITHDRAWN:
        raise Refusal("Ce dossier est déjà retiré.")
    return _move(application, to=ApplicationStatus.WITHDRAWN, by=by, action="application_withdrawn")


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


def _form_of(application: Application) -> Form:
    return Form.from_json(application.form_version.definition)


def _move(application: Application, *, to: str, by, action: str) -> Application:
    with transaction.atomic():
        previous = application.status
        application.status = to
        application.lock_version += 1
        application.save(update_fields=["status", "lock_version", "updated_at"])
        record_event(action=action, actor=by, target=application, details={"from": previous, "to": to})
    return application


def _send_receipt(submission: Submission) -> None:
    from capqvct.applications.receipts import receipt_pdf

    application = submission.application
    recipients = sorted({submission.submitted_by.email} if submission.submitted_by else set())
    send_templated_email(
        to=recipients,
        subject=f"Accusé de réception : {application.call.title}",
        template="applications/emails/receipt.txt",
        context={"submission": submission, "application": application},
        attachments=[
            (
                f"accuse-reception-{application.pk}-{submission.number}.pdf",
                lambda: receipt_pdf(submission),
                "application/pdf",
            )
        ],
    )
