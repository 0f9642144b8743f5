from decimal import Decimal

from visits.api.serializers import point


def test_a_point_keeps_wgs84_and_adds_its_gcj02_twin_for_chinese_tiles():
    # The public test vector: People's Square, Shanghai.
    shown = point(Decimal("31.230400"), Decimal("121.473700"))
    assert (shown["latitude"], shown["longitude"]) == ("31.230400", "121.473700")
    assert shown["gcj02"] == {"latitude": 31.228458, "longitude": 121.478223}


def test_outside_china_the_two_are_the_same_and_no_position_is_none():
    assert point(Decimal("48.858400"), Decimal("2.294500"))["gcj02"] == {
        "latitude": 48.8584, "longitude": 2.2945}
    assert point(None, Decimal("1")) is None
