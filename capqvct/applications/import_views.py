"""The programme managers' pages to import dossiers from a spreadsheet: upload, mapping, preview, report.

Calls come from calls_managed_by and batches from the calls found there, so an agent of another region
gets a 404; whoever manages no region gets a 403.
"""

from itertools import groupby

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from dsfr.forms import DsfrBaseForm

from capqvct.applications import imports
from capqvct.applications.models import ImportBatch, ImportStatus
from capqvct.calls.application_form import dossier_form
from capqvct.calls.models import Call
from capqvct.calls.permissions import require_manager
from capqvct.calls.selectors import calls_managed_by
from capqvct.calls.services import current_form
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import NBSP, format_number

PREVIEW_LINES = 20
NOT_IMPORTED = "— Ne pas importer —"


def _call_for(request, call_pk: int) -> Call:
    require_manager(request.user)
    return get_object_or_404(calls_managed_by(request.user), pk=call_pk)


def _batch_for(request, call_pk: int, pk: int) -> ImportBatch:
    call = _call_for(request, call_pk)
    batch = get_object_or_404(ImportBatch.objects.filter(call=call), pk=pk)
    batch.call = call
    return batch


def _crumbs(call: Call, *last: tuple[str, str | None]) -> list:
    return [
        ("Gestion des appels", reverse("calls:manage_list")),
        (call.programme.title, reverse("calls:manage_programme", args=[call.programme_id])),
        (call.title, reverse("calls:manage_call", args=[call.pk])),
        *last,
    ]


def _upload_crumb(call: Call) -> tuple[str, str]:
    return ("Importer des dossiers", reverse("applications:import_upload", args=[call.pk]))


