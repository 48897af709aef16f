"""Use cases of programmes and calls; each checks its rule and writes its audit event."""

import copy
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from capqvct.calls.formdef.schema import validate_definition
from capqvct.calls.models import Call, CallStatus, FormVersion, Programme
from capqvct.calls.permissions import can_manage_region
from capqvct.calls.signals import call_closed_early, deadline_extended
from capqvct.calls.states import CALL, DEADLINE_PASSED
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event

# Fields a call copies from the one it is cloned from.
CLONED_FIELDS = (
    "programme",
    "kind",
    "title",
    "description",
    "categories",
    "declared_criteria",
    "places",
    "contacts",
    "required_attachments",
    "reminder_days",
)


def _ensure_manager(user, programme: Programme) -> None:
    if not (allowed := can_manage_region(user, programme.region_id)):
        raise Refusal(allowed.reason)


def create_programme(*, by, region_id: str, agencies=(), **fields) -> Programme:
    """A programme manager opens a programme for their region."""
    if not (allowed := can_manage_region(by, region_id)):
        raise Refusal(allowed.reason)
    with transaction.atomic():
        programme = Programme.objects.create(region_id=region_id, created_by=by, **fields)
        programme.agencies.set(agencies)
        record_event(action="programme_created", actor=by, target=programme)
    return programme


def create_call(*, programme: Programme, by, definition: dict, departements=(), **fields) -> Call:
    """A draft call with the first version of its application form."""
    _ensure_manager(by, programme)
    _ensure_dates(fields["opens_at"], fields["closes_at"])
    with transaction.atomic():
        call = Call.objects.create(programme=programme, **fields)
        call.departements.set(departements)
        FormVersion.objects.create(call=call, number=1, definition=definition, created_by=by)
        record_event(action="call_created", actor=by, target=call)
    return call


def update_call(*, call: Call, by, departements=(), **fields) -> Call:
    """Change a call's rules and dates; a closed call is no longer changed.

    Moving a published call's deadline later sends deadline_extended (draft holders are told)."""
    _ensure_manager(by, call.programme)
    if call.status == CallStatus.CLOSED:
        raise Refusal("Cet appel est clos : il ne peut plus être modifié.")
    _ensure_dates(fields["opens_at"], fields["closes_at"])
    previous_deadline = call.closes_at
    with transaction.atomic():
        for name, value in fields.items():
            setattr(call, name, value)
        call.save(update_fields=list(fields))
        call.departements.set(departements)
        record_event(action="call_updated", actor=by, target=call)
        if call.status == CallStatus.PUBLISHED and call.closes_at > previous_deadline:
            # Inside the transaction: what listeners queue (tasks, e-mails) stands or falls with the change.
            deadline_extended.send(sender=Call, call=call, previous_deadline=previous_deadline, by=by)
    return call


def current_form(call: Call) -> FormVersion:
    return call.form_versions.order_by("-number").first()


def save_form(*, call: Call, definition: dict, by) -> FormVersion:
    """Before publication the draft form is edited in place; once published, a change is a new version."""
    _ensure_manager(by, call.programme)
    if call.status == CallStatus.CLOSED:
        raise Refusal("Cet appel est clos : son formulaire ne peut plus être modifié.")
    if errors := validate_definition(definition):
        raise Refusal(" ".join(errors), field="definition")
    version = current_form(call)
    with transaction.atomic():
        if call.status == CallStatus.DRAFT:
            version.definition = definition
            version.save(update_fields=["definition"])
        else:
            version = FormVersion.objects.create(
                call=call, number=version.number + 1, definition=definition, created_by=by
            )
        record_event(action="call_form_saved", actor=by, target=call, details={"version": version.number})
    return version


def publish_call(*, call: Call, by, now: datetime | None = None) -> Call:
    """Publish a draft call: it appears on the public list and opens at its opening date."""
    now = now or timezone.now()
    _ensure_manager(by, call.programme)
    if call.status == CallStatus.DRAFT and call.closes_at <= now:
        raise Refusal(DEADLINE_PASSED, field="closes_at")
    return CALL.perform(call, "publish", by=by, now=now, changes={"published_at": now})


def close_call_early(*, call: Call, by, reason: str, now: datetime | None = None) -> Call:
    """Close a published call before its deadline, with a reason shown on its page."""
    now = now or timezone.now()
    CALL.ensure(call, "close_early", by=by, now=now)
    if not reason.strip():
        raise Refusal(
            "Indiquez le motif de la clôture : il sera affiché sur la page de l’appel.", field="reason"
        )
    with transaction.atomic():
        CALL.perform(
            call,
            "close_early",
            by=by,
            now=now,
            changes={"closed_early_at": now, "closed_early_reason": reason.strip()},
            details={"reason": reason.strip()},
        )
        # What follows a closing (reopened dossiers return to their last submission) commits with it.
        call_closed_early.send(sender=Call, call=call, by=by)
    return call


def clone_call(*, call: Call, by, opens_at: datetime, closes_at: datetime) -> Call:
    """A new draft call with the same rules and form as a previous one, and new dates."""
    fields = {name: copy.deepcopy(getattr(call, name)) for name in CLONED_FIELDS}
    clone = create_call(
        by=by,
        definition=copy.deepcopy(current_form(call).definition),
        departements=list(call.departements.all()),
        opens_at=opens_at,
        closes_at=closes_at,
        cloned_from=call,
        **fields,
    )
    return clone


def _ensure_dates(opens_at: datetime, closes_at: datetime) -> None:
    if opens_at >= closes_at:
        raise Refusal("La date limite doit suivre la date d’ouverture.", field="closes_at")
