"""Dossiers imported from a spreadsheet: the three formats, the mapping, the cells, each line's fate."""

import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
import tablib
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from capqvct.accounts.models import Role
from capqvct.applications import imports
from capqvct.applications.models import Application, ApplicationStatus, Channel, ImportStatus, Submission
from capqvct.calls import services as call_services
from capqvct.calls.application_form import dossier_form
from capqvct.calls.deadlines import deadline_instant
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import EstablishmentFactory, MembershipFactory, departement, published_call, region

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
FORM = {
    "sections": [
        {
            "key": "structure",
            "title": "Structure",
            "fields": [
                {
                    "key": "structure_name",
                    "kind": "short_text",
                    "label": "Nom de la structure",
                    "required": True,
                },
                {"key": "finess_et", "kind": "establishment", "label": "Numéro FINESS de l’établissement"},
                {
                    "key": "legal_status",
                    "kind": "single_choice",
                    "label": "Statut juridique",
                    "options": [
                        {"value": "public", "label": "Public"},
                        {"value": "private_non_profit", "label": "Privé non lucratif"},
                    ],
                },
                {"key": "has_cpom", "kind": "yes_no", "label": "Avez-vous signé un CPOM\u202f?"},
                {"key": "cpom_signed_on", "kind": "date", "label": "Date de signature du CPOM"},
                {"key": "staff_fte", "kind": "decimal", "label": "Effectif en ETP", "min": 0},
                {"key": "phone", "kind": "phone", "label": "Téléphone"},
                {
                    "key": "themes",
                    "kind": "multiple_choice",
                    "label": "Thèmes prioritaires",
                    "options": [
                        {"value": "organisation", "label": "Organisation du travail"},
                        {"value": "health", "label": "Santé au travail"},
                        {"value": "dialogue", "label": "Dialogue social, dialogue professionnel"},
                    ],
                },
            ],
        },
        {
            "key": "trio",
            "title": "Trinôme",
            "fields": [
                {"key": "trio", "kind": "trio", "label": "Composition du trinôme", "required_parts": ["name"]}
            ],
        },
    ]
}
OPENS = datetime(2021, 10, 1, tzinfo=UTC)
# The Occitanie « OMEGA » call: dossiers by e-mail before 17 November 2021.
DEADLINE = deadline_instant(day=date(2021, 11, 17), at=None, zone="Europe/Paris")
HEADERS = ["N° FINESS", "Nom de la structure", "Statut juridique", "Déposé le"]


@pytest.fixture
def manager():
    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation__region=region("76"), user__email="agent@ars-occitanie.fr"
    ).user


def make_call(manager, definition=FORM, **fields):
    return published_call(
        manager,
        definition=definition,
        title="Démarche QVT OMEGA",
        opens_at=OPENS,
        closes_at=DEADLINE,
        **fields,
    )


@pytest.fixture
def call(manager):
    return make_call(manager)


@pytest.fixture
def herault():
    return departement("34", "Hérault", "76")


def ehpad(finess, name="EHPAD Les Cigales", **fields):
    fields.setdefault("departement", departement("34", "Hérault", "76"))
    return EstablishmentFactory(finess_et=finess, name=name, **fields)


def xlsx(headers, *rows) -> bytes:
    return tablib.Dataset(*rows, headers=headers).export("xlsx")


def upload(call, manager, content: bytes, name="dossiers.xlsx"):
    return imports.upload_batch(call=call, upload=SimpleUploadedFile(name, content), by=manager)


# Reading the three formats


@pytest.mark.parametrize("format", ["xlsx", "ods"])
def test_a_spreadsheet_is_read_with_its_headers_typed_cells_and_line_numbers(format):
    data = tablib.Dataset(headers=["FINESS", "Nom", "Déposé le"])
    data.append(["340000017", "EHPAD Les Cigales", datetime(2021, 11, 16, 14, 30)])
    data.append([340000025, "Résidence l’Oustal", datetime(2021, 11, 17)])

    sheet = imports.read_sheet(data.export(format))

    assert sheet.columns == ("FINESS", "Nom", "Déposé le")
    assert [line.number for line in sheet.lines] == [2, 3]
    assert sheet.lines[0].cells["Nom"] == "EHPAD Les Cigales"
    assert sheet.lines[0].cells["Déposé le"] == datetime(2021, 11, 16, 14, 30)


