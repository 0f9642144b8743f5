"""What a rep's and finance's home pages show, each read in one call.

The rep's home: today's route (visits.selectors.plans.day_route), care reminders due,
open problems (overdue marked), and the month so far against the approved plan: RepDay
summed from the 1st to today (the scorecard's definitions, today live) plus the approved
stops still to come, A coverage and overdue retailers by the team view's own selectors.

Finance's home: the statement cycle in review (by status, by deadline on the working-day
calendar, waiting for finance, approved and payable), advances outstanding per rep against
the company's cap, and spot checks whose money did not reach the retailer.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse

from accounts.models import User
from accounts.workdays import CalendarNotCovered, month_end, working_days_of_month
from expenses import selectors as expense_selectors
from expenses import workdays
from expenses.models import MonthlyStatement, SpotCheckItem
from grading.models import RepScorecard
from reports.models import RepDay
from reports.selectors.reports import day_sums, empty_figures, rate, with_rates
from reports.selectors.reports import figures as summed
from visits.models import PlanStop, Problem, Reminder, Visit, VisitPlan
from visits.selectors.common import company_of, policy_for_node, rep_area
from visits.selectors.plans import day_route
from visits.selectors.reminders import reminders_for_user, reminders_when
from visits.selectors.team import Period, a_coverage_by_rep, overdue_by_rep
from visits.selectors.visits import problems_for_user

FIRST_ROWS = 5


# The rep's home --------------------------------------------------------------------------

def _route(rep: User, today: date) -> dict:
    route = day_route(rep, rep.pk, today)
    stops = route["stops"]
    visited = [s for s in stops if s["visit"] is not None]
    missed = [s for s in stops if s["visit"] is None and s["missed"] is not None]
    left = [s for s in stops if s["visit"] is None and s["missed"] is None]
    return {
        "date": today, "plan": route["plan"], "stops": len(stops), "visited": len(visited),
        "done_on_site": sum(1 for s in visited if s["visit"]["kind"] == Visit.Kind.ON_SITE),
        "missed": len(missed), "left": len(left),
        "next": [{"retailer": s["retailer_id"], "name": s["card"]["name"],
                  "grade": s["card"]["grade"], "objective": s["objective"],
                  "fixed_time": s["fixed_time"]} for s in left[:3]],
    }


def _reminders(rep: User, today: date) -> dict:
    due = reminders_when(reminders_for_user(rep).filter(rep_id=rep.pk), "today", today)
    counts = due.aggregate(count=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    labels = dict(Reminder.Kind.choices)
    rows = [{"id": r.pk, "retailer": r.retailer_id, "retailer_name": r.retailer.name,
             "kind": r.kind, "kind_label": str(labels[r.kind]), "due_date": r.due_date,
             "overdue": r.due_date < today} for r in due[:FIRST_ROWS]]
    return {**counts, "rows": rows}


def _problems(rep: User, today: date) -> dict:
    unsolved = problems_for_user(rep, today).filter(status__in=Problem.UNSOLVED)
    counts = unsolved.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(
        due_date__lt=today)))
    labels = dict(Problem.Category.choices)
    rows = [{"id": p.pk, "retailer": p.retailer_id, "retailer_name": p.retailer.name,
             "category": p.category, "category_label": str(labels[p.category]),
             "description": p.description, "due_date": p.due_date, "overdue": p.overdue}
            for p in unsolved.order_by("due_date", "id")[:FIRST_ROWS]]
    return {**counts, "rows": rows}


def month_so_far(rep: User, today: date) -> dict:
    """The rep's month against the approved plan: planned (the whole month), done on their
    day, missed (days gone), pending (today and later), adherence, visits; A coverage and
    overdue retailers as the team view counts them."""
    first, last = today.replace(day=1), month_end(today)
    days = RepDay.objects.filter(rep_id=rep.pk, day__range=(first, today))
    figures = {**empty_figures(), **summed(days.aggregate(**day_sums(today)))}
    # Stops after the last RepDay day (today's row is written by the night or the first
    # visit of the day; without it, today's stops are counted here).
    counted_until = today if days.filter(day=today).exists() else today - timedelta(days=1)
    later = PlanStop.objects.filter(plan__rep_id=rep.pk, plan__status=VisitPlan.Status.APPROVED,
                                    date__gt=counted_until, date__lte=last).count()
    figures["planned"] += later
    figures["pending"] += later
    month = with_rates(figures)
    month["progress_pct"] = rate(month["done"], month["planned"])
    period = Period(first, last, today)
    coverage = a_coverage_by_rep(rep, period).get(rep.pk, {"a_total": 0, "a_visited": 0})
    area = rep_area(rep)
    overdue = overdue_by_rep(rep, policy_for_node(area), today).get(rep.pk, 0) if area else 0
    card = (RepScorecard.objects.filter(rep_id=rep.pk, month=first)
            .values("as_of", "a_to_b", "expense_amount", "sales_amount").first())
    return {"month": first, "last": last, **month, **coverage,
            "a_coverage_pct": rate(coverage["a_visited"], coverage["a_total"]),
            "overdue": overdue, "scorecard": card and {
                "as_of": card["as_of"], "a_to_b": card["a_to_b"],
                "expense_amount": str(card["expense_amount"]),
                "sales_amount": str(card["sales_amount"])}}


def rep_home(rep: User, today: date) -> dict:
    return {"today": today, "route": _route(rep, today), "reminders": _reminders(rep, today),
            "problems": _problems(rep, today), "month": month_so_far(rep, today)}


# Finance's home --------------------------------------------------------------------------

IN_REVIEW = (MonthlyStatement.Status.SUBMITTED, MonthlyStatement.Status.CLERK_CHECKED,
             MonthlyStatement.Status.MANAGER_APPROVED)
SOON_WORKING_DAYS = 3
# "manager_approved" sorts after "approved": descending puts the approvals first.
FINANCE_ACTS_ON = (MonthlyStatement.Status.MANAGER_APPROVED, MonthlyStatement.Status.APPROVED)


def working_days_ahead(today: date) -> list[date] | None:
    """The working days after `today` to the end of next month (None: the working-day
    calendar does not cover them yet)."""
    days, month = [], workdays.month_start(today)
    for _step in range(2):
        try:
            days += working_days_of_month(month.year, month.month, strict=True)
        except CalendarNotCovered:
            return None
        month = workdays.next_month(month)
    return [d for d in days if d > today]


def _working_days_until(ahead: list[date] | None, today: date, deadline: date) -> int | None:
    """Working days after today up to the deadline (0: due today; None: passed, or beyond
    what the calendar covers)."""
    if ahead is None or deadline < today or (ahead and deadline > ahead[-1]):
        return None
    return sum(1 for d in ahead if d <= deadline)


def _cycle(statements, today: date, ahead: list[date] | None) -> dict:
    """The cycle of last month's statements: its deadlines and statements by status."""
    month = workdays.month_start(workdays.month_start(today) - timedelta(days=1))
    try:
        deadlines = workdays.statement_deadlines(month).as_dict()
    except CalendarNotCovered as error:
        deadlines = {"month": f"{month:%Y-%m}", "error": error.messages[0]}
    counts = {row["status"]: row for row in statements.filter(month=month).order_by()
              .values("status").annotate(count=Count("pk"), payable=Sum("payable_total"))}
    by_status = [{"status": value, "label": str(label),
                  "count": counts.get(value, {}).get("count", 0),
                  "payable": str(counts.get(value, {}).get("payable") or Decimal("0.00"))}
                 for value, label in MonthlyStatement.Status.choices]
    review_due = deadlines.get("review_due")
    return {**deadlines, "by_status": by_status,
            "review_days_left": _working_days_until(ahead, today, review_due)
            if review_due else None,
            "total": sum(row["count"] for row in by_status)}


