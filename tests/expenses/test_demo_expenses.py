"""`manage.py demo` grows 客情费: the cycle played through the services for the reps of
南京办事处, as it stands on the business date (in the review window, or after it)."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import STEPS
from accounts.models import AuditEvent
from expenses.models import (
    AdvanceEntry,
    ClaimLine,
    MonthlyStatement,
    PreApproval,
    SpotCheckItem,
)

pytestmark = pytest.mark.django_db
Status = MonthlyStatement.Status


@pytest.fixture(autouse=True)
def few_retailers(monkeypatch):
    monkeypatch.setattr("kehu.demo.RETAILERS_PER_REP", 4)


@pytest.fixture
def on(monkeypatch, clock):
    """on(day): the demo runs as if today were `day` (facts end the month before)."""

    def set_day(day: date) -> None:
        clock(day)
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kw: day)

    return set_day


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def states(month: date) -> Counter:
    return Counter(MonthlyStatement.objects.filter(month=month)
                   .values_list("status", flat=True))


def test_the_expenses_step_is_discovered_once():
    run_demo()
    run_demo()

    assert [step.__name__ for step in STEPS].count("build_expenses") == 1


def test_after_the_review_window_the_demo_shows_paid_approved_and_void_statements(on):
    on(date(2026, 11, 25))  # October: reviews were due 11 Nov, payouts from 12 Nov

    output = run_demo()

    assert "claim lines: " in output and "statements: " in output
    months = Counter(ClaimLine.objects.values_list("month", flat=True))
    assert set(months) == {date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)}
    assert states(date(2026, 9, 1)) == {Status.PAID: 9, Status.VOID: 1}
    october = states(date(2026, 10, 1))
    assert october[Status.PAID] >= 3 and october[Status.APPROVED] >= 2
    assert october[Status.VOID] == 2
    assert MonthlyStatement.objects.filter(status=Status.VOID).exclude(void_reason="").count() \
        == 3
    payouts = AdvanceEntry.objects.filter(kind=AdvanceEntry.Kind.PAYOUT)
    assert payouts.exists() and AdvanceEntry.objects.filter(kind="settlement").exists()
    results = Counter(SpotCheckItem.objects.values_list("result", flat=True))
    assert results[SpotCheckItem.Result.NOT_CONFIRMED] == 1
    assert results[SpotCheckItem.Result.PENDING] > 0  # October's, for om1
    assert set(PreApproval.objects.values_list("status", flat=True)) == {
        "approved", "pending", "void"}
    # Everything went through the services: every transition is audited.
    for statement in MonthlyStatement.objects.all():
        assert AuditEvent.objects.filter(object_id=str(statement.pk),
                                         action="submit").exists()


def test_within_the_review_window_statements_wait_at_every_step(on):
    on(date(2026, 11, 6))  # the 5th working day: submissions were due 4 Nov

    run_demo()

    october = states(date(2026, 10, 1))
    assert october == {Status.APPROVED: 2, Status.MANAGER_APPROVED: 1,
                       Status.CLERK_CHECKED: 1, Status.SUBMITTED: 2, Status.RETURNED: 1}
    assert MonthlyStatement.objects.filter(month=date(2026, 10, 1), late=True).count() == 1
    returned = MonthlyStatement.objects.get(status=Status.RETURNED)
    assert returned.return_reason


def test_running_the_demo_twice_plays_the_cycle_once(on):
    on(date(2026, 11, 25))
    run_demo()
    counts = (ClaimLine.objects.count(), MonthlyStatement.objects.count(),
              AdvanceEntry.objects.count(), PreApproval.objects.count())

    output = run_demo()

    assert (ClaimLine.objects.count(), MonthlyStatement.objects.count(),
            AdvanceEntry.objects.count(), PreApproval.objects.count()) == counts
    assert "claim lines: 0 created" in output
