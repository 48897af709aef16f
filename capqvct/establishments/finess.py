"""Import of the FINESS register from its open-data extraction.

The file is the one published on data.gouv.fr as « FINESS Extraction du Fichier des
établissements » (``etalab-cs1100507-stock-*.csv``): ``;``-separated, in Windows-1252 or UTF-8.

- line 1 describes the extraction: ``finess;etalab;<version>;<date>``;
- each ``structureet`` line is one geographic establishment (ET), 32 fields, see ``FIELDS``;
- each ``geolocalisation`` line gives its coordinates:
  ``geolocalisation;nofinesset;coordxet;coordyet;sourcecoordet;datemaj``, where ``sourcecoordet``
  itself holds semicolons (``1;ATLASANTE;100;IGN;BD_ADRESSE;V2.1;LAMBERT_93``). Coordinates are in
  Lambert-93 for mainland France, in the local projection named by the source overseas.

Only the social and medico-social categories of ``categories.py`` are kept; the others are counted
as ignored. A line that cannot be trusted is rejected with its number and a reason; the import goes
on. Text is stored as typed (only the spaces around a field are trimmed), even when it looks like a
spreadsheet formula: exports neutralise it, the import does not. Each line is decoded on its own,
as UTF-8 if it can be, else as Windows-1252; a line that is neither is rejected.

Choices:

- a FINESS number must follow the register's rule (``finess_numbers.py``: 9 characters, a
  département prefix, a Luhn key). A bad FINESS number rejects the line;
- an invalid SIRET does not: the establishment is imported without it and a warning says so,
  since the SIRET is secondary to the FINESS number and often mistyped in the register;
- an unreadable date or coordinate is left empty, with a warning;
- the second occurrence of an establishment in the same file is rejected;
- the fields the register owns are overwritten by each import, the others (e-mail, the
  establishment's space) are left alone; an establishment absent from a new extraction stays;
- everything is written in one transaction: an import is applied whole or not at all.
"""

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

from django.db import connection, transaction
from django.utils import timezone
from stdnum.fr import siret as siret_number

from capqvct.establishments.categories import CATEGORIES, is_kept, typographic_label
from capqvct.establishments.finess_numbers import is_valid_finess, luhn_valid
from capqvct.establishments.models import Establishment
from capqvct.territory.models import Commune, Departement

FIELDS = (
    "type",
    "nofinesset",
    "nofinessej",
    "rs",
    "rslongue",
    "complrs",
    "compldistrib",
    "numvoie",
    "typvoie",
    "voie",
    "compvoie",
    "lieuditbp",
    "commune",
    "departement",
    "libdepartement",
    "ligneacheminement",
    "telephone",
    "telecopie",
    "categetab",
    "libcategetab",
    "categagretab",
    "libcategagretab",
    "siret",
    "codeape",
    "codemft",
    "libmft",
    "codesph",
    "libsph",
    "dateouv",
    "dateautor",
    "datemaj",
    "numuai",
)
GEOLOCATION_MIN_FIELDS = 6

# FINESS writes the overseas départements with a letter; the register's own codes, not INSEE's.
OVERSEAS_DEPARTEMENTS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9F": "976"}
FINESS_DEPARTEMENTS = {cog: finess for finess, cog in OVERSEAS_DEPARTEMENTS.items()}

# Paris, Lyon and Marseille are registered by arrondissement; the directory knows the commune.
MUNICIPAL_ARRONDISSEMENTS = (("751", "75056"), ("6938", "69123"), ("132", "13055"))

STREET_TYPES = {
    "ALL": "ALLÉE",
    "AV": "AVENUE",
    "BD": "BOULEVARD",
    "CHE": "CHEMIN",
    "CRS": "COURS",
    "IMP": "IMPASSE",
    "PL": "PLACE",
    "QUA": "QUAI",
    "R": "RUE",
    "RTE": "ROUTE",
    "SQ": "SQUARE",
}

