"""The working-day calendar is kept in the admin: the next year is entered there."""

from datetime import date

from accounts.models import CalendarYear, User
from expenses import workdays
from tests.calendar_support import enter_2027_in_the_admin


def test_an_admin_enters_2027_from_the_state_council_notice(db, client):
    enter_2027_in_the_admin(client)  # logs in as an operator
    assert client.get("/admin/accounts/calendaryear/").status_code == 200
    year_2026 = CalendarYear.objects.get(year=2026)
    assert client.get(f"/admin/accounts/calendaryear/{year_2026.pk}/change/").status_code == 200
    assert CalendarYear.objects.get(year=2027).days.count() == 3
    # January 2027 under this notice: Tue 5, Wed 6, Thu 7 → due the 7th
    assert workdays.statement_deadlines(date(2026, 12, 1)).submit_due == date(2027, 1, 7)


def test_statements_are_read_only_in_the_admin(db, client):
    operator = User.objects.create_superuser("ops", "ops@example.com", "pass-word-123")
    client.force_login(operator)
    assert client.get("/admin/expenses/monthlystatement/").status_code == 200
    assert client.get("/admin/expenses/monthlystatement/add/").status_code == 403
