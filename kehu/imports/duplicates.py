"""Likely duplicates of many new cards at once.

The rules are `kehu.services.find_likely_duplicates`' (same key-person phone, or a
similar name in characters or pinyin within 100 m; a shared licence number is a hard
error handled by the importer), applied set-based: one query per ~10 km tile of new
points and one per chunk of phones, instead of two or three queries per row. New
cards are also compared with the earlier rows of the same file.
"""

import math
from collections import defaultdict

from kehu.geo import bounding_box, haversine_m
from kehu.imports.lookups import filtered_in
from kehu.imports.pinyin import name_key, search_keys_fast
from kehu.models import KeyPerson, Retailer
from kehu.services import DUPLICATE_RADIUS_M, _similar

CELL_DEG = 0.002  # grid cell: 222 m of latitude, ≥ 100 m of longitude below 63°
NEIGHBOURS = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
TILE_DEG = 0.1  # one database query per tile of new points


class Point:
    """A shop on the map: `ref` is what a match names (the file row, or a card)."""

    __slots__ = ("ref", "name", "key", "lat", "lng", "cell")

    def __init__(self, ref, name: str, key: str, lat: float, lng: float):
        self.ref, self.name, self.key, self.lat, self.lng = ref, name, key, lat, lng
        self.cell = _cell(lat, lng)


def _cell(lat: float, lng: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEG), math.floor(lng / CELL_DEG)


def _cells_around(lat: float, lng: float) -> list[tuple[int, int]]:
    if abs(lat) < 63:  # a cell is wider than the radius: its 8 neighbours are enough
        row, col = _cell(lat, lng)
        return [(row + dr, col + dc) for dr, dc in NEIGHBOURS]
    cells = []
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, DUPLICATE_RADIUS_M)
    (row0, col0), (row1, col1) = _cell(min_lat, min_lng), _cell(max_lat, max_lng)
    for row in range(row0, row1 + 1):
        for col in range(col0, col1 + 1):
            cells.append((row, col))
    return cells


# Latitude degrees per radius (a little more, to stay a pure pre-filter).
RADIUS_LAT_DEG = DUPLICATE_RADIUS_M / 110_000


def is_near_and_similar(a: Point, b: Point) -> bool:
    if abs(a.lat - b.lat) > RADIUS_LAT_DEG:
        return False
    if haversine_m(a.lat, a.lng, b.lat, b.lng) > DUPLICATE_RADIUS_M:
        return False
    return _similar(a.name, b.name) or _similar(a.key, b.key)


class Grid:
    """Points by grid cell, to find the ones within 100 m of a point."""

    def __init__(self):
        self.cells: dict[tuple[int, int], list[Point]] = defaultdict(list)

    def add(self, point: Point) -> None:
        self.cells[point.cell].append(point)

    def matches(self, point: Point) -> list[Point]:
        found = []
        cells = self.cells
        lat, lng = point.lat, point.lng
        if abs(lat) < 63:
            row, col = point.cell
            around = [(row + dr, col + dc) for dr, dc in NEIGHBOURS]
        else:
            around = _cells_around(lat, lng)
        # Cheap pre-filters before the distance: latitude, then longitude degrees of the
        # radius at this latitude (with a margin; no filter near the poles).
        cos_lat = math.cos(math.radians(lat))
        lng_deg = RADIUS_LAT_DEG * 1.01 / cos_lat if cos_lat > 0.01 else 360.0
        for cell in around:
            bucket = cells.get(cell)
            if bucket:
                for other in bucket:
                    if abs(other.lat - lat) <= RADIUS_LAT_DEG and \
                            abs(other.lng - lng) <= lng_deg and \
                            is_near_and_similar(point, other):
                        found.append(other)
        return found


def nearby_existing(company, points: list[Point], tiles: dict | None = None
                    ) -> dict[int, list[Retailer]]:
    """For each new point (by its index in `points`): existing cards of the company with
    a similar name within 100 m. One query per tile of the points: the box around the
    tile's points; with `tiles` (a dict kept between calls, for a file checked chunk by
    chunk) the box around the whole tile, read once and kept there."""
    by_tile: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, point in enumerate(points):
        by_tile[(math.floor(point.lat / TILE_DEG), math.floor(point.lng / TILE_DEG))] \
            .append(index)
    found: dict[int, list[Retailer]] = defaultdict(list)
    for tile, indexes in by_tile.items():
        if tiles is None:
            boxes = [bounding_box(points[i].lat, points[i].lng, DUPLICATE_RADIUS_M)
                     for i in indexes]
            grid = _existing_grid(company, boxes)
        else:
            grid = tiles.get(tile)
            if grid is None:
                grid = tiles[tile] = _existing_grid(company, _tile_boxes(tile))
        if not grid.cells:
            continue
        for index in indexes:
            matches = grid.matches(points[index])
            if matches:
                found[index].extend(match.ref for match in matches)
    return dict(found)


def _tile_boxes(tile: tuple[int, int]) -> list[tuple[float, float, float, float]]:
    """Boxes around the tile's corners (a little more than the radius): together they
    cover every point within the radius of any point in the tile."""
    row, col = tile
    return [bounding_box(lat, lng, DUPLICATE_RADIUS_M * 1.01)
            for lat in (row * TILE_DEG, (row + 1) * TILE_DEG)
            for lng in (col * TILE_DEG, (col + 1) * TILE_DEG)]


def _existing_grid(company, boxes: list[tuple[float, float, float, float]]) -> Grid:
    """The company's cards inside the box around `boxes`, on a grid."""
    rows = Retailer.objects.filter(
        company=company,
        latitude__range=(min(b[0] for b in boxes), max(b[1] for b in boxes)),
        longitude__range=(min(b[2] for b in boxes), max(b[3] for b in boxes)),
    ).values_list("pk", "code", "name", "latitude", "longitude", "search_keys")
    grid = Grid()
    for pk, code, name, lat, lng, keys in rows.iterator(chunk_size=5000):
        keys = keys or search_keys_fast(name)
        grid.add(Point(Retailer(pk=pk, code=code, name=name), name, name_key(keys, name),
                       float(lat), float(lng)))
    return grid


def phones_in_use(company, phones: set[str]) -> dict[str, Retailer]:
    """phone → an existing card of the company whose key person has that phone."""
    found: dict[str, Retailer] = {}
    persons = KeyPerson.objects.filter(retailer__company=company, erased_at__isnull=True)
    for queryset in filtered_in(persons, "phone", phones):
        rows = queryset.values_list("phone", "retailer_id", "retailer__code", "retailer__name")
        for phone, pk, code, name in rows.order_by("retailer_id"):
            found.setdefault(phone, Retailer(pk=pk, code=code, name=name))
    return found