REPETITION_INDEXES = {"B": "BIS", "T": "TER", "Q": "QUATER"}

HEADER_PATTERN = re.compile(r"finess;etalab;")
POSTAL_CODE_PATTERN = re.compile(r"([0-9]{5})\b")
# How far into the file a structureet line must appear for it to be an extraction.
HEADER_WINDOW = 50
BATCH_SIZE = 1000
NBSP = "\u00a0"

# The fields the register owns: an import compares and overwrites these, never the others.
FINESS_OWNED_FIELDS = (
    "finess_ej",
    "name",
    "long_name",
    "siret",
    "address",
    "postal_code",
    "city_label",
    "commune_id",
    "departement_id",
    "phone",
    "category_code",
    "category_label",
    "aggregate_category_code",
    "aggregate_category_label",
    "opened_on",
    "finess_updated_on",
    "x",
    "y",
    "geo_source",
)

# Text fields as PostgreSQL enforces them; foreign keys are checked against the territory instead.
MAX_LENGTHS = {
    name: Establishment._meta.get_field(name).max_length
    for name in ("finess_et", *FINESS_OWNED_FIELDS)
    if Establishment._meta.get_field(name).get_internal_type() == "CharField"
}

Progress = Callable[[str, int, int], None]


class NotAFinessFile(Exception):
    """The file is not an extraction of the FINESS register; nothing was imported."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportReport:
    extracted_on: date | None = None
    encoding: str = "utf-8"
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, number: int, reason: str) -> None:
        self.rejected.append((number, _typeset(reason)))

    def warn(self, number: int, reason: str) -> None:
        self.warnings.append((number, _typeset(reason)))

    def summary_lines(self) -> list[str]:
        """The report as the person who ran the import reads it, in French."""
        lines = [
            f"Créés : {self.created}",
            f"Mis à jour : {self.updated}",
            f"Inchangés : {self.unchanged}",
            f"Ignorés (hors champ social et médico-social) : {self.ignored}",
            f"Rejetés : {len(self.rejected)}",
        ]
        lines += [f"ligne {number} : {reason}" for number, reason in self.rejected]
        if self.warnings:
            lines.append(f"Avertissements : {len(self.warnings)}")
            lines += [f"ligne {number} : {reason}" for number, reason in self.warnings]
        return [_typeset(line) for line in lines]


def import_finess(source: str | Path | IO, *, progress: Progress | None = None) -> ImportReport:
    """Create or update the directory's establishments from a FINESS extraction, idempotently.

    ``progress(phase, done, total)`` is called as lines are read, then as rows are written.
    Raises ``NotAFinessFile`` before writing anything if the file is not an extraction.
    """
    report = ImportReport()
    lines, report.encoding = _decoded_lines(source)
    report.extracted_on = _check_header(lines)
    records = _parse(lines, report, progress)
    _save(records, report, progress)
    return report


def insee_commune_code(finess_departement: str, commune: str) -> str:
    """The INSEE code of a commune from FINESS's département and three-character commune fields."""
    if finess_departement in OVERSEAS_DEPARTEMENTS:
        return "97" + commune
    return finess_departement + commune


# Reading ---------------------------------------------------------------------------------------


def _decoded_lines(source: str | Path | IO) -> tuple[list[str | None], str]:
    """The file's lines, each decoded on its own: UTF-8, else Windows-1252, else None."""
    if isinstance(source, str | Path):
        data = Path(source).read_bytes()
    else:
        data = source.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff").split("\n"), getattr(source, "encoding", None) or "utf-8"
    raw_lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    lines: list[str | None] = []
    cp1252_lines = utf8_lines = 0
    for raw in raw_lines:
        try:
            line = raw.decode("utf-8")
            utf8_lines += not raw.isascii()
        except UnicodeDecodeError:
            try:
                line = raw.decode("cp1252")
                cp1252_lines += 1
            except UnicodeDecodeError:
                line = None
        lines.append(line)
    return lines, "windows-1252" if cp1252_lines > utf8_lines else "utf-8"


