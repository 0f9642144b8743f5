"""The three relationship indicators on a hand-computed retailer (grading.indicators)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from grading import indicators
from grading.models import RetailerScorecard
from grading.scorecards import retailer_money_refresh, retailer_scorecards_compute
from kehu.models import KeyPerson, RelationshipCriterion, RelationshipTick
from tests.expenses import factories as expense_factories
from tests.factories import make_retailer
from tests.visits.factories import make_photo, make_problem, make_visit
from visits.models import Problem, StockLine, Visit

AS_OF = date(2026, 10, 20)  # 28 days back: from 09-23; 90 days back: from 07-23
OCTOBER = date(2026, 10, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def solved(retailer, rep, when: datetime):
    problem = make_problem(retailer, rep, due=when.date(), status=Problem.Status.SOLVED)
    Problem.objects.filter(pk=problem.pk).update(solved_at=when, solved_by=rep)


@pytest.fixture
def shop(personas):
    rep = personas.rep
    shop = make_retailer(personas.org.area, rep, name="甲便利店", grade="A",
                         relationship_level=2)
    KeyPerson.objects.create(retailer=shop, role="owner", name="老板", phone="13800138000",
                             birthday_is_lunar=True, lunar_month=8, lunar_day=15,
                             family="妻子，一个儿子")
    KeyPerson.objects.create(retailer=shop, role="purchaser", name="采购", interests="钓鱼")
    KeyPerson.objects.create(retailer=shop, role="other", name="已删除", notes="常去茶馆",
                             erased_at=timezone.now())
    for day in (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 2)):
        make_visit(rep, shop, day, kind=Visit.Kind.CARE_CALL)
    make_visit(rep, shop, date(2026, 7, 1), kind=Visit.Kind.CARE_CALL)  # too old
    make_visit(rep, shop, date(2026, 9, 1), competitor_info="对手降价")  # 90 days only
    make_visit(rep, shop, date(2026, 10, 1), competitor_info="对手促销")
    last = make_visit(rep, shop, date(2026, 10, 15), competitor_info="对手送礼",
                      consumer_feedback="顾客说口感好")
    make_visit(rep, shop, date(2026, 10, 21), retailer_requests="after the day scored")
    StockLine.objects.create(visit=last, product_name="中华", on_hand=12)
    make_photo(last)  # a display photo
    zone = timezone.get_current_timezone()
    solved(shop, rep, datetime(2026, 10, 10, 15, tzinfo=zone))
    solved(shop, rep, datetime(2026, 6, 1, 15, tzinfo=zone))  # too old
    RelationshipTick.objects.create(
        retailer=shop, criterion=RelationshipCriterion.objects.get(code="l3_recommends"),
        status="confirmed", evidence="主动推荐我们的产品", ticked_by=rep)
    expense_factories.make_fact(shop, OCTOBER, purchase="1000.00", collected="800.00")
    line = expense_factories.make_product_line(shop.company)
    expense_factories.make_line(rep, shop, "50.00", date(2026, 10, 3), product_line=line)
    expense_factories.make_line(rep, shop, "25.50", date(2026, 10, 9), product_line=line)
    return shop


EXPECTED = {
    # closeness: owner 15 + phone 10 + lunar birthday 15 + family 20 + interests 15
    # + notes 0 (only on the erased person) + 3 care calls in 90 days (capped) 20 = 95
    "pc_decision_maker": 15, "pc_contact": 10, "pc_birthday": 15, "pc_family": 20,
    "pc_interests": 15, "pc_notes": 0, "pc_care_calls": 20, "closeness": 95,
    # tightness: 2 on-site visits in 28 days 20 + 1 problem solved in 90 days 10
    # + recommended 20 + a display photo in 28 days 20 = 70
    "bt_visits": 20, "bt_problems": 10, "bt_recommends": 20, "bt_display": 20,
    "tightness": 70,
    # feedback: competitor info on 3 visits 25, consumer feedback on 1 15, stock on 1 15,
    # retailer's requests only after the day scored 0 = 55
    "if_competitor": 25, "if_consumer": 15, "if_stock": 15, "if_own_info": 0,
    "feedback": 55,
}


def test_the_indicators_of_a_hand_computed_retailer(personas, shop):
    empty = make_retailer(personas.org.area, personas.rep, name="乙超市")
    make_retailer(personas.org.area, personas.rep, name="丙店", status="closed")
    written = retailer_scorecards_compute(node=personas.org.office, as_of=AS_OF)
    assert written == 2  # the closed shop is not scored
    row = RetailerScorecard.objects.get(retailer=shop, month=OCTOBER)
    assert {field: getattr(row, field) for field in EXPECTED} == EXPECTED
    assert (row.relationship_level, row.grade, row.as_of) == (2, "A", AS_OF)
    assert (row.purchase_amount, row.collected_amount, row.expense_amount) == (
        Decimal("1000.00"), Decimal("800.00"), Decimal("75.50"))
    blank = RetailerScorecard.objects.get(retailer=empty)
    assert (blank.closeness, blank.tightness, blank.feedback) == (0, 0, 0)


def test_rerunning_replaces_the_months_row(personas, shop):
    retailer_scorecards_compute(node=personas.org.office, as_of=AS_OF)
    KeyPerson.objects.filter(retailer=shop, role="purchaser").update(notes="周末在老家")
    retailer_scorecards_compute(node=personas.org.office, as_of=date(2026, 10, 21))
    row = RetailerScorecard.objects.get(retailer=shop)
    assert RetailerScorecard.objects.filter(retailer=shop).count() == 1
    assert row.pc_notes == 5 and row.as_of == date(2026, 10, 21)
    assert row.if_own_info == 15  # the visit of the 21st is now inside the window


def test_another_office_is_not_scored(personas, shop):
    retailer_scorecards_compute(node=personas.org.sibling_office, as_of=AS_OF)
    assert not RetailerScorecard.objects.exists()


def test_an_earlier_months_money_is_refreshed_and_its_indicators_kept(personas, shop):
    retailer_scorecards_compute(node=personas.org.office, as_of=AS_OF)
    from kehu.models import MonthlyFact

    MonthlyFact.objects.filter(retailer=shop, month=OCTOBER).update(
        collected_amount=Decimal("1000.00"))
    assert retailer_money_refresh(node=personas.org.office, month=OCTOBER) == 1
    row = RetailerScorecard.objects.get(retailer=shop)
    assert row.collected_amount == Decimal("1000.00") and row.closeness == 95


def test_the_breakdown_names_every_part_with_its_rule(personas, shop):
    retailer_scorecards_compute(node=personas.org.office, as_of=AS_OF)
    row = RetailerScorecard.objects.get(retailer=shop)
    groups = indicators.breakdown(row)
    assert [g["indicator"] for g in groups] == ["closeness", "tightness", "feedback"]
    for group in groups:
        assert sum(p["points"] for p in group["parts"]) == group["score"]
        assert sum(p["max"] for p in group["parts"]) == 100
        assert all(p["rule"] for p in group["parts"])
