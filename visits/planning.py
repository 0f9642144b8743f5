"""Drafting a month's stops so each retailer gets the visits its grade needs.

Pure functions over plain values (no database), so the rule is testable by hand:

1. Each retailer needs `policy.visits_required(grade, first, last, new)` visits in the
   plan's window (A weekly, B fortnightly, C monthly by default; an ungraded retailer is
   C); a new retailer is visited at least at the new-retailer frequency (前密后疏: dense
   first, sparse later — weekly by default for its first 90 days).
2. Overdue retailers (never visited, or last visited longer ago than their interval
   before the window opens) come first and get the earliest days; among them the
   longest-waiting first, then by grade.
3. A retailer that is not overdue is first due `interval` days after its last visit;
   its visits follow every `interval` days from then. When that would not fit the
   window, its visits are spread evenly over the window instead.
4. Each target day snaps to the nearest working day that still has room
   (`policy.max_stops_per_day`) and does not have this retailer yet. A visit that finds
   no room is left out; the plan's warnings then show the frequency is not met.
5. Each day's stops are then ordered by distance (see `visits.routing`).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from visits.routing import RouteStop, optimise_route

GRADE_RANK = {"A": 0, "B": 1}


@dataclass(frozen=True)
class Candidate:
    retailer_id: int
    grade: str
    last_visit: date | None
    point: tuple[float, float] | None = None
    new: bool = False


@dataclass(frozen=True)
class ProposedStop:
    date: date
    retailer_id: int
    position: int


def is_overdue(candidate: Candidate, interval: int, on: date) -> bool:
    return candidate.last_visit is None or (on - candidate.last_visit).days > interval


def _urgency(candidate: Candidate, policy, first: date) -> tuple:
    overdue = is_overdue(candidate, policy.interval_days(candidate.grade, candidate.new), first)
    waited = (first - candidate.last_visit).days if candidate.last_visit else 10**6
    return (0 if overdue else 1, -waited if overdue else 0,
            GRADE_RANK.get(candidate.grade, 2), candidate.retailer_id)


def target_dates(candidate: Candidate, policy, first: date, last: date) -> list[date]:
    """The days a retailer would ideally be visited in the window."""
    interval = policy.interval_days(candidate.grade, candidate.new)
    count = policy.visits_required(candidate.grade, first, last, candidate.new)
    due = first if is_overdue(candidate, interval, first) else \
        max(first, candidate.last_visit + timedelta(days=interval))
    if due + timedelta(days=interval * (count - 1)) <= last:
        return [due + timedelta(days=interval * k) for k in range(count)]
    span = (last - first).days + 1
    return [first + timedelta(days=int((k + 0.5) * span / count)) for k in range(count)]


def _nearest_free_day(target: date, days: list[date], load: dict, taken: set,
                      capacity: int) -> date | None:
    ranked = sorted(days, key=lambda d: (abs((d - target).days), d))
    return next((d for d in ranked if load[d] < capacity and d not in taken), None)


def propose(candidates: list[Candidate], policy, days: list[date], first: date,
            last: date) -> list[ProposedStop]:
    """Stops for the working `days` between `first` and `last`."""
    load = {day: 0 for day in days}
    per_day: dict[date, list[Candidate]] = {day: [] for day in days}
    for candidate in sorted(candidates, key=lambda c: _urgency(c, policy, first)):
        taken: set[date] = set()
        for target in target_dates(candidate, policy, first, last):
            day = _nearest_free_day(target, days, load, taken, policy.max_stops_per_day)
            if day is None:
                break
            taken.add(day)
            load[day] += 1
            per_day[day].append(candidate)
    stops = []
    for day, planned in per_day.items():
        route = optimise_route([RouteStop(c.retailer_id, c.point) for c in planned])
        stops += [ProposedStop(day, key, position) for position, key in enumerate(route.keys)]
    return stops
