from datetime import time

from visits.routing import RouteStop, optimise_route, path_length_m

# Stops on one street, 0.01° of longitude apart (943 m at 32°N), given out of order.
START = (32.0, 118.00)


def on_street(key: int, steps: int, fixed=None) -> RouteStop:
    return RouteStop(key, (32.0, 118.00 + 0.01 * steps), fixed)


def test_stops_on_a_street_are_driven_in_order_from_the_start():
    stops = [on_street(3, 3), on_street(1, 1), on_street(4, 4), on_street(2, 2)]
    route = optimise_route(stops, START)
    assert route.keys == [1, 2, 3, 4]
    assert round(route.distance_m) == round(path_length_m([s.point for s in sorted(
        stops, key=lambda s: s.key)], START))


def test_two_opt_uncrosses_what_nearest_neighbour_leaves_crossed():
    # A 2 km square, start at the bottom-left corner. Nearest neighbour from the start
    # goes to the close point first and ends up crossing the square diagonally.
    stops = [RouteStop(1, (32.000, 118.0005)), RouteStop(2, (32.018, 118.021)),
             RouteStop(3, (32.018, 118.000)), RouteStop(4, (32.000, 118.021))]
    route = optimise_route(stops, (32.0, 118.0))
    by_key = {s.key: s.point for s in stops}
    walked = path_length_m([by_key[k] for k in route.keys], (32.0, 118.0))
    assert route.keys == [1, 4, 2, 3]
    assert walked == route.distance_m < 6_100


def test_a_fixed_time_stop_keeps_its_place():
    # The 9:30 appointment far down the street stays second: the best is one stop before
    # it and the two others on the way back (1 + 8 + 5 + 2 = 16 steps).
    stops = [on_street(4, 4), on_street(9, 9, time(9, 30)), on_street(1, 1),
             on_street(2, 2)]
    route = optimise_route(stops, START)
    assert route.keys == [1, 9, 4, 2]
    assert abs(route.distance_m - 16 * 943) < 20


def test_fixed_time_stops_are_put_in_time_order_in_their_places():
    stops = [on_street(1, 1), on_street(7, 7, time(15, 0)), on_street(2, 2),
             on_street(8, 8, time(10, 0))]
    route = optimise_route(stops, START)
    assert route.keys[1] == 8 and route.keys[3] == 7


def test_stops_without_a_position_go_last_and_add_no_distance():
    stops = [RouteStop(5, None), on_street(2, 2), on_street(1, 1)]
    route = optimise_route(stops, START)
    assert route.keys == [1, 2, 5]
    assert round(route.distance_m) == round(path_length_m([(32.0, 118.01), (32.0, 118.02)],
                                                          START))


def test_without_a_start_point_the_path_is_open_at_both_ends():
    stops = [on_street(2, 2), on_street(3, 3), on_street(1, 1)]
    route = optimise_route(stops)
    assert route.keys in ([1, 2, 3], [3, 2, 1])


def test_an_empty_day_is_an_empty_route():
    assert optimise_route([], START).keys == []
