"""Demo visits of this month: a step of `manage.py demo` (`visits/demo.py`);
`manage.py demo_visits` runs it alone.

For every demo rep with retailers: this month's plan, proposed by the same rule as
`plan_propose` but from the 1st (so the days already gone have stops), approved by the
office manager; on the days before today about 80% of the stops were visited on site
(a few checked in far from the shop or without GPS), about 10% missed with a reason and
the rest left unexplained; some visits raised problems, half of them solved since.
Today's stops are left for the rep to do.

Idempotent per rep and month: a rep who already has a plan for the month is skipped.
One seeded random source gives the same month every run.

A step of `manage.py demo` since `visits/demo.py` registers it (that module also puts
next month's plans in review). Plans and visits PROTECT their retailers, so a demo
card with visit history can no longer be deleted.

The proposal is drawn as if each shop had been visited once within its grade's
interval before the month (the demo has no older visits): its visits then fall due
spread over the month, as in a company that has been working for a while, instead of
every shop counting as overdue and crowding the first days.
"""

import random
import uuid
from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.demo import DEFAULT_SEED
from accounts.models import AuditEvent, Membership, OrgNode, Role
from accounts.workdays import month_end, working_days
from kehu.models import Retailer
from visits.models import (
    MissedVisit,
    PlanStop,
    Problem,
    RetailerLastVisit,
    Visit,
    VisitPlan,
)
from visits.planning import Candidate, propose
from visits.selectors.common import policy_for

BATCH = 1000
DESCRIPTIONS = {
    Problem.Category.LATE_DELIVERY: "上周订的货晚到两天",
    Problem.Category.PRICE_DISORDER: "附近有店低价卖，价签混乱",
    Problem.Category.CROSS_REGION: "发现外地货源",
    Problem.Category.BROKEN_DISPLAY: "陈列架坏了，需要更换",
    Problem.Category.COMPLAINT: "老板投诉送货员态度不好",
}
NOTES = ["沟通了新品上市计划", "检查了价签和陈列", "老板希望增加促销支持", "了解竞品最新政策"]


def _shifted(lat: Decimal, lng: Decimal, metres: float, rng: random.Random):
    """A point about `metres` north-east of (lat, lng)."""
    step = Decimal(str(round(metres / 111_000 * rng.uniform(0.6, 1.0), 6)))
    return (lat + step).quantize(Decimal("0.000001")), (lng + step).quantize(Decimal("0.000001"))


