"""The retailer list and card cost a fixed number of SQL queries, however many rows.

Each case is measured on a small set, then again after many more rows (and key persons)
exist; the counts must be equal and within the budget.
"""

import pytest
from django.db import connection

from kehu.models import KeyPerson, Retailer
from tests.factories import make_retailer

LIST_URL = "/api/kehu/retailers/"
# session, user, the user's memberships (scoping), the page of rows
LIST_BUDGET = 4
# session, user, memberships, the card with area and rep, its key persons, and (for a
# reader who is not the rep but sees personal data) one INSERT into the read log
DETAIL_BUDGET = 6

SEARCHES = [
    {},
    {"q": "hlcs"},
    {"q": "华联"},
    {"q": "R00"},
    {"grade": ["A", "B"], "business_type": "supermarket", "status": "active"},
    {"q": "hl", "trade_area": "residential", "relationship_level": 2, "page_size": 100},
]
NAMES = ["华联超市", "苏果便利", "老王烟酒店", "百姓大药房", "好又多"]


def add_retailers(personas, count: int, *, persons: int = 1) -> None:
    """`count` retailers for the rep and as many for their area neighbour, in the
    regional manager's region, every one matching every search above."""
    for number in range(count):
        for rep in (personas.rep, personas.rep2):
            retailer = make_retailer(
                personas.org.area, rep, name=f"华联超市{NAMES[number % 5]}{number}",
                grade="AB"[number % 2], business_type="supermarket",
                trade_area="residential", relationship_level=2,
            )
            KeyPerson.objects.bulk_create(
                KeyPerson(retailer=retailer, role="owner", name="王伟",
                          phone=f"1390000{number:04d}")
                for _ in range(persons))


def user_for(personas, who: str):
    return {"rep": personas.rep, "regional_manager": personas.regional_manager}[who]


@pytest.mark.parametrize("who", ["rep", "regional_manager"])
@pytest.mark.parametrize("params", SEARCHES, ids=lambda p: "&".join(p) or "plain")
def test_the_list_costs_the_same_queries_for_two_rows_and_for_a_full_page(
        personas, client_for, django_assert_max_num_queries, who, params):
    client = client_for(user_for(personas, who))
    add_retailers(personas, 1)

    with django_assert_max_num_queries(LIST_BUDGET) as small:
        few = client.get(LIST_URL, params)
    add_retailers(personas, 110)
    with django_assert_max_num_queries(LIST_BUDGET) as large:
        many = client.get(LIST_URL, params)

    assert few.status_code == many.status_code == 200
    assert len(few.data["results"]) in (1, 2)
    assert len(many.data["results"]) == params.get("page_size", 50)
    assert len(small) == len(large)


@pytest.mark.parametrize("who", ["rep", "regional_manager"])
def test_the_next_page_costs_what_the_first_one_did(
        personas, client_for, django_assert_max_num_queries, who):
    client = client_for(user_for(personas, who))
    add_retailers(personas, 120)
    first = client.get(LIST_URL, {"q": "hlcs"})

    with django_assert_max_num_queries(LIST_BUDGET) as captured:
        second = client.get(first.data["next"])

    assert second.status_code == 200 and len(second.data["results"]) == 50
    assert not {r["id"] for r in first.data["results"]} & {r["id"] for r in second.data["results"]}
    assert len(captured) <= LIST_BUDGET


def test_the_page_is_one_select_without_count(personas, client_for,
                                              django_assert_max_num_queries):
    add_retailers(personas, 60)
    client = client_for(personas.regional_manager)

    with django_assert_max_num_queries(LIST_BUDGET) as captured:
        client.get(LIST_URL, {"q": "hlcs"})

    rows = [q["sql"] for q in captured if connection.ops.quote_name("kehu_retailer") in q["sql"]]
    assert len(rows) == 1
    assert "COUNT(" not in rows[0].upper()


@pytest.mark.parametrize("who", ["rep", "manager", "regional_manager"])
def test_the_card_costs_the_same_queries_for_one_key_person_and_for_many(
        personas, client_for, django_assert_max_num_queries, who):
    user = {"rep": personas.rep, "manager": personas.manager,
            "regional_manager": personas.regional_manager}[who]
    client = client_for(user)
    one = make_retailer(personas.org.area, personas.rep, name="华联超市")
    many = make_retailer(personas.org.area, personas.rep, name="苏果便利")
    KeyPerson.objects.create(retailer=one, role="owner", name="王伟", phone="13900001111")
    KeyPerson.objects.bulk_create(
        KeyPerson(retailer=many, role=role, name=f"李{n}", phone=f"1390000{n:04d}",
                  family="女儿读初二")
        for n, role in enumerate(["owner", "purchaser", "store_manager", "finance"] * 3))

    with django_assert_max_num_queries(DETAIL_BUDGET) as small:
        first = client.get(f"{LIST_URL}{one.pk}/")
    with django_assert_max_num_queries(DETAIL_BUDGET) as large:
        second = client.get(f"{LIST_URL}{many.pk}/")

    assert first.status_code == second.status_code == 200
    assert len(first.data["key_persons"]) == 1 and len(second.data["key_persons"]) == 12
    assert len(small) == len(large)
    assert Retailer.objects.count() == 2