def _ods_cell(text=None, repeated=None):
    attributes = {"numbercolumnsrepeated": repeated} if repeated else {}
    cell = TableCell(valuetype="string", **attributes) if text else TableCell(**attributes)
    if text:
        cell.addElement(P(text=text))
    return cell


def test_an_ods_file_keeps_empty_cells_and_blank_rows_in_place():
    """LibreOffice writes consecutive empty cells and rows as one repeated element."""
    document = OpenDocumentSpreadsheet()
    sheet = Table(name="Dossiers")
    for cells, rows in (
        ([_ods_cell(t) for t in ("FINESS", "Nom", "Ville", "CPOM")], None),
        ([_ods_cell("340000017"), _ods_cell(repeated=2), _ods_cell("oui")], None),
        ([_ods_cell(repeated=4)], 2),
        ([_ods_cell(t) for t in ("340000025", "EHPAD B", "Sète", "non")], None),
    ):
        row = TableRow(numberrowsrepeated=rows) if rows else TableRow()
        for cell in cells:
            row.addElement(cell)
        sheet.addElement(row)
    document.spreadsheet.addElement(sheet)
    content = io.BytesIO()
    document.save(content)

    result = imports.read_sheet(content.getvalue())

    assert result.lines[0].cells == {"FINESS": "340000017", "Nom": None, "Ville": None, "CPOM": "oui"}
    assert [line.number for line in result.lines] == [2, 5]


@pytest.mark.parametrize(
    "content",
    [
        "\ufeffFINESS,Nom\r\n340000017,Résidence l’Oustal\r\n".encode(),
        "FINESS;Nom\n340000017;Résidence l’Oustal\n".encode(),
        "FINESS;Nom\r\n340000017;Résidence l’Oustal\r\n".encode("cp1252"),
        "FINESS\tNom\n340000017\tRésidence l’Oustal\n".encode("utf-16"),
    ],
    ids=["utf-8 with BOM, comma", "utf-8, semicolon", "Windows-1252, semicolon", "Excel unicode text"],
)
def test_a_csv_file_is_read_whatever_its_encoding_and_separator(content):
    sheet = imports.read_sheet(content)
    assert sheet.columns == ("FINESS", "Nom")
    assert sheet.lines[0].cells == {"FINESS": "340000017", "Nom": "Résidence l’Oustal"}


def test_csv_line_numbers_are_the_spreadsheets_despite_blank_lines_and_multiline_cells():
    content = b'FINESS;Motivation\n340000017;"Deux\nlignes"\n;\n340000025;Une ligne\n'
    sheet = imports.read_sheet(content)
    assert [(line.number, line.cells["Motivation"]) for line in sheet.lines] == [
        (2, "Deux\nlignes"),
        (4, "Une ligne"),
    ]


def test_a_header_with_a_semicolon_inside_quotes_does_not_fool_the_separator():
    sheet = imports.read_sheet('"Nom, prénom";FINESS\n"Dupont, Marie";340000017\n'.encode())
    assert sheet.columns == ("Nom, prénom", "FINESS")


def test_blank_and_repeated_headers_are_named_by_their_column_letter():
    sheet = imports.read_sheet(xlsx(["FINESS", "", "Nom", "Nom"], ["340000017", "x", "A", "B"]))
    assert sheet.columns == ("FINESS", "Colonne B", "Nom", "Nom (colonne D)")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "vide"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 100, "Excel 97-2003"),
        (b"%PDF-1.4\x00\x01\x02binary", "pas un tableur lisible"),
        (b"PK\x03\x04 damaged zip", "pas un tableur lisible"),
        (b"FINESS;Nom\n", "aucune ligne"),
        (b"FINESS;Nom\n" + b"340000017;EHPAD\n" * (imports.MAX_LINES + 1), "plus de 5"),
        (b"x" * (imports.MAX_FILE_SIZE_MB * 1024 * 1024 + 1), "5\u00a0Mo"),
    ],
    ids=["empty", "xls", "binary", "damaged zip", "header only", "too many lines", "too big"],
)
def test_what_is_not_a_readable_sheet_is_refused_in_french(content, message):
    with pytest.raises(Refusal, match=message) as refusal:
        imports.read_sheet(content)
    assert refusal.value.field == "file"