def _statement_row(statement: MonthlyStatement, today: date) -> dict:
    return {"id": statement.pk, "rep": statement.rep_id, "rep_name": str(statement.rep),
            "area_name": statement.area.name, "month": f"{statement.month:%Y-%m}",
            "status": statement.status, "status_label": statement.get_status_display(),
            "review_due": statement.review_due, "payout_from": statement.payout_from,
            "payable_total": str(statement.payable_total),
            "paid_total": str(statement.paid_total),
            "overdue": statement.status in IN_REVIEW and statement.review_due < today,
            "payable_now": statement.status == MonthlyStatement.Status.APPROVED
            and statement.payout_from <= today,
            "url": reverse("expenses:statement-detail", args=[statement.pk])}


def _by_deadline(statements, today: date, ahead: list[date] | None) -> dict:
    """Statements still in the review chain by how close their review deadline is (soon:
    within SOON_WORKING_DAYS working days)."""
    soon = ahead[SOON_WORKING_DAYS - 1] if ahead and len(ahead) >= SOON_WORKING_DAYS \
        else today + timedelta(days=SOON_WORKING_DAYS)
    in_review = statements.filter(status__in=IN_REVIEW)
    return in_review.aggregate(
        overdue=Count("pk", filter=Q(review_due__lt=today)),
        due_today=Count("pk", filter=Q(review_due=today)),
        due_soon=Count("pk", filter=Q(review_due__gt=today, review_due__lte=soon)),
        later=Count("pk", filter=Q(review_due__gt=soon)),
        waiting_for_finance=Count("pk", filter=Q(
            status=MonthlyStatement.Status.MANAGER_APPROVED)))