class UploadForm(DsfrBaseForm):
    file = forms.FileField(
        label="Tableur des dossiers",
        help_text=(
            f"CSV, XLSX (Excel) ou ODS (LibreOffice), {imports.MAX_FILE_SIZE_MB}{NBSP}Mo et "
            f"{format_number(imports.MAX_LINES)}{NBSP}lignes au plus. La première ligne donne les intitulés "
            "des colonnes, chaque ligne suivante un dossier."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.ods,.txt"}),
    )


def _answer_name(path: str) -> str:
    # Question keys hold no hyphen: the name cannot collide with another one.
    return "answers-" + path.replace(".", "-")


class MappingForm(DsfrBaseForm):
    """One list of columns per answer the spreadsheet can give, plus the FINESS, the date and the sender."""

    finess = forms.ChoiceField(
        label="Numéro FINESS de l’établissement",
        help_text="Le numéro de l’établissement (ET) qui dépose le dossier.",
        error_messages={"required": "Choisissez la colonne du numéro FINESS de l’établissement."},
    )
    received_at = forms.ChoiceField(
        label="Date de réception",
        help_text="Par exemple la date de dépôt d’un export de Démarches Simplifiées.",
        required=False,
    )
    received_on = forms.DateField(
        label="Sinon, date de réception de tous les dossiers",
        help_text="Utilisée pour les lignes sans date de réception.",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sender_email = forms.ChoiceField(
        label="Adresse e-mail de l’expéditeur",
        help_text="L’accusé de réception de chaque dossier y est envoyé.",
        required=False,
    )

    def __init__(self, *args, columns: tuple[str, ...], targets: list[imports.Target], **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        self.targets = targets
        choices = [("", NOT_IMPORTED), *((column, column) for column in columns)]
        self.fields["finess"].choices = [("", "Choisissez une colonne"), *choices[1:]]
        self.fields["received_at"].choices = choices
        self.fields["sender_email"].choices = choices
        for target in targets:
            self.fields[_answer_name(target.path)] = forms.ChoiceField(
                label=target.label, choices=choices, required=False
            )

    @classmethod
    def initial_for(cls, mapping: imports.Mapping) -> dict:
        initial = {
            "finess": mapping.finess,
            "received_at": mapping.received_at,
            "received_on": mapping.received_on,
            "sender_email": mapping.sender_email,
        }
        initial.update({_answer_name(path): column for path, column in mapping.answers.items()})
        return initial

    def clean(self):
        cleaned = super().clean()
        mapping = self.mapping()
        for name, problem in mapping.problems(self.columns).items():
            if name not in self.errors:
                self.add_error(name, problem)
        return cleaned

    def mapping(self) -> imports.Mapping:
        data = self.cleaned_data
        return imports.Mapping(
            finess=data.get("finess") or "",
            received_at=data.get("received_at") or "",
            received_on=data.get("received_on"),
            sender_email=data.get("sender_email") or "",
            answers={
                target.path: data[_answer_name(target.path)]
                for target in self.targets
                if data.get(_answer_name(target.path))
            },
        )

    def sections(self, form) -> list[tuple[str, list]]:
        """The answers' fields grouped under their section's title, as the dossier shows them."""
        titles = {question.key: section.title for section in form.sections for question in section.fields}
        return [
            (title, [self[_answer_name(target.path)] for target in group])
            for title, group in groupby(self.targets, key=lambda target: titles[target.field.key])
        ]


def upload(request, call_pk: int):
    """Choose the file; earlier imports of the call are listed below."""
    call = _call_for(request, call_pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.upload_batch(call=call, upload=form.cleaned_data["file"], by=request.user)
        except Refusal as refusal:
            form.add_error("file" if refusal.field == "file" else None, refusal.message)
        else:
            return redirect("applications:import_mapping", call.pk, batch.pk)
    return render(
        request,
        "applications/import/upload.html",
        {
            "page_title": f"Importer des dossiers — {call.title}",
            "call": call,
            "form": form,
            "batches": call.import_batches.select_related("created_by"),
            "breadcrumb": _crumbs(call, ("Importer des dossiers", None)),
        },
    )


def mapping(request, call_pk: int, pk: int):
    """One list of columns per question, pre-filled by the guess; what was chosen is kept on error."""
    batch = _batch_for(request, call_pk, pk)
    if batch.status == ImportStatus.IMPORTED:
        return redirect("applications:import_report", batch.call_id, batch.pk)
    call = batch.call
    sheet = imports.sheet_of(batch)
    form_definition = dossier_form(call, current_form(call))
    targets = imports.import_targets(form_definition)
    form = MappingForm(
        request.POST or None,
        columns=sheet.columns,
        targets=targets,
        initial=MappingForm.initial_for(imports.Mapping.from_json(batch.mapping)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            imports.save_mapping(batch=batch, mapping=form.mapping(), by=request.user)
        except Refusal as refusal:
            form.add_error(None, refusal.message)
        else:
            return redirect("applications:import_preview", call.pk, batch.pk)
    return render(
        request,
        "applications/import/mapping.html",
        {
            "page_title": f"Correspondance des colonnes — {batch.original_name}",
            "call": call,
            "batch": batch,
            "form": form,
            "sections": form.sections(form_definition),
            "left_for_later": imports.left_for_later(form_definition),
            "line_count_text": _count(len(sheet.lines), "ligne de dossier", "lignes de dossiers"),
            "breadcrumb": _crumbs(call, _upload_crumb(call), (batch.original_name, None)),
        },
    )


def preview(request, call_pk: int, pk: int):
    """What the import would do, line by line, before anything is written."""
    batch = _batch_for(request, call_pk, pk)
    if batch.status == ImportStatus.IMPORTED:
        return redirect("applications:import_report", batch.call_id, batch.pk)
    mapping_url = reverse("applications:import_mapping", args=[batch.call_id, batch.pk])
    sheet = imports.sheet_of(batch)
    if imports.Mapping.from_json(batch.mapping).problems(sheet.columns):
        messages.info(request, "Indiquez d’abord quelle colonne donne chaque information.")
        return redirect(mapping_url)
    result = imports.preview_batch(batch=batch, by=request.user)
    failed = [line for line in result.lines if line.status == "failed"]
    return render(
        request,
        "applications/import/preview.html",
        {
            "page_title": f"Aperçu de l’import — {batch.original_name}",
            "call": batch.call,
            "batch": batch,
            "first_lines": result.lines[:PREVIEW_LINES],
            "failed": failed,
            "sample": result.sample,
            "ready": result.count("ready"),
            "to_complete": result.count("to_complete"),
            "total_text": _count(len(result.lines), "ligne lue", "lignes lues"),
            "ready_text": _count(
                result.count("ready"), "dossier sera importé et déposé", "dossiers seront importés et déposés"
            ),
            "to_complete_text": _count(
                result.count("to_complete"),
                "dossier sera importé en brouillon, à compléter",
                "dossiers seront importés en brouillon, à compléter",
            ),
            "failed_text": _count(len(failed), "ligne refusée", "lignes refusées"),
            "mapping_url": mapping_url,
            "breadcrumb": _crumbs(batch.call, _upload_crumb(batch.call), (batch.original_name, None)),
        },
    )


@require_POST
def run(request, call_pk: int, pk: int):
    batch = _batch_for(request, call_pk, pk)
    try:
        report = imports.import_batch(batch=batch, by=request.user)
    except Refusal as refusal:
        messages.error(request, refusal.message)
        if batch.status == ImportStatus.IMPORTED:
            return redirect("applications:import_report", batch.call_id, batch.pk)
        return redirect("applications:import_preview", batch.call_id, batch.pk)
    done = len(report["imported"]) + len(report["to_complete"])
    messages.success(
        request,
        f"Import terminé{NBSP}: {_count(done, 'dossier importé', 'dossiers importés')}, "
        f"{_count(len(report['failed']), 'ligne refusée', 'lignes refusées')}.",
    )
    return redirect("applications:import_report", batch.call_id, batch.pk)


def report(request, call_pk: int, pk: int):
    """The lines imported, with links to their dossiers, and the lines refused with their reasons."""
    batch = _batch_for(request, call_pk, pk)
    if batch.status != ImportStatus.IMPORTED:
        return redirect("applications:import_preview", batch.call_id, batch.pk)
    content = batch.report or {}
    imported, to_complete = content.get("imported", []), content.get("to_complete", [])
    failed = content.get("failed", [])
    return render(
        request,
        "applications/import/report.html",
        {
            "page_title": f"Compte rendu de l’import — {batch.original_name}",
            "call": batch.call,
            "batch": batch,
            "imported": imported,
            "to_complete": to_complete,
            "failed": failed,
            "total_text": _count(content.get("total", 0), "ligne lue", "lignes lues"),
            "imported_text": _count(
                len(imported), "dossier importé et déposé", "dossiers importés et déposés"
            ),
            "to_complete_text": _count(
                len(to_complete), "dossier importé à compléter", "dossiers importés à compléter"
            ),
            "failed_text": _count(len(failed), "ligne refusée", "lignes refusées"),
            "breadcrumb": _crumbs(batch.call, _upload_crumb(batch.call), (batch.original_name, None)),
        },
    )


def _count(number: int, singular: str, plural: str) -> str:
    return f"{format_number(number)}{NBSP}{singular if number <= 1 else plural}"