def test_a_word_document_is_not_taken_for_a_spreadsheet():
    document = io.BytesIO()
    with zipfile.ZipFile(document, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(Refusal, match="pas un tableur lisible"):
        imports.read_sheet(document.getvalue())


# The mapping


def test_the_mapping_is_guessed_from_headers_whatever_their_accents_case_punctuation_or_numbering(call):
    form = dossier_form(call, call_services.current_form(call))
    columns = (
        "N° FINESS",
        "Déposé le",
        "Email",
        "1. NOM DE LA STRUCTURE",
        "statut juridique :",
        "Avez-vous signé un CPOM",
        "Représentant de la direction - Nom et prénom",
        "Colonne sans rapport",
    )

    mapping = imports.guess_mapping(form, columns)

    assert (mapping.finess, mapping.received_at, mapping.sender_email) == ("N° FINESS", "Déposé le", "Email")
    assert mapping.answers == {
        "structure_name": "1. NOM DE LA STRUCTURE",
        # The establishment question takes the FINESS column when no column of its own matches.
        "finess_et": "N° FINESS",
        "legal_status": "statut juridique :",
        "has_cpom": "Avez-vous signé un CPOM",
        "trio.direction.name": "Représentant de la direction - Nom et prénom",
    }


def test_file_questions_and_repeated_blocks_are_left_for_later(manager):
    call = make_call(manager, required_attachments=[{"label": "Lettre d’engagement", "required": True}])
    form = dossier_form(call, call_services.current_form(call))
    assert [question.label for question in imports.left_for_later(form)] == ["Lettre d’engagement"]
    assert all(target.field.kind != "file" for target in imports.import_targets(form))


def test_a_mapping_needs_the_finess_column_and_a_date_of_receipt():
    problems = imports.Mapping().problems(("FINESS",))
    assert set(problems) == {"finess", "received_on"}
    assert imports.Mapping(finess="FINESS", received_on=date(2021, 11, 10)).problems(("FINESS",)) == {}


# Cells into answers


def _target(call, path):
    form = dossier_form(call, call_services.current_form(call))
    return next(target for target in imports.import_targets(form) if target.path == path)


@pytest.mark.parametrize(
    "path, cell, answer",
    [
        ("has_cpom", "Oui", True),
        ("has_cpom", "VRAI", True),
        ("has_cpom", "1", True),
        ("has_cpom", 0, False),
        ("has_cpom", "faux", False),
        ("has_cpom", True, True),
        ("legal_status", "privé NON lucratif", "private_non_profit"),
        ("legal_status", "public", "public"),
        ("themes", "Santé au travail ; Organisation du travail", ["organisation", "health"]),
        ("themes", "Organisation du travail, Santé au travail", ["organisation", "health"]),
        ("themes", "Dialogue social, dialogue professionnel", ["dialogue"]),
        ("themes", "Dialogue social, dialogue professionnel;Santé au travail", ["health", "dialogue"]),
        ("cpom_signed_on", datetime(2019, 1, 7), "2019-01-07"),
        ("cpom_signed_on", date(2019, 1, 7), "2019-01-07"),
        ("cpom_signed_on", "07/01/2019", "2019-01-07"),
        ("cpom_signed_on", "7-1-2019", "2019-01-07"),
        ("staff_fte", "45,5", "45,5"),
        ("staff_fte", 45.5, "45.5"),
        ("staff_fte", 52.0, "52"),
        ("phone", 467123456, "0467123456"),
        ("finess_et", 10001238, "010001238"),
        ("structure_name", 2021.0, "2021"),
        ("trio.direction.name", "  Marie Dupont ", "Marie Dupont"),
        ("structure_name", "", None),
    ],
)
def test_a_cell_becomes_the_answer_the_form_engine_reads(call, path, cell, answer):
    assert imports.convert(_target(call, path), cell) == (answer, None)


@pytest.mark.parametrize(
    "path, cell, message",
    [
        ("has_cpom", "peut-être", "n’est pas une réponse par oui ou par non"),
        (
            "legal_status",
            "Associatif",
            "ne fait pas partie des réponses proposées (Public, Privé non lucratif)",
        ),
        ("themes", "Santé au travail; Formation", "«\u00a0Formation\u00a0» ne fait pas partie"),
    ],
)
def test_a_cell_that_answers_nothing_known_says_why(call, path, cell, message):
    answer, problem = imports.convert(_target(call, path), cell)
    assert answer is None and message in problem


# Preview and import


@pytest.fixture
def establishments(herault):
    return {
        "cigales": ehpad("340000017", "EHPAD Les Cigales"),
        "oustal": ehpad("340000025", "Résidence l’Oustal"),
        "rhone": EstablishmentFactory(finess_et="690000013", departement=departement("69", "Rhône", "84")),
        "ssiad": ehpad("340000033", "SSIAD du Lez", category_code="354", category_label="SSIAD"),
        "already": ehpad("340000041", "EHPAD Les Oliviers"),
        "garrigue": ehpad("340000058", "EHPAD La Garrigue"),
        "lez": ehpad("340000066", "EHPAD Le Lez"),
    }


def _full_file():
    return xlsx(
        [*HEADERS, "Avez-vous signé un CPOM ?", "Représentant de la direction — Nom et prénom"],
        ["340000017", "EHPAD Les Cigales", "Public", datetime(2021, 11, 16, 14, 30), "oui", ""],
        ["999999999", "Inconnu", "Public", datetime(2021, 11, 16), "non", ""],
        ["690000013", "EHPAD du Rhône", "Public", datetime(2021, 11, 16), "non", ""],
        ["340000025", "", "Public", datetime(2021, 11, 16), "non", ""],
        ["340000041", "EHPAD Les Oliviers", "Public", datetime(2021, 11, 16), "non", ""],
        ["340000033", "SSIAD du Lez", "Public", datetime(2021, 11, 20), "non", ""],
        ["340000066", "EHPAD Le Lez", "Associatif", "16/11/2021", "non", ""],
        [None, None, None, None, None, None],
        ["340000058", "EHPAD La Garrigue", "Privé non lucratif", "17/11/2021 18:05", "non", ""],
    )


def test_each_line_is_imported_or_refused_with_its_line_number_and_reasons(call, manager, establishments):
    call.categories = ["500"]
    call.save()
    Application.objects.create(
        call=call,
        establishment=establishments["already"],
        form_version=call_services.current_form(call),
        channel=Channel.EMAIL,
        received_at=call.opens_at,
    )
    batch = upload(call, manager, _full_file())

    report = imports.import_batch(batch=batch, by=manager)

    failed = {line["line"]: line["reasons"] for line in report["failed"]}
    assert [line["line"] for line in report["imported"]] == [2, 10]
    assert "ne figure pas dans le répertoire" in failed[3][0]
    assert failed[4] == ["L’appel est réservé aux établissements de la région Occitanie."]
    assert failed[5] == [f"Nom de la structure{NBSP}: Ce champ est obligatoire."]
    assert "Un dossier existe déjà pour cet établissement" in failed[6][0]
    assert failed[7] == [
        f"Ce dossier a été reçu après la date limite de dépôt, fixée le 17{NBSP}novembre 2021 inclus "
        "(heure de Paris)."
    ]
    assert failed[8] == [
        f"Statut juridique{NBSP}: «{NBSP}Associatif{NBSP}» ne fait pas partie des réponses proposées "
        "(Public, Privé non lucratif)."
    ]
    assert report["total"] == 8


def test_the_preview_predicts_what_the_import_does_without_writing(call, manager, establishments):
    call.categories = ["500"]
    call.save()
    batch = upload(call, manager, _full_file())

    preview = imports.preview_batch(batch=batch, by=manager)
    assert not Application.objects.exists()
    report = imports.import_batch(batch=batch, by=manager)

    expected = {line.number: line.status for line in preview.lines}
    actual = {line["line"]: "ready" for line in report["imported"]}
    actual |= {line["line"]: "failed" for line in report["failed"]}
    assert expected == actual
    assert ("Nom de la structure", "Nom de la structure", "EHPAD Les Cigales") in preview.sample


def test_an_imported_line_is_submitted_dated_by_its_receipt_with_its_answers(
    call, manager, establishments, django_capture_on_commit_callbacks
):
    content = xlsx(
        [
            *HEADERS,
            "Email",
            "Avez-vous signé un CPOM ?",
            "Représentant de la direction — Nom et prénom",
            "Représentant du personnel — Nom et prénom",
            "Représentant des métiers ou de l’encadrement soignant — Nom et prénom",
        ],
        [
            "340000017",
            "EHPAD Les Cigales",
            "Public",
            datetime(2021, 11, 16, 14, 30),
            "Dir@Cigales.fr",
            "oui",
            "Marie Dupont",
            "Paul Martin",
            "Awa Diallo",
        ],
    )
    batch = upload(call, manager, content)

    with django_capture_on_commit_callbacks(execute=True):
        imports.import_batch(batch=batch, by=manager)

    application = Application.objects.get()
    assert (application.channel, application.status) == (Channel.IMPORT, ApplicationStatus.SUBMITTED)
    assert application.received_at == datetime(2021, 11, 16, 13, 30, tzinfo=UTC)  # 14:30 in Paris
    assert application.sender_email == "dir@cigales.fr"
    assert application.answers == {
        "structure_name": "EHPAD Les Cigales",
        "finess_et": "340000017",
        "legal_status": "public",
        "has_cpom": True,
        "trio": {
            "direction": {"name": "Marie Dupont"},
            "staff_representative": {"name": "Paul Martin"},
            "professions": {"name": "Awa Diallo"},
        },
    }
    submission = Submission.objects.get(application=application)
    assert submission.submitted_at == application.received_at
    assert mail.outbox[-1].to == ["dir@cigales.fr"]


def test_the_report_is_kept_with_an_audit_event_and_a_second_import_is_refused(call, manager, establishments):
    batch = upload(call, manager, _full_file())

    report = imports.import_batch(batch=batch, by=manager)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED and batch.report == report
    assert report["imported"][0] == {
        "line": 2,
        "finess": "340000017",
        "establishment": "EHPAD Les Cigales",
        "application": Application.objects.get(establishment=establishments["cigales"]).pk,
    }
    event = AuditEvent.objects.get(action="applications_imported")
    assert event.details == {
        "call": call.pk,
        "lines": 8,
        "imported": len(report["imported"]),
        "to_complete": 0,
        "failed": len(report["failed"]),
    }
    with pytest.raises(Refusal, match="déjà été importé"):
        imports.import_batch(batch=batch, by=manager)


def test_importing_the_same_file_again_creates_no_duplicate(call, manager, establishments):
    content = xlsx(HEADERS, ["340000017", "EHPAD Les Cigales", "Public", datetime(2021, 11, 16)])
    imports.import_batch(batch=upload(call, manager, content), by=manager)

    report = imports.import_batch(batch=upload(call, manager, content), by=manager)

    assert report["imported"] == []
    assert "Un dossier existe déjà pour cet établissement dans cet appel" in report["failed"][0]["reasons"][0]
    assert Application.objects.count() == 1


def test_a_trio_partly_filled_names_the_members_still_missing(call, manager, establishments):
    content = xlsx(
        [*HEADERS, "Représentant de la direction — Nom et prénom"],
        ["340000017", "EHPAD Les Cigales", "Public", datetime(2021, 11, 16), "Marie Dupont"],
    )
    report = imports.import_batch(batch=upload(call, manager, content), by=manager)
    assert report["failed"][0]["reasons"][0] == (
        f"Composition du trinôme — Représentant du personnel — Nom et prénom{NBSP}: Ce champ est obligatoire."
    )


def test_a_line_naming_an_establishment_twice_is_refused_the_second_time(call, manager, establishments):
    content = xlsx(
        HEADERS,
        ["340000017", "EHPAD Les Cigales", "Public", datetime(2021, 11, 16)],
        ["340000017", "EHPAD Les Cigales", "Public", datetime(2021, 11, 16)],
    )
    report = imports.import_batch(batch=upload(call, manager, content), by=manager)
    assert report["failed"] == [
        {
            "line": 3,
            "finess": "340000017",
            "establishment": "EHPAD Les Cigales",
            "reasons": ["L’établissement figure déjà ligne 2 de ce fichier."],
        }
    ]


def test_a_legal_entity_number_is_told_apart_from_an_unknown_one(call, manager, establishments):
    content = xlsx(HEADERS, [establishments["cigales"].finess_ej, "EHPAD", "Public", datetime(2021, 11, 16)])
    report = imports.import_batch(batch=upload(call, manager, content), by=manager)
    assert "entité juridique (EJ)" in report["failed"][0]["reasons"][0]


def test_without_a_date_column_the_date_typed_on_the_mapping_page_dates_every_dossier(
    call, manager, establishments
):
    batch = upload(call, manager, xlsx(["FINESS", "Nom de la structure"], ["340000017", "EHPAD Les Cigales"]))
    imports.save_mapping(
        batch=batch,
        mapping=imports.Mapping(
            finess="FINESS", received_on=date(2021, 11, 17), answers={"structure_name": "Nom de la structure"}
        ),
        by=manager,
    )

    imports.import_batch(batch=batch, by=manager)

    assert Application.objects.get().submitted_at == datetime(2021, 11, 16, 23, 0, tzinfo=UTC)


def test_a_dossier_missing_only_its_files_is_imported_as_a_draft_to_complete(manager, establishments):
    call = make_call(manager, required_attachments=[{"label": "Lettre d’engagement", "required": True}])
    batch = upload(
        call, manager, xlsx(HEADERS, ["340000017", "EHPAD Les Cigales", "Public", datetime(2021, 11, 16)])
    )

    preview = imports.preview_batch(batch=batch, by=manager)
    report = imports.import_batch(batch=batch, by=manager)

    assert preview.lines[0].status == "to_complete"
    assert report["to_complete"][0]["missing"] == ["Lettre d’engagement"]
    application = Application.objects.get()
    assert (application.status, application.channel) == (ApplicationStatus.DRAFT, Channel.IMPORT)
    assert application.answers["structure_name"] == "EHPAD Les Cigales"


def test_only_the_regions_programme_managers_import(call, manager, establishments):
    batch = upload(call, manager, xlsx(HEADERS, ["340000017", "EHPAD", "Public", datetime(2021, 11, 16)]))
    elsewhere = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation__region=region("84", "Auvergne-Rhône-Alpes")
    ).user
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation__region=region("76")).user
    for agent in (elsewhere, reviewer):
        with pytest.raises(Refusal):
            upload(call, agent, xlsx(HEADERS, ["340000017", "EHPAD", "Public", datetime(2021, 11, 16)]))
        with pytest.raises(Refusal):
            imports.preview_batch(batch=batch, by=agent)
        with pytest.raises(Refusal):
            imports.import_batch(batch=batch, by=agent)
    assert not Application.objects.exists()