def _check_header(lines: list[str | None]) -> date | None:
    if not any(line and line.strip() for line in lines):
        raise NotAFinessFile(_typeset("Le fichier est vide : ce n’est pas une extraction FINESS."))
    first = (lines[0] or "").strip()
    if not HEADER_PATTERN.match(first):
        raise NotAFinessFile(
            _typeset(
                "Ce fichier n’est pas une extraction FINESS : sa première ligne devrait commencer par "
                "« finess;etalab; »."
            )
        )
    if not any(line and line.startswith("structureet;") for line in lines[1 : HEADER_WINDOW + 1]):
        raise NotAFinessFile(
            _typeset(
                "Ce fichier n’est pas une extraction FINESS des établissements : aucune ligne "
                "« structureet » parmi ses premières lignes."
            )
        )
    parts = first.split(";")
    return _parse_date(parts[3]) if len(parts) > 3 else None


@dataclass
class _Territory:
    departements: set[str]
    communes: set[str]

    @classmethod
    def load(cls) -> "_Territory":
        return cls(
            set(Departement.objects.values_list("code", flat=True)),
            set(Commune.objects.values_list("code", flat=True)),
        )


def _parse(lines: list[str | None], report: ImportReport, progress: Progress | None) -> dict[str, dict]:
    territory = _Territory.load()
    records: dict[str, dict] = {}
    first_seen: dict[str, int] = {}
    geolocations: list[tuple[int, list[str]]] = []
    total = len(lines)
    for number, line in enumerate(lines[1:], start=2):
        if progress and number % BATCH_SIZE == 0:
            progress("lecture", number, total)
        if line is None:
            report.reject(number, "caractères illisibles : ni UTF-8 ni Windows-1252")
            continue
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        kind = line.split(";", 1)[0]
        if "\x00" in line:
            report.reject(number, "caractère nul dans la ligne")
        elif kind == "structureet":
            _read_establishment(number, line, records, first_seen, territory, report)
        elif kind == "geolocalisation":
            geolocations.append((number, line.split(";")))
        else:
            report.reject(number, f"type de ligne inconnu {_quoted(kind)}")
    for number, parts in geolocations:
        _read_geolocation(number, parts, records, report)
    if progress:
        progress("lecture", total, total)
    return records


def _read_establishment(number, line, records, first_seen, territory, report) -> None:
    def reject(reason: str) -> None:
        report.reject(number, reason)

    try:
        values = _fields(line)
    except csv.Error:
        return reject("ligne illisible au format CSV")
    if len(values) != len(FIELDS):
        return reject(f"nombre de champs incorrect : {len(values)} au lieu de {len(FIELDS)}")
    row = dict(zip(FIELDS, map(str.strip, values), strict=True))
    if not is_kept(row["categetab"]):
        report.ignored += 1
        return None
    finess_et = row["nofinesset"]
    if not is_valid_finess(finess_et):
        return reject(f"numéro FINESS invalide {_quoted(finess_et)}")
    if finess_et in first_seen:
        return reject(
            f"établissement en double : le numéro FINESS {_quoted(finess_et)} "
            f"figure déjà ligne {first_seen[finess_et]}"
        )
    first_seen[finess_et] = number
    if not is_valid_finess(row["nofinessej"]):
        return reject(f"numéro FINESS d’entité juridique invalide {_quoted(row['nofinessej'])}")
    departement = OVERSEAS_DEPARTEMENTS.get(row["departement"], row["departement"])
    if departement not in territory.departements:
        return reject(f"département inconnu {_quoted(row['departement'])}")
    if not row["rs"]:
        return reject("raison sociale vide")

    record = {
        "finess_et": finess_et,
        "finess_ej": row["nofinessej"],
        "name": row["rs"],
        "long_name": row["rslongue"],
        "siret": _siret(number, row["siret"], report),
        "address": _address(row),
        "postal_code": _postal_code(row["ligneacheminement"]),
        "city_label": row["ligneacheminement"],
        "commune_id": _commune(row, territory),
        "departement_id": departement,
        "phone": row["telephone"],
        "category_code": row["categetab"],
        "category_label": typographic_label(row["libcategetab"] or CATEGORIES[row["categetab"]].finess_label),
        "aggregate_category_code": row["categagretab"],
        "aggregate_category_label": typographic_label(row["libcategagretab"]),
        "opened_on": _date(number, row["dateouv"], "date d’ouverture", report),
        "finess_updated_on": _date(number, row["datemaj"], "date de mise à jour", report),
        "x": None,
        "y": None,
        "geo_source": "",
    }
    if too_long := _too_long(record):
        return reject(too_long)
    records[finess_et] = record
    return None