class RepMonth:
    """One rep's approved plan and what happened on the days before today."""

    def __init__(self, *, rng, rep, area, manager, month, today, policy):
        self.rng, self.rep, self.area, self.manager = rng, rep, area, manager
        self.month, self.today, self.policy = month, today, policy
        self.created = Counter()

    def build(self) -> None:
        retailers = {r.pk: r for r in Retailer.objects.filter(
            assigned_rep=self.rep, status=Retailer.Status.ACTIVE)}
        if not retailers:
            return
        first, last = self.month, month_end(self.month)
        candidates = [Candidate(r.pk, r.grade or "C", self._earlier_visit(r), _point(r))
                      for r in retailers.values()]
        days = working_days(first, last, strict=False)
        proposal = propose(candidates, self.policy, days, first, last)
        plan = VisitPlan.objects.create(
            rep=self.rep, area=self.area, month=self.month, starts_on=first,
            status=VisitPlan.Status.APPROVED, created_by=self.rep, decided_by=self.manager,
            decided_at=timezone.now(), submitted_at=timezone.now(), decision_note="同意")
        PlanStop.objects.bulk_create(
            [PlanStop(plan=plan, date=s.date, retailer_id=s.retailer_id, position=s.position,
                      objective=self.rng.choice(["", "", "推新品", "收集竞品信息", "检查陈列"]))
             for s in proposal], batch_size=BATCH)
        AuditEvent.objects.create(actor=self.manager, node=self.area,
                                  object_type="visits.visitplan", object_id=str(plan.pk),
                                  action="approve", from_state="submitted",
                                  to_state="approved", reason="demo")
        self.created["visit plans"] += 1
        self._past_days([s for s in proposal if s.date < self.today], retailers)

    def _earlier_visit(self, retailer: Retailer):
        """A day within the grade's interval before the month (not overdue on the 1st)."""
        interval = self.policy.interval_days(retailer.grade or "C")
        return self.month - timedelta(days=self.rng.randrange(1, interval + 1))

    def _past_days(self, stops, retailers) -> None:
        visits, missed = [], []
        for stop in sorted(stops, key=lambda s: (s.date, s.position)):
            roll = self.rng.random()
            if roll < 0.8:
                visits.append(self._visit(retailers[stop.retailer_id], stop))
            elif roll < 0.9:
                missed.append(MissedVisit(
                    client_id=uuid.uuid4(), rep=self.rep, retailer_id=stop.retailer_id,
                    date=stop.date, reason=self.rng.choice(MissedVisit.Reason.values[:4]),
                    recorded_by=self.rep))
        Visit.objects.bulk_create(visits, batch_size=BATCH)
        MissedVisit.objects.bulk_create(missed, batch_size=BATCH)
        self._problems(visits)
        self._last_visits(visits)
        self.created.update(visits=len(visits), **{"missed visits": len(missed)})

    def _visit(self, retailer: Retailer, stop) -> Visit:
        start = timezone.make_aware(datetime.combine(stop.date, time(9)) + timedelta(
            minutes=40 * stop.position + self.rng.randrange(20)))
        duration = timedelta(minutes=self.rng.randrange(8, 35))
        visit = Visit(
            client_id=uuid.uuid4(), rep=self.rep, retailer=retailer, visit_date=stop.date,
            status=Visit.Status.COMPLETED, started_at=start, device_started_at=start,
            received_at=start + timedelta(seconds=self.rng.randrange(1, 30)),
            ended_at=start + duration, device_ended_at=start + duration,
            checkout_received_at=start + duration, duration_s=int(duration.total_seconds()),
            radius_m=self.policy.checkin_radius_m,
            communication_notes=self.rng.choice(NOTES))
        roll = self.rng.random()
        if roll < 0.04 or retailer.latitude is None:
            visit.gps_missing, visit.gps_error = True, Visit.GpsError.UNAVAILABLE
            return visit
        distance = self.rng.uniform(250, 900) if roll < 0.09 else self.rng.uniform(5, 120)
        visit.checkin_latitude, visit.checkin_longitude = _shifted(
            retailer.latitude, retailer.longitude, distance, self.rng)
        visit.checkin_distance_m = round(distance)
        visit.checkin_accuracy_m = self.rng.randrange(5, 40)
        visit.far_from_store = distance > visit.radius_m
        return visit

    def _problems(self, visits) -> None:
        problems = []
        for visit in visits:
            if self.rng.random() >= 0.1:
                continue
            category = self.rng.choice(list(DESCRIPTIONS))
            solved = self.rng.random() < 0.5
            problems.append(Problem(
                client_id=uuid.uuid4(), retailer=visit.retailer, visit=visit,
                category=category, description=DESCRIPTIONS[category], owner=self.rep,
                due_date=visit.visit_date + timedelta(days=self.policy.problem_due_days),
                raised_by=self.rep, status=Problem.Status.SOLVED if solved else
                Problem.Status.OPEN, resolution="已处理" if solved else "",
                solved_at=visit.ended_at + timedelta(days=2) if solved else None,
                solved_by=self.rep if solved else None))
        Problem.objects.bulk_create(problems, batch_size=BATCH)
        self.created["problems"] += len(problems)

    def _last_visits(self, visits) -> None:
        last = {}
        for visit in visits:
            last[visit.retailer_id] = max(visit.visit_date, last.get(visit.retailer_id,
                                                                     visit.visit_date))
        RetailerLastVisit.objects.bulk_create(
            [RetailerLastVisit(retailer_id=pk, last_on_site_date=day, last_contact_date=day)
             for pk, day in last.items()],
            update_conflicts=True, unique_fields=["retailer"],
            update_fields=["last_on_site_date", "last_contact_date"], batch_size=BATCH)


def _point(retailer: Retailer):
    if retailer.latitude is None or retailer.longitude is None:
        return None
    return float(retailer.latitude), float(retailer.longitude)


def _office_manager(area: OrgNode):
    office_path = area.path[: -OrgNode.steplen]
    membership = (Membership.objects.filter(role=Role.OFFICE_MANAGER, node__path=office_path)
                  .select_related("user").order_by("user__username").first())
    return membership.user if membership else None


def build_visits(*, seed: int = DEFAULT_SEED, created: Counter | None = None,
                 existing: Counter | None = None) -> tuple[Counter, Counter]:
    """This month's approved plan per demo rep, with the days before today worked;
    returns the (created, already there) counts."""
    created = Counter() if created is None else created
    existing = Counter() if existing is None else existing
    today = timezone.localdate()
    month = today.replace(day=1)
    rng = random.Random(seed * 7 + month.toordinal())
    company = OrgNode.objects.filter(code="DEMO").first()
    if company is None:
        return created, existing
    policy = policy_for(company)
    reps = (Membership.objects.filter(role=Role.REP, node__path__startswith=company.path)
            .select_related("user", "node").order_by("user__username"))
    planned = set(VisitPlan.objects.filter(month=month).filter(
        Q(rep__in=[m.user for m in reps])).values_list("rep_id", flat=True))
    for membership in reps:
        if membership.user_id in planned:
            existing["visit plans"] += 1
            continue
        manager = _office_manager(membership.node)
        if manager is None:
            continue
        rep_month = RepMonth(rng=random.Random(rng.random()), rep=membership.user,
                             area=membership.node, manager=manager, month=month,
                             today=today, policy=policy)
        rep_month.build()
        created.update(rep_month.created)
    return created, existing