def _advances(user, company) -> dict:
    cap = expense_selectors.advance_cap(company) if company else Decimal("0.00")
    accounts = expense_selectors.advance_accounts_for_user(user).filter(outstanding__gt=0)
    totals = accounts.aggregate(reps=Count("pk"), total=Sum("outstanding"),
                                at_cap=Count("pk", filter=Q(outstanding__gte=cap)))
    rows = [{"rep": a.rep_id, "rep_name": str(a.rep), "area_name": a.area.name,
             "outstanding": str(a.outstanding), "headroom": str(max(cap - a.outstanding,
                                                                    Decimal("0.00"))),
             "used_pct": rate(a.outstanding, cap), "at_cap": a.outstanding >= cap}
            for a in accounts.order_by("-outstanding", "rep_id")[:10]]
    return {"cap": str(cap), "reps": totals["reps"],
            "outstanding": str(totals["total"] or Decimal("0.00")),
            "at_cap": totals["at_cap"], "rows": rows}


def _failed_spot_checks(user) -> dict:
    items = expense_selectors.spot_check_items_for_user(user)
    counts = items.aggregate(
        failed=Count("pk", filter=Q(result=SpotCheckItem.Result.NOT_CONFIRMED)),
        pending=Count("pk", filter=Q(result=SpotCheckItem.Result.PENDING)))
    failed = (items.filter(result=SpotCheckItem.Result.NOT_CONFIRMED)
              .order_by("-checked_at", "-id")[:10])
    rows = [{"id": item.pk, "retailer_name": item.retailer.name,
             "rep_name": str(item.spot_check.statement.rep),
             "month": f"{item.spot_check.statement.month:%Y-%m}", "note": item.note,
             "checked_by": str(item.checked_by) if item.checked_by else "",
             "checked_at": item.checked_at,
             "statement_url": reverse("expenses:statement-detail",
                                      args=[item.spot_check.statement_id])}
            for item in failed]
    return {**counts, "rows": rows}


def finance_home(user, today: date, company) -> dict:
    statements = expense_selectors.statements_for_user(user)
    ahead = working_days_ahead(today)
    # What finance acts on: statements to approve (by their review deadline), then the
    # approved ones to pay out (from their payout day).
    waiting = statements.filter(status__in=FINANCE_ACTS_ON).order_by(
        "-status", "review_due", "month", "rep_id")
    payable = statements.filter(status=MonthlyStatement.Status.APPROVED)
    payable_totals = payable.aggregate(count=Count("pk"), amount=Sum("payable_total"),
                                       paid=Sum("paid_total"),
                                       ready=Count("pk", filter=Q(payout_from__lte=today)))
    return {
        "today": today,
        "cycle": _cycle(statements, today, ahead),
        "by_deadline": _by_deadline(statements, today, ahead),
        "waiting": [_statement_row(s, today) for s in waiting[:10]],
        "to_pay": {"count": payable_totals["count"], "ready": payable_totals["ready"],
                   "amount": str((payable_totals["amount"] or Decimal(0))
                                 - (payable_totals["paid"] or Decimal(0)))},
        "advances": _advances(user, company),
        "spot_checks": _failed_spot_checks(user),
    }


def company_for(user) -> object | None:
    """The company of the user's first membership (the advance cap is per company)."""
    membership = user.memberships.select_related("node").order_by("id").first()
    return company_of(membership.node) if membership else None
