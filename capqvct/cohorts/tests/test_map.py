"""The map of a region's départements: shapes from the committed data, zoomed on the region; an
overseas région, which the package does not draw, as labelled tiles."""

from capqvct.cohorts.map import region_map
from capqvct.cohorts.selectors import DepartementCount


def test_a_mainland_region_is_drawn_with_its_counts():
    drawn = region_map("76", [DepartementCount("34", "Hérault", 5), DepartementCount("11", "Aude", 0)])
    assert [(shape.code, shape.count) for shape in drawn.shapes] == [("34", 5), ("11", 0)]
    assert drawn.shapes[0].d.startswith("M") and drawn.shapes[0].fill != drawn.shapes[1].fill
    x, y, width, height = map(float, drawn.view_box.split())
    assert 0 < width < 200 and 0 < height < 200  # the two départements, not the whole of France
    assert drawn.source["license"] == "CC BY 4.0" and drawn.tiles == []


def test_an_overseas_departement_is_a_tile():
    drawn = region_map("04", [DepartementCount("974", "La Réunion", 3)])
    assert drawn.shapes == [] and [tile.code for tile in drawn.tiles] == ["974"]
