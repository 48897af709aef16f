"""The use cases of an import: upload a file, choose its mapping, preview it, import it."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone

from capqvct.applications import services
from capqvct.applications.attachments import clean_name
from capqvct.applications.eligibility import eligibility_problems
from capqvct.applications.imports.cells import convert, finess_text, received_instant
from capqvct.applications.imports.mapping import (
    Mapping,
    Target,
    guess_mapping,
    import_targets,
    left_for_later,
    normalized,
)
from capqvct.applications.imports.sheets import MAX_FILE_SIZE_MB, Line, Sheet, as_text, read_sheet
from capqvct.applications.models import Application, Channel, ImportBatch, ImportStatus
from capqvct.calls.application_form import dossier_form
from capqvct.calls.deadlines import describe_deadline, is_before_deadline
from capqvct.calls.formdef.answers import parse_date, validate_answers
from capqvct.calls.formdef.schema import PERSON_PARTS, TRIO_ROLES, Kind, quoted
from capqvct.calls.models import Call, CallStatus
from capqvct.calls.permissions import can_manage_region
from capqvct.calls.services import current_form
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import NBSP
from capqvct.core.services import record_event
from capqvct.establishments.models import Establishment

_email_validator = EmailValidator()


@dataclass
class PreparedLine:
    """A line read through the mapping: its establishment, date and answers, or why it cannot be."""

    number: int
    finess: str = ""
    establishment: Establishment | None = None
    received_at: dt.datetime | None = None
    sender_email: str = ""
    answers: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass
class LineOutcome:
    number: int
    finess: str
    establishment: Establishment | None
    status: str  # "ready", "to_complete" or "failed"
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    application_pk: int | None = None


@dataclass
class Preview:
    lines: list[LineOutcome]
    sample: list[tuple[str, str, str]]

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)


class _Importer:
    """Everything the lines of one batch share: the form, the mapping, the establishments named."""

    def __init__(self, batch: ImportBatch, sheet: Sheet):
        self.call = (
            Call.objects.select_related("programme__region")
            .prefetch_related("departements")
            .get(pk=batch.call_id)
        )
        self.form = dossier_form(self.call, current_form(self.call))
        self.mapping = Mapping.from_json(batch.mapping)
        self.sheet = sheet
        self.targets = {
            target.path: target
            for target in import_targets(self.form)
            if self.mapping.answers.get(target.path) in sheet.columns
        }
        self.later = {question.key for question in left_for_later(self.form)}
        finesses = {finess_text(line.cells.get(self.mapping.finess)) for line in sheet.lines}
        self.establishments = {
            e.finess_et: e
            for e in Establishment.objects.select_related("departement").filter(finess_et__in=finesses)
        }
        self.legal_entities = set(
            Establishment.objects.filter(finess_ej__in=finesses - set(self.establishments)).values_list(
                "finess_ej", flat=True
            )
        )
        self.zone = ZoneInfo(self.call.time_zone)

    def prepare(self) -> list[PreparedLine]:
        seen: dict[str, int] = {}
        prepared = []
        for line in self.sheet.lines:
            result = self.read(line)
            if result.establishment is not None:
                if result.finess in seen:
                    result.problems.append(
                        f"L’établissement figure déjà ligne {seen[result.finess]} de ce fichier."
                    )
                else:
                    seen[result.finess] = line.number
            prepared.append(result)
        return prepared

    def read(self, line: Line) -> PreparedLine:
        result = PreparedLine(number=line.number)
        raw_finess = line.cells.get(self.mapping.finess)
        result.finess = finess_text(raw_finess)
        if not result.finess:
            result.problems.append("Numéro FINESS manquant.")
        elif result.finess in self.establishments:
            result.establishment = self.establishments[result.finess]
        elif result.finess in self.legal_entities:
            result.problems.append(
                f"{quoted(result.finess)} est le numéro FINESS d’une entité juridique (EJ){NBSP}: "
                "indiquez celui de l’établissement (ET)."
            )
        else:
            result.problems.append(
                f"Le numéro FINESS {quoted(as_text(raw_finess))} ne figure pas dans le répertoire des "
                "établissements."
            )
        result.received_at = self.received_at(line, result.problems)
        sender = (
            as_text(line.cells.get(self.mapping.sender_email)).lower() if self.mapping.sender_email else ""
        )
        if sender:
            try:
                _email_validator(sender)
            except ValidationError:
                result.problems.append(
                    f"L’adresse e-mail de l’expéditeur {quoted(sender)} n’est pas valide "
                    f"(colonne {quoted(self.mapping.sender_email)})."
                )
            else:
                result.sender_email = sender
        for path, target in self.targets.items():
            column = self.mapping.answers[path]
            value, problem = convert(target, line.cells.get(column))
            if problem:
                result.problems.append(f"{_where(target.full_label, column)}{NBSP}: {problem}")
            elif value is not None:
                _put(result.answers, path, value)
        return result

    def received_at(self, line: Line, problems: list[str]) -> dt.datetime | None:
        raw = line.cells.get(self.mapping.received_at) if self.mapping.received_at else None
        if raw is None:
            if self.mapping.received_on:
                return dt.datetime.combine(self.mapping.received_on, dt.time(0), tzinfo=self.zone)
            problems.append(f"Date de réception manquante (colonne {quoted(self.mapping.received_at)}).")
            return None
        instant = received_instant(raw, self.zone)
        if instant is None:
            problems.append(
                f"La date de réception {quoted(as_text(raw))} est illisible "
                f"(colonne {quoted(self.mapping.received_at)}){NBSP}; écrivez-la par exemple 05/09/2022 "
                "ou 05/09/2022 14:30."
            )
        return instant

    def describe(self, errors: dict[str, list[str]]) -> tuple[list[str], list[str]]:
        """The engine's errors as reasons (with their column), and the questions left for later."""
        reasons, missing = [], []
        for path, messages in errors.items():
            key = path.split(".")[0]
            if key in self.later:
                question = self.form.field(key)
                missing.append(question.label if question else key)
                continue
            label, column = self.label_of(path)
            where = _where(label, column)
            reasons += [f"{where}{NBSP}: {message}" if where else message for message in messages]
        return reasons, missing

    def label_of(self, path: str) -> tuple[str, str]:
        if path in self.targets:
            return self.targets[path].full_label, self.mapping.answers[path]
        question = self.form.field(path.split(".")[0])
        if question is None:
            return "", ""
        parts = path.split(".")
        if question.kind == Kind.TRIO and len(parts) == 3:
            role, part = TRIO_ROLES.get(parts[1], parts[1]), PERSON_PARTS.get(parts[2], parts[2])
            return f"{question.label} — {role} — {part}", ""
        if question.kind == Kind.PERSON and len(parts) == 2:
            return f"{question.label} — {PERSON_PARTS.get(parts[1], parts[1])}", ""
        return question.label, ""

    def outcome(self, line: PreparedLine, existing: dict[int, int], now: dt.datetime) -> LineOutcome:
        """What importing the line would do, read without writing (the services decide at import)."""
        result = LineOutcome(line.number, line.finess, line.establishment, "failed", list(line.problems))
        if line.establishment is not None:
            result.reasons += eligibility_problems(self.call, line.establishment)
            if line.establishment.pk in existing:
                result.reasons.append(
                    "Un dossier existe déjà pour cet établissement dans cet appel "
                    f"(dossier n°{NBSP}{existing[line.establishment.pk]})."
                )
        if line.received_at is not None:
            result.reasons += self.deadline_problems(line.received_at, now)
        reasons, result.missing = self.describe(
            validate_answers(self.form, line.answers, for_submission=True)
        )
        result.reasons += reasons
        if not result.reasons:
            result.status = "to_complete" if result.missing else "ready"
        return result

    def deadline_problems(self, received_at: dt.datetime, now: dt.datetime) -> list[str]:
        if received_at > now:
            return ["La date de réception ne peut pas être dans le futur."]
        deadline = self.call.closed_early_at or self.call.closes_at
        if not is_before_deadline(received_at, deadline):
            deadline_text = describe_deadline(deadline, self.call.time_zone)
            return [f"Ce dossier a été reçu après la date limite de dépôt, fixée {deadline_text}."]
        return []

    def sample(self, line: Line, prepared: PreparedLine) -> list[tuple[str, str, str]]:
        """How the first line reads, question by question, for the agent to check the mapping."""
        rows = [
            ("Numéro FINESS de l’établissement", self.mapping.finess, prepared.finess),
            (
                "Date de réception",
                self.mapping.received_at or "(date saisie)",
                prepared.received_at.astimezone(self.zone).strftime("%d/%m/%Y %H:%M")
                if prepared.received_at
                else "",
            ),
        ]
        for path, target in self.targets.items():
            column = self.mapping.answers[path]
            value, problem = convert(target, line.cells.get(column))
            rows.append((target.full_label, column, problem or _shown(target, value)))
        return rows


