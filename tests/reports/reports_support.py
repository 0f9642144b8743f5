"""The hand-computed month the report, meeting and home tests share."""

from datetime import datetime, timedelta

from django.utils import timezone

from grading.scorecards import rep_scorecards_compute
from reports import aggregates
from tests.factories import make_retailer
from tests.visits.factories import make_missed, make_plan, make_problem, make_visit
from visits.calendar import month_end
from visits.models import Problem, StockLine, Visit


class Month:
    """A complete month before today's: D1, D2, D3 are its 5th, 6th and 7th."""

    def __init__(self):
        today = timezone.localdate()
        self.first = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
        self.last = month_end(self.first)
        self.d1, self.d2, self.d3 = (self.first + timedelta(days=n) for n in (4, 5, 6))
        self.today = today


def _at(day, hour):
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def build_month(personas) -> Month:
    """rep: stops a, b on D1 and c on D2 — a visited on site (competitor note and stock),
    b missed with a reason, c only phoned (no GPS), b got a care call (consumer feedback);
    a problem raised at a's visit on D1 and solved on D2.
    rep2: stops d on D1 (visited on site, far from the store) and D2 (nothing).
    sibling_rep (other office): a visit on D1."""
    m = Month()
    area, rep, rep2 = personas.org.area, personas.rep, personas.rep2
    a = make_retailer(area, rep, name="甲店", grade="A")
    b = make_retailer(area, rep, name="乙店", grade="B")
    c = make_retailer(area, rep, name="丙店", grade="C")
    d = make_retailer(area, rep2, name="丁店", grade="A")
    make_plan(rep, area, m.first, stops=[(m.d1, a), (m.d1, b), (m.d2, c)])
    make_plan(rep2, area, m.first, stops=[(m.d1, d), (m.d2, d)])
    on_a = make_visit(rep, a, m.d1, competitor_info="对手降价两元")
    StockLine.objects.create(visit=on_a, product_name="中华(软)", on_hand=5)
    make_missed(rep, b, m.d1)
    make_visit(rep, c, m.d2, kind=Visit.Kind.PHONE, gps_missing=True)
    make_visit(rep, b, m.d2, kind=Visit.Kind.CARE_CALL, hour=15, consumer_feedback="嫌贵")
    make_visit(rep2, d, m.d1, far_from_store=True)
    problem = make_problem(a, rep, due=m.d3)
    Problem.objects.filter(pk=problem.pk).update(
        visit=on_a, created_at=_at(m.d1, 11), status=Problem.Status.SOLVED,
        resolution="已补货", solved_at=_at(m.d2, 9), solved_by=rep)
    sibling = make_retailer(personas.org.sibling_area, personas.sibling_rep)
    make_visit(personas.sibling_rep, sibling, m.d1)
    for office in (personas.org.office, personas.org.sibling_office):
        aggregates.rep_days_compute(areas=aggregates.rep_areas(node=office),
                                    first=m.first, last=m.last)
    rep_scorecards_compute(node=personas.org.office, month=m.first, today=m.today)
    m.shops = {"a": a, "b": b, "c": c, "d": d}
    return m
