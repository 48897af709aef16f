"""The FINESS import at national scale, next to its floor: the same file loaded raw into two plain
tables (PostgreSQL's ``COPY`` there, a bare ``executemany`` on SQLite, the quickest way in on each).

Three imports are measured, each the best of three runs: the first (an empty directory, 40 000
creations), the same file again (nothing changes) and a new extraction where 36 000 establishments of
40 000 changed a name, an address or a phone number (the runs alternate between the two files, so
that each one changes the same 36 000 rows). The memory peak (``tracemalloc``) is read on one more
run of the latter, apart, since tracing slows Python down."""

import tracemalloc
from pathlib import Path

from bench.run import ESTABLISHMENTS, FLOOR_REPEATS, RAW_GEO_TABLE, RAW_TABLE, ratio, timed, timed_with_result

CHANGED_SHARE = 0.9  # 36 000 establishments of 40 000
NAME, STREET, PHONE = 3, 9, 16  # positions of rs, voie and telephone in a structureet line


def finess_import_figures(path: Path) -> dict:
    from capqvct.establishments.finess import import_finess
    from capqvct.establishments.models import Establishment

    changed_path, changed = write_changed_copy(path)
    floor = min(timed(load_raw, path) for _ in range(FLOOR_REPEATS))

    def first_import():
        Establishment.objects.all().delete()
        report = timed_with_result(import_finess, path)
        assert report[1].created == ESTABLISHMENTS and not report[1].rejected, report[1].summary_lines()[:8]
        return report[0]

    first = min(first_import() for _ in range(FLOOR_REPEATS))
    unchanged_runs = []
    for _ in range(FLOOR_REPEATS):
        seconds, report = timed_with_result(import_finess, path)
        assert report.unchanged == ESTABLISHMENTS, report.summary_lines()[:8]
        unchanged_runs.append(seconds)
    changed_runs = []
    for run in range(FLOOR_REPEATS + 1):  # ends on the original file, as the rest of the bench expects
        seconds, report = timed_with_result(import_finess, path if run % 2 else changed_path)
        assert (report.updated, report.unchanged) == (changed, ESTABLISHMENTS - changed), (
            report.summary_lines()
        )
        changed_runs.append(seconds)
    peak_megabytes = memory_peak(import_finess, changed_path) / 1e6
    import_finess(path)
    return {
        "floor_method": "COPY" if _vendor() == "postgresql" else "executemany",
        "floor_seconds": round(floor, 2),
        "changed_rows": changed,
        "memory_peak_megabytes": round(peak_megabytes),
        "imports": [
            _figure("premier import (base vide)", first, floor),
            _figure("second import (rien ne change)", min(unchanged_runs), floor),
            _figure(f"nouvelle extraction ({changed} lignes changées)", min(changed_runs), floor),
        ],
    }


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _figure(label: str, seconds: float, floor: float) -> dict:
    return {"import": label, "seconds": round(seconds, 2), "ratio": ratio(seconds, floor)}


def memory_peak(function, *args) -> int:
    """The most memory Python held at once during the call, in bytes."""
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def write_changed_copy(path: Path) -> tuple[Path, int]:
    """The extraction again, where 9 establishments of 10 changed a name, a street or a phone number
    (in turn); returns the new file and how many establishments changed."""
    lines, changed, seen = [], 0, 0
    for line in path.read_bytes().decode("cp1252").split("\n"):
        if line.startswith("structureet;"):
            values = line.split(";")
            if seen % 10 < CHANGED_SHARE * 10:
                change = changed % 3
                if change == 0:
                    values[NAME] += " II"
                elif change == 1:
                    values[STREET] += " PROLONGEE"
                else:
                    values[PHONE] = values[PHONE][:-1] + str((int(values[PHONE][-1]) + 1) % 10)
                changed += 1
            seen += 1
            line = ";".join(values)
        lines.append(line)
    changed_path = path.with_name(path.stem + "-changed.csv")
    changed_path.write_bytes("\n".join(lines).encode("cp1252"))
    return changed_path, changed


def load_raw(path: Path) -> None:
    """The floor: read the file, split its lines, load the raw fields into two plain tables."""
    from django.db import connection, transaction

    from capqvct.establishments.finess import FIELDS

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_GEO_TABLE}")
        cursor.execute(f"CREATE TABLE {RAW_TABLE} ({', '.join(f'{name} varchar(255)' for name in FIELDS)})")
        cursor.execute(f"CREATE TABLE {RAW_GEO_TABLE} (nofinesset varchar(9), x varchar(20), y varchar(20))")
    establishments, geolocations = [], []
    for line in path.read_bytes().decode("cp1252").splitlines()[1:]:
        values = line.split(";")
        if values[0] == "structureet":
            establishments.append(values)
        else:
            geolocations.append(values[1:4])
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table, rows in ((RAW_TABLE, establishments), (RAW_GEO_TABLE, geolocations)):
                with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(FIELDS))
            cursor.executemany(f"INSERT INTO {RAW_TABLE} VALUES ({placeholders})", establishments)
            cursor.executemany(f"INSERT INTO {RAW_GEO_TABLE} VALUES (%s, %s, %s)", geolocations)


def print_finess(figures: dict) -> None:
    floor = f"plancher {figures['floor_method']}"
    print(f"{'Import FINESS':<44} {'mesure':>10} {floor:>22} {'rapport':>8}")
    for figure in figures["imports"]:
        print(
            f"{figure['import']:<44} {figure['seconds']:>8.2f} s {figures['floor_seconds']:>20.2f} s "
            f"{figure['ratio']:>7.1f}×"
        )
    print(f"(pic de mémoire d’un import, tracemalloc : {figures['memory_peak_megabytes']} Mo)")


def figures_alone() -> dict:
    from bench.run import OUTPUT_DIR, ensure_departements
    from capqvct.establishments.finess_sample import write_sample_finess

    path = OUTPUT_DIR / "finess-national.csv"
    write_sample_finess(path, departements=ensure_departements(), count=ESTABLISHMENTS, seed=2026)
    return finess_import_figures(path)


def clean_up() -> None:
    from django.db import connection

    from capqvct.establishments.models import Establishment

    Establishment.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_GEO_TABLE}")


if __name__ == "__main__":
    from bench.run import run_alone

    run_alone("finess", figures_alone, print_finess, clean_up)