def _fields(line: str) -> list[str]:
    """A line's fields: a plain split when nothing in it needs the CSV reader (no quote, no carriage
    return), which is nearly every line and several times quicker."""
    if '"' in line or "\r" in line:
        return next(csv.reader([line], delimiter=";"))
    return line.split(";")


def _read_geolocation(number: int, parts: list[str], records: dict[str, dict], report: ImportReport) -> None:
    if len(parts) < GEOLOCATION_MIN_FIELDS:
        report.reject(
            number, f"ligne de géolocalisation incomplète : {len(parts)} champs au lieu de 6 au moins"
        )
        return
    record = records.get(parts[1].strip())
    if record is None:  # an establishment out of scope, or rejected: its position is not needed
        return
    try:
        x, y = float(parts[2]), float(parts[3])
    except ValueError:
        x = y = math.nan
    if not (math.isfinite(x) and math.isfinite(y)):
        report.warn(
            number,
            f"coordonnées illisibles {_quoted(parts[2])}, {_quoted(parts[3])} : établissement sans position",
        )
        return
    record["x"], record["y"] = x, y
    record["geo_source"] = ";".join(part.strip() for part in parts[4:-1])[:255]


def _siret(number: int, value: str, report: ImportReport) -> str:
    if not value:
        return ""
    # Fourteen plain digits, as nearly every SIRET of the register, need no cleaning.
    compact = (
        value if len(value) == 14 and value.isascii() and value.isdigit() else siret_number.compact(value)
    )
    if _is_valid_siret(compact):
        return compact
    report.warn(number, f"SIRET invalide {_quoted(value)} : établissement importé sans SIRET")
    return ""


# La Poste's establishments (SIREN 356 000 000) follow their own rule, which python-stdnum knows.
LA_POSTE_SIREN = "356000000"


def _is_valid_siret(compact: str) -> bool:
    """python-stdnum's verdict, reached quickly for the usual case: 14 digits, with the SIREN (the 9
    first) and the whole SIRET each passing the Luhn check."""
    if len(compact) != 14 or compact.startswith(LA_POSTE_SIREN):
        return siret_number.is_valid(compact)
    return luhn_valid(compact) and luhn_valid(compact[:9])


def _address(row: dict[str, str]) -> str:
    index = REPETITION_INDEXES.get(row["compvoie"], row["compvoie"])
    street_number = " ".join(part for part in (row["numvoie"], index) if part)
    street_type = STREET_TYPES.get(row["typvoie"], row["typvoie"])
    street = " ".join(part for part in (street_number, street_type, row["voie"]) if part)
    return ", ".join(part for part in (street, row["compldistrib"], row["lieuditbp"]) if part)[:255]


def _postal_code(routing_line: str) -> str:
    match = POSTAL_CODE_PATTERN.match(routing_line)
    return match.group(1) if match else ""


def _commune(row: dict[str, str], territory: _Territory) -> str | None:
    if len(row["commune"]) != 3:
        return None
    code = insee_commune_code(row["departement"], row["commune"])
    if code not in territory.communes:
        code = next((whole for prefix, whole in MUNICIPAL_ARRONDISSEMENTS if code.startswith(prefix)), "")
    return code if code in territory.communes else None


