from datetime import date, timedelta

from visits.models import VisitPolicy
from visits.planning import Candidate, is_overdue, propose, target_dates

POLICY = VisitPolicy()  # A every 7 days, B 14, C 30; 25 stops a day
DEC_1, DEC_31 = date(2026, 12, 1), date(2026, 12, 31)
# 23 working days, Monday–Friday (December 2026 has no holiday; the planner is pure)
DAYS = [DEC_1 + timedelta(days=n) for n in range(31) if (DEC_1 + timedelta(days=n)).weekday() < 5]


def planned(stops, retailer_id):
    return sorted(s.date for s in stops if s.retailer_id == retailer_id)


def test_grades_get_four_two_and_one_visits_in_a_31_day_month():
    candidates = [Candidate(1, "A", None), Candidate(2, "B", None), Candidate(3, "C", None)]
    stops = propose(candidates, POLICY, DAYS, DEC_1, DEC_31)
    assert [len(planned(stops, r)) for r in (1, 2, 3)] == [4, 2, 1]


def test_an_overdue_retailer_is_planned_on_the_first_working_day():
    never = Candidate(1, "C", None)
    long_ago = Candidate(2, "A", date(2026, 11, 1))
    assert is_overdue(never, 30, DEC_1) and is_overdue(long_ago, 7, DEC_1)
    stops = propose([never, long_ago], POLICY, DAYS, DEC_1, DEC_31)
    assert planned(stops, 1) == [DEC_1]
    assert planned(stops, 2)[0] == DEC_1


def test_a_retailer_visited_recently_is_planned_when_its_interval_is_up():
    # A, visited 28 Nov: due 5 Dec (a Saturday) → Friday the 4th, then every week.
    recent = Candidate(1, "A", date(2026, 11, 28))
    assert target_dates(recent, POLICY, DEC_1, DEC_31) == [
        date(2026, 12, 5), date(2026, 12, 12), date(2026, 12, 19), date(2026, 12, 26)]
    assert planned(propose([recent], POLICY, DAYS, DEC_1, DEC_31), 1) == [
        date(2026, 12, 4), date(2026, 12, 11), date(2026, 12, 18), date(2026, 12, 25)]


def test_visits_that_would_not_fit_after_the_due_day_are_spread_over_the_window():
    # Visited on the window's first day: weekly from the 8th would need the 29th, one
    # day past the window (1–28 Dec), so the four visits are spread over it instead.
    today = Candidate(1, "A", DEC_1)
    assert target_dates(today, POLICY, DEC_1, date(2026, 12, 28)) == [
        date(2026, 12, 4), date(2026, 12, 11), date(2026, 12, 18), date(2026, 12, 25)]


def test_no_day_gets_more_stops_than_the_policy_allows():
    policy = VisitPolicy(max_stops_per_day=2)
    candidates = [Candidate(i, "C", None) for i in range(1, 6)]  # five overdue shops
    stops = propose(candidates, policy, DAYS, DEC_1, DEC_31)
    per_day = {}
    for stop in stops:
        per_day[stop.date] = per_day.get(stop.date, 0) + 1
    assert max(per_day.values()) == 2
    assert sorted(per_day) == [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]


def test_a_visit_that_finds_no_room_is_left_out():
    policy = VisitPolicy(max_stops_per_day=1)
    one_day = [date(2026, 12, 31)]
    stops = propose([Candidate(1, "C", None), Candidate(2, "C", None)], policy, one_day,
                    date(2026, 12, 31), DEC_31)
    assert [s.retailer_id for s in stops] == [1]


def test_a_day_is_ordered_by_distance():
    candidates = [Candidate(1, "C", None, (32.0, 118.03)), Candidate(2, "C", None,
                                                                     (32.0, 118.01)),
                  Candidate(3, "C", None, (32.0, 118.02))]
    stops = propose(candidates, POLICY, DAYS[:1], DEC_1, DEC_1)
    order = [s.retailer_id for s in sorted(stops, key=lambda s: s.position)]
    assert order in ([1, 3, 2], [2, 3, 1])