def test_a_draft_call_receives_no_import(call, manager):
    call.status, call.published_at = "draft", None
    call.save()
    with pytest.raises(Refusal, match="Publiez l’appel"):
        upload(call, manager, xlsx(HEADERS, ["340000017", "EHPAD", "Public", datetime(2021, 11, 16)]))


def _lines(count, first):
    rows = []
    for number in range(first, first + count):
        finess = f"31{number:07d}"
        ehpad(finess, f"EHPAD {number}")
        rows.append([finess, f"EHPAD {number}", "Public", datetime(2021, 11, 16)])
    return xlsx(HEADERS, *rows)


def test_the_preview_runs_the_same_number_of_queries_for_5_or_60_lines(call, manager):
    small, large = upload(call, manager, _lines(5, first=0)), upload(call, manager, _lines(60, first=100))
    counts = []
    for batch in (small, large):
        batch.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            imports.preview_batch(batch=batch, by=manager)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12


def test_a_receipt_date_in_the_future_is_refused(call, manager, establishments):
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    batch = upload(
        call, manager, xlsx(HEADERS, ["340000017", "EHPAD", "Public", tomorrow.replace(tzinfo=None)])
    )
    report = imports.import_batch(batch=batch, by=manager)
    assert any("dans le futur" in reason for reason in report["failed"][0]["reasons"])
