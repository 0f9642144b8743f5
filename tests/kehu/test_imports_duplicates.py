"""The import's set-based duplicate check finds what find_likely_duplicates finds."""

from decimal import Decimal

import pytest

from kehu.imports.duplicates import Grid, Point, nearby_existing, phones_in_use
from kehu.imports.pinyin import name_key, search_keys_fast
from kehu.models import KeyPerson
from kehu.services import find_likely_duplicates
from tests.factories import make_retailer

EXISTING = [
    ("华联超市", "32.050000", "118.780000"),  # same name, ~25 m away
    ("华联超市中山店", "32.050500", "118.780500"),  # ~50 m, not similar enough (0.73)
    ("华联超市", "32.052000", "118.780000"),  # same name, ~220 m: too far
    ("金鹰百货", "32.050100", "118.780100"),  # near, another name
    ("hua lian chao shi", "32.050150", "118.780000"),  # pinyin spelled out, near
]
NEW = [("华联超市", 32.0502, 118.7801), ("华联", 32.0501, 118.7800), ("金鹰", 32.0501, 118.7801),
       ("苏果", 32.06, 118.79), ("华联超市", 31.0, 121.0)]


@pytest.fixture
def cards(personas):
    return [make_retailer(personas.org.area, personas.rep, name=name, latitude=Decimal(lat),
                          longitude=Decimal(lng)) for name, lat, lng in EXISTING]


def point(name, lat, lng) -> Point:
    return Point(name, name, name_key(search_keys_fast(name), name), lat, lng)


@pytest.mark.parametrize("tiles", [None, {}], ids=["boxes", "whole tiles"])
@pytest.mark.parametrize(("name", "lat", "lng"), NEW)
def test_nearby_existing_finds_what_find_likely_duplicates_finds(personas, cards, name, lat,
                                                                 lng, tiles):
    expected = {c.retailer.pk for c in find_likely_duplicates(
        company=personas.org.company, name=name, latitude=lat, longitude=lng)}

    found = nearby_existing(personas.org.company, [point(name, lat, lng)], tiles=tiles)

    assert {card.pk for card in found.get(0, [])} == expected


def test_many_new_points_are_checked_with_one_query_per_tile(personas, cards,
                                                             django_assert_max_num_queries):
    points = [point(name, lat, lng) for name, lat, lng in NEW]
    with django_assert_max_num_queries(2):  # two ~10 km tiles: Nanjing and Shanghai
        found = nearby_existing(personas.org.company, points)

    assert {card.name for card in found[0]} == {"华联超市", "hua lian chao shi"}
    assert 3 not in found and 4 not in found


def test_whole_tiles_are_read_once_and_reach_across_their_edges(
        personas, cards, django_assert_max_num_queries):
    across = make_retailer(personas.org.area, personas.rep, name="红旗超市",
                           latitude=Decimal("32.100500"), longitude=Decimal("118.750000"))
    tiles: dict = {}
    with django_assert_max_num_queries(1):
        first = nearby_existing(personas.org.company, [point("红旗超市", 32.0998, 118.75)],
                                tiles=tiles)
    with django_assert_max_num_queries(0):  # the same tile again: already read
        again = nearby_existing(personas.org.company, [point("华联超市", 32.0502, 118.7801),
                                                       point("红旗超市", 32.0997, 118.7501)],
                                tiles=tiles)

    assert [card.pk for card in first[0]] == [across.pk]  # ~80 m north, in the next tile
    assert {card.name for card in again[0]} == {"华联超市", "hua lian chao shi"}
    assert [card.pk for card in again[1]] == [across.pk]


def test_the_file_grid_finds_close_similar_rows_only():
    grid = Grid()
    grid.add(point("苏果便利", 32.05, 118.78))
    grid.add(point("苏果便利", 32.06, 118.78))  # ~1.1 km away

    assert [p.name for p in grid.matches(point("苏果便利店", 32.0503, 118.7802))] == ["苏果便利"]
    assert grid.matches(point("金鹰", 32.0503, 118.7802)) == []


def test_phones_in_use_finds_cards_by_their_key_persons(personas, cards):
    KeyPerson.objects.create(retailer=cards[0], role="owner", name="王", phone="13800138000")
    erased = KeyPerson.objects.create(retailer=cards[1], role="owner", name="李",
                                      phone="13900139000")
    erased.erased_at = erased.created_at
    erased.save()

    found = phones_in_use(personas.org.company, {"13800138000", "13900139000", "13700137000"})

    assert {phone: card.pk for phone, card in found.items()} == {"13800138000": cards[0].pk}
