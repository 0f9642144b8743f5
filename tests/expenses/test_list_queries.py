"""Every 客情费 list answers in a number of queries that does not grow with its rows."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from expenses import services
from tests.expenses import factories as f
from tests.factories import make_retailer

LISTS = ["/api/expenses/claim-lines/", "/api/expenses/pre-approvals/",
         "/api/expenses/statements/", "/api/expenses/standards/",
         "/api/expenses/advance-accounts/", "/api/expenses/advance-entries/",
         "/api/expenses/spot-checks/", "/api/expenses/spot-check-items/"]


def add_month(personas, shop, month: int) -> None:
    """One more month of everything: lines, a pre-approval, an approved statement, a payout,
    a spot check, a standard."""
    retailers = [make_retailer(personas.org.area, personas.rep) for _ in range(3)]
    for retailer in retailers:
        f.make_line(personas.rep, retailer, "10.00", date(2026, month, 5),
                    product_line=shop.line)
        f.make_pre_approval(personas.rep, retailer)
    statement = f.make_approved_statement(personas, month=date(2026, month, 1), payable="30.00",
                                          rows=[(r, "10.00", "10.00") for r in retailers])
    services.advance_payout(statement=statement, actor=personas.finance,
                            amount="10.00", today=date(2026, 12, 31))
    f.make_standard(personas.org.office, shop.line, personas.finance,
                    valid_from=date(2026, month, 1))


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.data)
    return len(queries)


@pytest.mark.parametrize("url", LISTS)
def test_list_queries_do_not_grow_with_rows(personas, shop, client_for, url):
    client = client_for(personas.manager)
    add_month(personas, shop, 7)
    few = count(client, url)
    add_month(personas, shop, 8)
    add_month(personas, shop, 9)
    assert count(client, url) <= few
    assert few <= 12
