"""Build capqvct/territory/fixtures/territory.json.gz from @etalab/decoupage-administratif.

Usage:
    mkdir -p /tmp/territory-src && cd /tmp/territory-src && npm install @etalab/decoupage-administratif
    python scripts/build_territory_fixture.py [DATA_DIR]

DATA_DIR is the package's data/ folder (default below). The output is our own compact structure,
read by the migration territory/0002_load_territory:

    {
      "source": {"package": ..., "version": ..., "license": ...},
      "regions": [[code, name, time_zone], ...],
      "departements": [[code, name, region_code], ...],
      "communes": [[code, name, departement_code, [postal_code, ...]], ...]
    }

Only regions and départements of mainland France, Corsica and the five overseas regions (DROM) are
kept: the overseas collectivities (975, 977, 978, 98x) belong to no region and are out of scope.
Only current communes are kept (no arrondissements municipaux, communes déléguées or associées).
"""

import argparse
import gzip
import json
import sys
from pathlib import Path

DEFAULT_DATA_DIR = Path("/tmp/territory-src/node_modules/@etalab/decoupage-administratif/data")
OUTPUT = Path(__file__).resolve().parent.parent / "capqvct" / "territory" / "fixtures" / "territory.json.gz"

MAINLAND_TIME_ZONE = "Europe/Paris"
# The package does not carry time zones; deadlines are shown in the region's own local time.
OVERSEAS_TIME_ZONES = {
    "01": "America/Guadeloupe",
    "02": "America/Martinique",
    "03": "America/Cayenne",
    "04": "Indian/Reunion",
    "06": "Indian/Mayotte",
}
KEPT_ZONES = {"metro", "drom"}

EXPECTED_REGIONS = 18
EXPECTED_DEPARTEMENTS = 101


def load(data_dir: Path, name: str) -> list[dict]:
    with open(data_dir / name, encoding="utf-8") as file:
        return json.load(file)


def package_version(data_dir: Path) -> str:
    package_json = data_dir.parent / "package.json"
    if not package_json.exists():
        return "unknown"
    return json.loads(package_json.read_text(encoding="utf-8"))["version"]


def build(data_dir: Path) -> dict:
    regions = [
        [region["code"], region["nom"], OVERSEAS_TIME_ZONES.get(region["code"], MAINLAND_TIME_ZONE)]
        for region in load(data_dir, "regions.json")
        if region["zone"] in KEPT_ZONES
    ]
    region_codes = {code for code, _name, _zone in regions}
    departements = [
        [departement["code"], departement["nom"], departement["region"]]
        for departement in load(data_dir, "departements.json")
        if departement["region"] in region_codes
    ]
    departement_codes = {code for code, _name, _region in departements}
    communes = [
        [commune["code"], commune["nom"], commune["departement"], commune.get("codesPostaux", [])]
        for commune in load(data_dir, "communes.json")
        if commune["type"] == "commune-actuelle" and commune["departement"] in departement_codes
    ]

    if len(regions) != EXPECTED_REGIONS or len(departements) != EXPECTED_DEPARTEMENTS:
        raise SystemExit(
            f"Unexpected data: {len(regions)} regions, {len(departements)} départements "
            f"(expected {EXPECTED_REGIONS} and {EXPECTED_DEPARTEMENTS}); check the package version."
        )
    if not set(OVERSEAS_TIME_ZONES) <= region_codes:
        raise SystemExit(f"Overseas regions missing from the data: {set(OVERSEAS_TIME_ZONES) - region_codes}")

    return {
        "source": {
            "package": "@etalab/decoupage-administratif",
            "version": package_version(data_dir),
            "license": "MIT",
        },
        "regions": sorted(regions),
        "departements": sorted(departements),
        "communes": sorted(communes),
    }


def write(data: dict, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # mtime=0 and no file name in the header: rebuilding from the same data gives the same bytes.
    with open(output, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as file:
        file.write(payload)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if not (args.data_dir / "communes.json").exists():
        raise SystemExit(f"No communes.json in {args.data_dir}: install the npm package first (see --help).")

    data = build(args.data_dir)
    write(data, args.output)
    print(
        f"{args.output}: {len(data['regions'])} regions, {len(data['departements'])} départements, "
        f"{len(data['communes'])} communes from {data['source']['package']} {data['source']['version']} "
        f"({args.output.stat().st_size} bytes)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
