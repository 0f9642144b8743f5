"""The payable amount of claim lines, against cases computed by hand."""

from datetime import date
from decimal import Decimal as D

from django.utils import translation

from expenses.payable import Facts, Line, PreApprovalState, Standard, compute

PER_UNIT = Standard(basis="per_unit", rate=D("2.0000"), collection_rule="collection_rate")
SHARE = Standard(basis="share", rate=D("1.5000"), collection_rule="collection_rate")
FULL = Standard(basis="per_unit", rate=D("2.0000"), collection_rule="full_collection")
SEPT = Facts(purchase_amount=D("10000.00"), purchase_quantity=D("50.00"),
             collected_amount=D("8000.00"))


def line(pk, amount, day=10, retailer=1, product_line=7, **extra):
    return Line(id=pk, retailer_id=retailer, category=extra.pop("category", "gift"),
                amount=D(amount), spent_on=date(2026, 9, day), product_line_id=product_line,
                **extra)


def run(lines, facts=None, standard=PER_UNIT, approvals=None):
    return compute(lines, facts={1: SEPT} if facts is None else facts,
                   standard_for=lambda retailer, product_line: standard,
                   pre_approvals=approvals or {})


def test_per_unit_allowance_caps_the_line_then_the_collection_rate_applies():
    # allowance 50 units × 2.00 = 100.00; the 150.00 line counts 100.00;
    # collected 8000 / 10000 = 80 %; 100.00 × 80 % = 80.00
    result = run([line(1, "150.00")])[1]
    assert result.payable == D("80.00")
    values = {step["name"]: step["value"] for step in result.steps}
    assert values == {"claimed": "150.00", "facts": "", "allowance": "100.00",
                      "within_allowance": "100.00", "collection_rate": "80.00%",
                      "rule": "80.00", "payable": "80.00"}


def test_share_of_sales_allowance():
    # allowance 10000.00 × 1.5 % = 150.00; the 120.00 line fits; 120.00 × 80 % = 96.00
    assert run([line(1, "120.00")], standard=SHARE)[1].payable == D("96.00")


def test_full_collection_rule_pays_nothing_until_the_month_is_collected():
    assert run([line(1, "90.00")], standard=FULL)[1].payable == D("0.00")
    collected = Facts(D("10000.00"), D("50.00"), D("10000.00"))
    # fully collected: the 90.00 line fits the 100.00 allowance and is paid in full
    assert run([line(1, "90.00")], facts={1: collected}, standard=FULL)[1].payable == D("90.00")


def test_lines_of_one_retailer_share_the_allowance_in_the_order_they_were_spent():
    # allowance 100.00: the 5 September line (id 9) takes 60.00 → 60 × 80 % = 48.00;
    # the 10 September line (id 2) gets the 40.00 left → 40 × 80 % = 32.00
    results = run([line(2, "70.00", day=10), line(9, "60.00", day=5)])
    assert (results[9].payable, results[2].payable) == (D("48.00"), D("32.00"))


def test_another_product_line_or_retailer_has_its_own_allowance():
    facts = {1: SEPT, 2: SEPT}
    results = run([line(1, "100.00"), line(2, "100.00", product_line=8),
                   line(3, "100.00", retailer=2)], facts=facts)
    assert [results[pk].payable for pk in (1, 2, 3)] == [D("80.00")] * 3


def test_amounts_are_rounded_half_up_to_the_fen_once():
    # collected 1000 / 3000 = 1/3; 100.00 × 1/3 = 33.333… → 33.33
    third = Facts(D("3000.00"), D("50.00"), D("1000.00"))
    assert run([line(1, "100.00")], facts={1: third})[1].payable == D("33.33")
    # collected 100 / 200 = 50 %; 0.05 × 50 % = 0.025 → 0.03
    half = Facts(D("200.00"), D("50.00"), D("100.00"))
    assert run([line(1, "0.05")], facts={1: half})[1].payable == D("0.03")


def test_collections_above_purchases_count_as_one_hundred_percent():
    over = Facts(D("10000.00"), D("50.00"), D("12000.00"))
    assert run([line(1, "100.00")], facts={1: over})[1].payable == D("100.00")


def test_without_facts_or_without_a_standard_nothing_is_payable():
    with translation.override("en"):
        no_facts = run([line(1, "50.00")], facts={})[1]
    assert no_facts.payable == D("0.00")
    assert "no business facts" in no_facts.steps[1]["formula"]
    no_standard = run([line(1, "50.00")], standard=None)[1]
    assert no_standard.payable == D("0.00")
    assert [s["name"] for s in no_standard.steps] == ["claimed", "facts", "standard", "payable"]


def test_new_customer_lines_are_paid_within_the_approved_amount():
    # approved 500.00, 300.00 used in earlier months: 250.00 → 200.00, then 50.00 → 0.00
    approvals = {5: PreApprovalState(approved=True, amount=D("500.00"),
                                     used_before=D("300.00"))}
    results = run([line(1, "250.00", day=3, category="new_customer", pre_approval_id=5,
                        product_line=None),
                   line(2, "50.00", day=4, category="new_customer", pre_approval_id=5,
                        product_line=None)], approvals=approvals)
    assert (results[1].payable, results[2].payable) == (D("200.00"), D("0.00"))


def test_a_line_under_a_void_pre_approval_is_not_payable():
    approvals = {5: PreApprovalState(approved=False, amount=D("500.00"), status_label="Void")}
    result = run([line(1, "100.00", category="new_customer", pre_approval_id=5,
                       product_line=None)], approvals=approvals)[1]
    assert result.payable == D("0.00") and "Void" in result.steps[1]["formula"]