def _date(number: int, value: str, what: str, report: ImportReport) -> date | None:
    if not value:
        return None
    parsed = _parse_date(value)
    if parsed is None:
        report.warn(number, f"{what} illisible {_quoted(value)} : laissée vide")
    return parsed


def _parse_date(value: str) -> date | None:
    """ISO dates, as the register writes them; day/month/year, as a spreadsheet saves them."""
    date_format = "%Y-%m-%d" if value[4:5] == "-" else "%d/%m/%Y"
    try:
        return (
            date.fromisoformat(value)
            if date_format == "%Y-%m-%d"
            else datetime.strptime(value, date_format).date()
        )
    except ValueError:
        return None


_LENGTH_LIMITS = tuple(MAX_LENGTHS.items())


def _too_long(record: dict) -> str:
    for name, limit in _LENGTH_LIMITS:
        if len(record[name]) > limit:
            verbose_name = Establishment._meta.get_field(name).verbose_name
            return f"champ « {verbose_name} » trop long : {len(record[name])} caractères pour {limit} au plus"
    return ""


def _quoted(value: str) -> str:
    """A value from the file, shown safely in a reason: cut short, control characters replaced."""
    shown = "".join(c if c.isprintable() else "\ufffd" for c in value[:40])
    return f"«{NBSP}{shown}{'…' if len(value) > 40 else ''}{NBSP}»"


def _typeset(text: str) -> str:
    """French typography: a no-break space before « : » and inside guillemets."""
    return text.replace(" :", NBSP + ":").replace("« ", "«" + NBSP).replace(" »", NBSP + "»")


# Writing ---------------------------------------------------------------------------------------


def _save(records: dict[str, dict], report: ImportReport, progress: Progress | None) -> None:
    """Create the new establishments and update only those whose register fields changed."""
    table = _Table()
    existing = table.signatures()
    to_create, to_update = [], []
    for finess_et, record in records.items():
        signature = table.signature(record)
        known = existing.get(finess_et)
        if known is None:
            to_create.append((finess_et, signature))
        elif signature != known[1]:
            to_update.append((known[0], signature, _changed_positions(signature, known[1])))
        else:
            report.unchanged += 1
    writer = _Writer(table, total=len(to_create) + len(to_update), progress=progress)
    with transaction.atomic():
        writer.create(to_create)
        writer.update(to_update)
    report.created, report.updated = len(to_create), len(to_update)


def _changed_positions(new: tuple, old: tuple) -> tuple[int, ...]:
    return tuple(
        position for position, (now, before) in enumerate(zip(new, old, strict=True)) if now != before
    )


class _Table:
    """The establishments' table as the import reads and writes it, below the ORM: a row's register
    fields (its signature) read back by the database driver, which already gives dates as dates on
    SQLite and PostgreSQL alike, compare with what the file says without the ORM's conversions."""

    def __init__(self):
        self.name = connection.ops.quote_name(Establishment._meta.db_table)
        owned_fields = [Establishment._meta.get_field(name) for name in FINESS_OWNED_FIELDS]
        self.columns = [connection.ops.quote_name(model_field.column) for model_field in owned_fields]
        # Dates are text on SQLite; text and numbers are the same everywhere.
        self.dates = [
            position
            for position, model_field in enumerate(owned_fields)
            if model_field.get_internal_type() == "DateField"
        ]

    @staticmethod
    def signature(record: dict) -> tuple:
        """What the register says of an establishment: the fields it owns, in a fixed order."""
        return tuple(record[name] for name in FINESS_OWNED_FIELDS)

    def to_write(self, signature: tuple) -> list:
        """The values as the database takes them (dates become text on SQLite)."""
        values = list(signature)
        for position in self.dates:
            values[position] = connection.ops.adapt_datefield_value(values[position])
        return values

    def signatures(self) -> dict[str, tuple[int, tuple]]:
        """Each known establishment's primary key and signature, read in one query (40 000 rows take a
        fraction of a second) and compared in memory."""
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT "finess_et", "id", {", ".join(self.columns)} FROM {self.name}')
            return {row[0]: (row[1], row[2:]) for row in cursor.fetchall()}