def _where(label: str, column: str) -> str:
    """The question, and the column it was read from when its header does not already say so."""
    if not column or normalized(column) == normalized(label):
        return label
    return f"{label} (colonne {quoted(column)})"


def _put(answers: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = answers
    for parent in parents:
        node = node.setdefault(parent, {})
    node[last] = value


def _shown(target: Target, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if target.kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
        labels = {option.value: option.label for option in target.field.options}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(item, item) for item in values)
    if target.kind == Kind.DATE and isinstance(value, str) and (day := parse_date(value)):
        return day.strftime("%d/%m/%Y")
    return str(value)


def upload_batch(*, call: Call, upload: UploadedFile, by) -> ImportBatch:
    """Keep a readable spreadsheet under a random name, with a first guess at its mapping."""
    if not (allowed := can_manage_region(by, call.programme.region_id)):
        raise Refusal(allowed.reason)
    if call.status == CallStatus.DRAFT:
        raise Refusal("Publiez l’appel avant d’y importer des dossiers.")
    if (upload.size or 0) > MAX_FILE_SIZE_MB * 1024 * 1024:
        raise Refusal(
            f"Le fichier dépasse {MAX_FILE_SIZE_MB}{NBSP}Mo{NBSP}: découpez-le en plusieurs imports.",
            field="file",
        )
    upload.seek(0)
    sheet = read_sheet(upload.read())
    upload.seek(0)
    form = dossier_form(call, current_form(call))
    batch = ImportBatch(
        call=call,
        original_name=clean_name(upload.name or "tableur"),
        mapping=guess_mapping(form, sheet.columns).to_json(),
        created_by=by,
    )
    batch.file.save("tableur", upload, save=False)
    batch.save()
    return batch


def sheet_of(batch: ImportBatch) -> Sheet:
    with batch.file.open("rb") as stored:
        return read_sheet(stored.read())


def save_mapping(*, batch: ImportBatch, mapping: Mapping, by) -> None:
    """Keep the columns the agent chose; the preview and the import read them."""
    if not (allowed := can_manage_region(by, batch.call.programme.region_id)):
        raise Refusal(allowed.reason)
    if batch.status != ImportStatus.UPLOADED:
        raise Refusal("Ce fichier a déjà été importé.")
    batch.mapping = mapping.to_json()
    batch.save(update_fields=["mapping"])


def preview_batch(*, batch: ImportBatch, by, now: dt.datetime | None = None) -> Preview:
    """What importing would do, line by line, in a number of queries that does not grow with the lines."""
    now = now or timezone.now()
    if not (allowed := can_manage_region(by, batch.call.programme.region_id)):
        raise Refusal(allowed.reason)
    sheet = sheet_of(batch)
    importer = _Importer(batch, sheet)
    prepared = importer.prepare()
    named = [line.establishment.pk for line in prepared if line.establishment is not None]
    existing = dict(
        Application.objects.filter(call=importer.call, establishment__in=named).values_list(
            "establishment_id", "pk"
        )
    )
    outcomes = [importer.outcome(line, existing, now) for line in prepared]
    return Preview(lines=outcomes, sample=importer.sample(sheet.lines[0], prepared[0]))


def import_batch(*, batch: ImportBatch, by, now: dt.datetime | None = None) -> dict:
    """Record and submit a dossier per line, each line in its own transaction; keep the report."""
    now = now or timezone.now()
    if not (allowed := can_manage_region(by, batch.call.programme.region_id)):
        raise Refusal(allowed.reason)
    if Mapping.from_json(batch.mapping).problems(sheet_of(batch).columns):
        raise Refusal("Indiquez d’abord la correspondance des colonnes.")
    # Claim the batch first: a second click, or a colleague, cannot import the same file twice.
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.UPLOADED).update(
        status=ImportStatus.IMPORTED
    )
    if not claimed:
        raise Refusal("Ce fichier a déjà été importé : son compte rendu est ci-dessous.")
    importer = _Importer(batch, sheet_of(batch))
    report: dict[str, Any] = {
        "total": len(importer.sheet.lines),
        "imported": [],
        "to_complete": [],
        "failed": [],
    }
    try:
        for line in importer.prepare():
            outcome = _import_line(importer, line, by=by, now=now)
            entry = {"line": outcome.number, "finess": outcome.finess}
            if outcome.establishment is not None:
                entry["establishment"] = outcome.establishment.name
            if outcome.status == "failed":
                report["failed"].append({**entry, "reasons": outcome.reasons})
            elif outcome.status == "to_complete":
                report["to_complete"].append(
                    {**entry, "application": outcome.application_pk, "missing": outcome.missing}
                )
            else:
                report["imported"].append({**entry, "application": outcome.application_pk})
    finally:
        # Even if something unexpected stops the loop, the lines already imported are reported.
        with transaction.atomic():
            batch.status = ImportStatus.IMPORTED
            batch.report = report
            batch.save(update_fields=["status", "report"])
            record_event(
                action="applications_imported",
                actor=by,
                target=batch,
                details={
                    "call": batch.call_id,
                    "lines": report["total"],
                    "imported": len(report["imported"]),
                    "to_complete": len(report["to_complete"]),
                    "failed": len(report["failed"]),
                },
            )
    return report


