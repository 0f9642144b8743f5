"""Grading correctness against small hand-checked tables, one per method, with ties,
zero rows, empty scopes and windows without data."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import JobRun
from grading import services
from grading.models import GradeHistory, RetailerGrade
from kehu.models import MonthlyFact, Retailer
from tests.grading.factories import DAY, grades, policy, shop

pytestmark = pytest.mark.django_db


def run(p, day=DAY):
    return services.grading_run_policy(policy=p, business_date=day)


def test_pareto_grades_by_cumulative_share_the_crossing_retailer_stays_in_the_higher_grade(
        personas):
    area = personas.org.area
    # Total 1000. Ahead-of shares: 0, 50, 70, 85, 93, 97, 99, 100(zero).
    shops = [shop(area, amounts=[v]) for v in (500, 200, 150, 80, 40, 20, 10)]
    zero = shop(area, amounts=[])
    p = policy(personas.org.company)
    job = run(p)
    # A while ahead < 75 %: 500 (0), 200 (50), 150 (70); B while ahead < 95 %: 80 (85),
    # 40 (93); C: 20 (97), 10 (99), and the retailer without purchases.
    assert grades(*shops, zero) == ["A", "A", "A", "B", "B", "C", "C", "C"]
    basis = RetailerGrade.objects.get(retailer=shops[2])
    assert (basis.value, basis.cumulative_share, basis.rank, basis.population) == (
        Decimal("150"), Decimal("85"), 3, 8)
    assert job.status == JobRun.Status.SUCCEEDED
    assert job.counts["grades"] == {"A": 3, "B": 2, "C": 3}
    assert job.counts["moves"] == 8 and job.counts["history"] == 8
    assert job.counts["moves_by"] == {"->A": 3, "->B": 2, "->C": 3}


def test_pareto_ties_at_a_threshold_share_the_higher_grade(personas):
    area = personas.org.area
    # Total 400: 100 ahead share 0; the three 80s are all 25 % ahead; 60 is at 85 %.
    top, *tied = [shop(area, amounts=[v]) for v in (100, 80, 80, 80)]
    last = shop(area, amounts=[60])
    run(policy(personas.org.company, share_a=Decimal(30), share_b=Decimal(60),
               share_c=Decimal(10)))
    # The tie group straddles 30 % (25 % → 85 % inclusive): all A, whatever the row order.
    assert grades(top, *tied, last) == ["A", "A", "A", "A", "B"]
    ranks = set(RetailerGrade.objects.filter(retailer__in=tied).values_list("rank", flat=True))
    assert ranks == {2}


def test_rank_shares_top_twenty_next_forty_last_forty(personas):
    area = personas.org.area
    shops = [shop(area, amounts=[v]) for v in (100, 90, 80, 70, 60, 50, 40, 30, 20, 10)]
    run(policy(personas.org.company, method="rank"))
    assert grades(*shops) == ["A", "A", "B", "B", "B", "B", "C", "C", "C", "C"]
    shares = list(RetailerGrade.objects.filter(retailer__in=shops).order_by("rank")
                  .values_list("cumulative_share", flat=True))
    assert shares == [Decimal(v) for v in range(0, 100, 10)]


def test_rank_shares_ties_take_the_higher_grade_and_zero_is_always_c(personas):
    area = personas.org.area
    # Ranks: 100→1, 90→2, 90→2, 50→4, zero→5. A while (rank-1)/5 < 20 %: rank 1 only;
    # B while < 60 %: ranks 2, 2 (20 %) and 4 (60 % is not below: C); zero: C.
    shops = [shop(area, amounts=[v]) for v in (100, 90, 90, 50)]
    zero = shop(area, amounts=[0])
    run(policy(personas.org.company, method="rank"))
    assert grades(*shops, zero) == ["A", "B", "B", "C", "C"]


def test_rank_shares_with_few_retailers_all_zero_but_one(personas):
    area = personas.org.area
    only = shop(area, amounts=[5])
    zeros = [shop(area, amounts=[0, 0]) for _ in range(3)]
    run(policy(personas.org.company, method="rank", share_a=Decimal(50), share_b=Decimal(50),
               share_c=Decimal(0)))
    # A and B would cover everyone by rank, but retailers without purchases are C.
    assert grades(only, *zeros) == ["A", "C", "C", "C"]


def test_weighted_mix_of_purchase_frequency_and_amount(personas):
    area = personas.org.area
    # Window 4 months; weight of frequency 50 %. Score = 50 × months/4 + 50 × value/max.
    steady = shop(area, amounts=[100, 100, 100, 100])  # 50 + 50 × 400/1000 = 70
    big_once = shop(area, amounts=[1000])  # 12.5 + 50 = 62.5
    small = shop(area, amounts=[50, 50])  # 25 + 5 = 30
    tiny = shop(area, amounts=[10])  # 12.5 + 0.5 = 13
    none = shop(area, amounts=[])  # 0
    run(policy(personas.org.company, method="weighted", window_months=4,
               frequency_weight=Decimal(50)))
    # Rank shares 20/40/40 on 5 retailers: A = rank 1, B = ranks 2–3, C = the rest.
    assert grades(steady, big_once, small, tiny, none) == ["A", "B", "B", "C", "C"]
    assert RetailerGrade.objects.get(retailer=big_once).value == Decimal("62.5")
    assert RetailerGrade.objects.get(retailer=steady).active_months == 4


def test_the_window_is_the_complete_months_before_the_run(personas):
    area = personas.org.area
    old = shop(area, amounts=[1000], months=[date(2025, 10, 1)])  # 13 months back: outside
    current = shop(area, amounts=[1000], months=[date(2026, 11, 1)])  # this month: outside
    inside = shop(area, amounts=[10], months=[date(2025, 11, 1)])  # 12 months back: inside
    run(policy(personas.org.company, method="rank", share_a=Decimal(40), share_b=Decimal(30),
               share_c=Decimal(30)))
    assert grades(inside, old, current) == ["A", "C", "C"]


def test_the_measure_can_be_quantity_or_collections(personas):
    area = personas.org.area
    buys_much = shop(area, amounts=[1000], quantity=1, collected=0)
    pays_much = shop(area, amounts=[10], quantity=5, collected=500)
    p = policy(personas.org.company, method="rank", measure="collected_amount",
               share_a=Decimal(50), share_b=Decimal(50), share_c=Decimal(0))
    run(p)
    assert grades(pays_much, buys_much) == ["A", "C"]
    services.policy_version_create(actor=None, policy=p, method="rank",
                                   measure="purchase_quantity", window_months=12,
                                   share_a=Decimal(50), share_b=Decimal(50),
                                   share_c=Decimal(0), valid_from=date(2026, 2, 1))
    run(p)
    assert grades(pays_much, buys_much) == ["A", "B"]


def test_a_window_without_data_leaves_grades_alone(personas):
    area = personas.org.area
    a = shop(area, amounts=[100])
    b = shop(area, amounts=[10])
    p = policy(personas.org.company)
    run(p)
    assert grades(a, b) == ["A", "B"]
    MonthlyFact.objects.all().delete()
    job = run(p)
    assert grades(a, b) == ["A", "B"]
    assert job.counts["no_data"] == 2 and job.counts["graded"] == 0
    assert GradeHistory.objects.count() == 2


def test_an_empty_scope_succeeds_with_zero_counts(personas):
    job = run(policy(personas.org.other_office))
    assert job.status == JobRun.Status.SUCCEEDED
    assert job.counts["retailers"] == 0 and job.counts["grades"] == {"A": 0, "B": 0, "C": 0}


def test_ranking_within_each_office(personas):
    org = personas.org
    here = [shop(org.area, amounts=[v]) for v in (100, 1)]
    there = [shop(org.sibling_area, amounts=[v]) for v in (10, 5)]
    run(policy(org.company, method="rank", rank_within="office", share_a=Decimal(50),
               share_b=Decimal(50), share_c=Decimal(0)))
    assert grades(*here, *there) == ["A", "B", "A", "B"]


def test_the_most_specific_policy_grades_a_retailer(personas):
    org = personas.org
    store = shop(org.area, amounts=[100])
    store2 = shop(org.area, amounts=[50])
    pharmacy = shop(org.area, amounts=[1], business_type=Retailer.BusinessType.PHARMACY)
    elsewhere = shop(org.other_area, amounts=[1000])
    company = policy(org.company, method="rank", share_a=Decimal(50), share_b=Decimal(50),
                     share_c=Decimal(0))
    office = policy(org.office, method="rank", share_a=Decimal(50), share_b=Decimal(50),
                    share_c=Decimal(0))
    pharmacies = policy(org.office, business_type=Retailer.BusinessType.PHARMACY,
                        method="rank", share_a=Decimal(100), share_b=Decimal(0),
                        share_c=Decimal(0))
    counts = {p.pk: run(p).counts["retailers"] for p in (company, office, pharmacies)}
    assert counts == {company.pk: 1, office.pk: 2, pharmacies.pk: 1}
    assert grades(store, store2, pharmacy, elsewhere) == ["A", "B", "A", "A"]
    assert services.governing_policy(pharmacy, DAY) == pharmacies
    assert services.governing_policy(store, DAY) == office
    assert services.governing_policy(elsewhere, DAY) == company


def test_closed_retailers_are_not_graded(personas):
    area = personas.org.area
    open_shop = shop(area, amounts=[10])
    closed = shop(area, amounts=[1000], status=Retailer.Status.CLOSED)
    job = run(policy(personas.org.company, method="rank"))
    assert grades(open_shop, closed) == ["A", ""]
    assert job.counts["retailers"] == 1


def test_the_version_in_force_on_the_business_date_is_used(personas):
    area = personas.org.area
    shops = [shop(area, amounts=[v]) for v in (100, 60, 40)]
    # Shares ahead: 0, 33.3 and 66.7 %.
    p = policy(personas.org.company, method="rank", share_a=Decimal(30), share_b=Decimal(30),
               share_c=Decimal(40))
    later = services.policy_version_create(
        actor=None, policy=p, method="rank", window_months=12, share_a=Decimal(70),
        share_b=Decimal(30), share_c=Decimal(0), valid_from=date(2026, 12, 1))
    job = run(p)
    assert grades(*shops) == ["A", "B", "C"] and job.counts["version_number"] == 1
    job = run(p, day=date(2026, 12, 2))
    assert grades(*shops) == ["A", "A", "A"] and job.counts["version"] == later.pk