class _Writer:
    """Writes rows in bulk below the ORM, which spends most of its time building statements: on
    PostgreSQL by COPY (new rows straight into the table, changed rows into a temporary table then one
    UPDATE … FROM), elsewhere by executemany of one prepared statement."""

    def __init__(self, table: _Table, *, total: int, progress: Progress | None):
        self.table, self.total, self.done, self.progress = table, total, 0, progress
        self.now = Establishment._meta.get_field("updated_at").get_db_prep_save(timezone.now(), connection)

    def create(self, rows: list[tuple[str, tuple]]) -> None:
        columns = ", ".join([*self.table.columns, '"finess_et"', '"email"', '"created_at"', '"updated_at"'])
        values = (
            (*self.table.to_write(signature), finess_et, "", self.now, self.now)
            for finess_et, signature in rows
        )
        if connection.vendor == "postgresql":
            self._copy(f"{self.table.name} ({columns})", values)
        else:
            placeholders = ", ".join(["%s"] * (len(self.table.columns) + 4))
            self._execute_many(f"INSERT INTO {self.table.name} ({columns}) VALUES ({placeholders})", values)

    def update(self, changes: list[tuple[int, tuple, tuple[int, ...]]]) -> None:
        if not changes:
            return
        if connection.vendor == "postgresql":
            self._update_from_temporary_table(changes)
            return
        # SQLite rewrites every index holding a column named in SET, changed or not: each row sets only
        # the columns that changed (a new phone number leaves the name's indexes alone). Rows are grouped
        # by the columns they change, one prepared statement per group.
        groups: dict[tuple[int, ...], list[tuple[int, tuple]]] = {}
        for pk, signature, changed in changes:
            groups.setdefault(changed, []).append((pk, self.table.to_write(signature)))
        for changed, rows in groups.items():
            assignments = ", ".join(f"{self.table.columns[position]} = %s" for position in changed)
            self._execute_many(
                f'UPDATE {self.table.name} SET {assignments}, "updated_at" = %s WHERE "id" = %s',
                ((*(values[position] for position in changed), self.now, pk) for pk, values in rows),
            )

    def _update_from_temporary_table(self, changes: list[tuple[int, tuple, tuple[int, ...]]]) -> None:
        changed, columns = "finess_changed_rows", ", ".join(self.table.columns)
        with connection.cursor() as cursor:
            # The table's own column types, without its constraints; gone at the end of the transaction.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {changed} ON COMMIT DROP AS "
                f'SELECT "id", {columns} FROM {self.table.name} WITH NO DATA'
            )
        rows = ((pk, *self.table.to_write(signature)) for pk, signature, _ in changes)
        self._copy(f'{changed} ("id", {columns})', rows)
        assignments = ", ".join(f"{column} = c.{column}" for column in self.table.columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE {self.table.name} e SET {assignments}, "updated_at" = %s '
                f'FROM {changed} c WHERE e."id" = c."id"',
                [self.now],
            )
            cursor.execute(f"DROP TABLE {changed}")

    def _copy(self, target: str, rows) -> None:
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                self._advance(1)

    def _execute_many(self, sql: str, rows) -> None:
        rows = list(rows)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH_SIZE):
                batch = rows[start : start + BATCH_SIZE]
                cursor.executemany(sql, batch)
                self._advance(len(batch))

    def _advance(self, count: int) -> None:
        self.done += count
        if self.progress and (self.done % BATCH_SIZE == 0 or self.done == self.total):
            self.progress("enregistrement", self.done, self.total)