class _LineRefused(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def _import_line(importer: _Importer, line: PreparedLine, *, by, now: dt.datetime) -> LineOutcome:
    result = LineOutcome(line.number, line.finess, line.establishment, "failed", list(line.problems))
    if line.problems:
        # Everything to correct in the spreadsheet at once, as the preview listed it.
        errors = validate_answers(importer.form, line.answers, for_submission=True)
        result.reasons += importer.describe(errors)[0]
        return result
    try:
        with transaction.atomic():
            application = services.record_received_application(
                call=importer.call,
                establishment=line.establishment,
                channel=Channel.IMPORT,
                received_at=line.received_at,
                by=by,
                sender_email=line.sender_email,
                now=now,
            )
            errors = services.save_draft(
                application=application,
                answers=line.answers,
                by=by,
                expected_version=application.lock_version,
            )
            if errors:
                raise _LineRefused(importer.describe(errors)[0])
            try:
                services.submit_application(application=application, by=by, now=now)
            except services.InvalidAnswers as invalid:
                reasons, missing = importer.describe(invalid.errors)
                if reasons:
                    raise _LineRefused(reasons) from None
                # Only files and repeated blocks are missing: the dossier waits for them as a draft.
                result.status, result.missing = "to_complete", missing
            else:
                result.status = "imported"
    except _LineRefused as refused:
        result.reasons = refused.reasons
        return result
    except Refusal as refusal:
        result.reasons = [refusal.message]
        return result
    result.application_pk = application.pk
    return result
