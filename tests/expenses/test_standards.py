"""Finance sets standards per product line; the most specific node and latest month win."""

from datetime import date

import pytest

from accounts.models import AuditEvent
from expenses import selectors
from expenses.models import ExpenseStandard, ProductLine
from tests.expenses import factories as f
from tests.factories import make_node

URL = "/api/expenses/standards/"


def standard(line, node, **changes):
    data = {"node": node.pk, "product_line": line.pk, "basis": "per_unit", "rate": "1.5000",
            "collection_rule": "collection_rate", "valid_from": "2026-10"}
    data.update(changes)
    return data


def test_finance_sets_a_standard_for_an_office(personas, shop, client_for):
    response = client_for(personas.finance).post(URL, standard(shop.line, personas.org.office),
                                                  format="json")
    assert response.status_code == 201, response.data
    assert response.data["valid_from"] == "2026-10" and response.data["rate"] == "1.5000"
    created = ExpenseStandard.objects.get(pk=response.data["id"])
    assert created.created_by == personas.finance
    assert AuditEvent.objects.filter(action="create", object_id=str(created.pk)).exists()


def test_only_finance_or_an_admin_sets_standards(personas, shop, client_for):
    data = standard(shop.line, personas.org.office)
    assert client_for(personas.manager).post(URL, data, format="json").status_code == 403
    assert client_for(personas.rep).post(URL, data, format="json").status_code == 403
    assert client_for(personas.admin).post(URL, data, format="json").status_code == 201


@pytest.mark.parametrize(("changes", "field"), [
    ({"rate": "0"}, "rate"), ({"rate": "-1"}, "rate"), ({"rate": "0.00001"}, "rate"),
    ({"basis": "share", "rate": "101"}, "rate"), ({"basis": "bonus"}, "basis"),
    ({"valid_from": "2026-13"}, "valid_from"), ({"valid_until": "2026-09"}, None),
])
def test_bad_standards_get_field_named_400s(personas, shop, client_for, changes, field):
    response = client_for(personas.finance).post(
        URL, standard(shop.line, personas.org.office, **changes), format="json")
    assert response.status_code == 400
    assert field is None or field in response.data, response.data
    assert ExpenseStandard.objects.count() == 1  # the shop's company standard only


def test_a_product_line_of_another_company_is_refused(personas, shop, client_for):
    other = make_node(None, "company", "别的公司")
    foreign = ProductLine.objects.create(company=other, code="BJ", name="白酒")
    response = client_for(personas.finance).post(
        URL, standard(foreign, personas.org.office), format="json")
    assert response.status_code == 400 and "product_line" in response.data


def test_the_most_specific_node_then_the_latest_month_applies(personas, shop):
    f.make_standard(personas.org.office, shop.line, personas.finance, rate="3.0000",
                    valid_from=date(2026, 6, 1))
    f.make_standard(personas.org.office, shop.line, personas.finance, rate="4.0000",
                    valid_from=date(2026, 9, 1), valid_until=date(2026, 9, 1))
    f.make_standard(personas.org.sibling_office, shop.line, personas.finance, rate="9.0000")

    def rate_at(month, node):
        found = selectors.standard_for_path(selectors.standards_in_force(
            company=personas.org.company, month=month, product_line_ids=[shop.line.pk])[
            shop.line.pk], node.path)
        return found.rate

    assert rate_at(date(2026, 5, 1), personas.org.area) == 2  # the company's
    assert rate_at(date(2026, 8, 1), personas.org.area) == 3  # the office's from June
    assert rate_at(date(2026, 9, 1), personas.org.area) == 4  # September only
    assert rate_at(date(2026, 10, 1), personas.org.area) == 3
    assert rate_at(date(2026, 10, 1), personas.org.other_area) == 2


def test_a_rep_sees_the_standards_that_apply_to_him_only(personas, shop, client_for):
    f.make_standard(personas.org.office, shop.line, personas.finance, rate="3.0000")
    f.make_standard(personas.org.sibling_office, shop.line, personas.finance, rate="9.0000")
    rates = {row["rate"] for row in client_for(personas.rep).get(URL).data["results"]}
    assert rates == {"2.0000", "3.0000"}


def test_a_standard_is_ended_not_rewritten(personas, shop, client_for):
    client = client_for(personas.finance)
    url = f"{URL}{shop.standard.pk}/end/"
    assert client.post(url, {"valid_until": "2026-12"}, format="json").data[
        "valid_until"] == "2026-12"
    assert client.patch(f"{URL}{shop.standard.pk}/", {"rate": "9"},
                        format="json").status_code == 405


def test_product_lines_are_listed_per_company_and_added_by_finance(personas, shop,
                                                                 client_for):
    url = "/api/expenses/product-lines/"
    assert [row["code"] for row in client_for(personas.rep).get(url).data] == ["YC"]
    assert client_for(personas.rep).post(url, {"code": "BJ", "name": "白酒"},
                                         format="json").status_code == 403
    added = client_for(personas.finance).post(url, {"code": "BJ", "name": "白酒"},
                                              format="json")
    assert added.status_code == 201 and added.data["company"] == personas.org.company.pk
    again = client_for(personas.finance).post(url, {"code": "BJ", "name": "白酒"},
                                              format="json")
    assert again.status_code == 400
