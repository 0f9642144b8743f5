"""`manage.py demo` grows retailers: counts, idempotence, key persons, facts, levels, scope."""

import re
from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.demo import STEPS
from accounts.models import Membership, OrgNode, Role, User
from kehu import demo as kehu_demo
from kehu.models import (
    KeyPerson,
    MonthlyFact,
    RelationshipCriterion,
    RelationshipTick,
    Retailer,
    RetailerAssignment,
)
from kehu.pinyin import search_keys
from kehu.services import level_from_ticks
from kehu.validation import normalise_phone

PER_REP = 4  # the real demo has 75; a few per rep keep the tests fast
AREAS, REPS_PER_AREA = 8, 5
TOTAL = AREAS * REPS_PER_AREA * PER_REP

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def few_retailers(monkeypatch):
    monkeypatch.setattr(kehu_demo, "RETAILERS_PER_REP", PER_REP)


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in (
        Retailer, KeyPerson, MonthlyFact, RelationshipTick, RetailerAssignment)}


def test_the_kehu_step_is_discovered_once_however_often_the_demo_runs():
    run_demo()
    run_demo()

    assert [step.__name__ for step in STEPS].count("build_retailers") == 1


def test_demo_gives_every_rep_of_every_area_the_same_share_of_retailers():
    output = run_demo()

    assert Retailer.objects.count() == TOTAL
    assert f"retailers: {TOTAL} created" in output
    reps = User.objects.filter(memberships__role=Role.REP)
    assert reps.count() == AREAS * REPS_PER_AREA
    per_rep = Counter(Retailer.objects.values_list("assigned_rep_id", flat=True))
    assert per_rep == {rep.pk: PER_REP for rep in reps}
    per_area = Counter(Retailer.objects.values_list("area__code", flat=True))
    assert set(per_area) == set(kehu_demo.AREAS)
    # kehu leaves the grade empty; the grading step's nightly run grades every open shop.
    open_shops = Retailer.objects.exclude(status=Retailer.Status.CLOSED)
    assert set(open_shops.values_list("grade", flat=True)) <= {"A", "B", "C"}


def test_running_demo_twice_creates_no_retailer_person_fact_or_tick_twice():
    run_demo()
    first = counts()
    names = dict(Retailer.objects.values_list("code", "name"))

    output = run_demo()

    assert counts() == first
    assert dict(Retailer.objects.values_list("code", "name")) == names
    assert f"retailers: 0 created, {TOTAL} already there" in output


def test_a_deleted_demo_card_comes_back_alone_on_the_next_run():
    run_demo()
    # The visits step plans and visits every active card, and plans and visits PROTECT
    # their retailers (history is never deleted with a card): take a card that was never
    # planned, an inactive one.
    gone = Retailer.objects.exclude(status=Retailer.Status.ACTIVE).order_by("code").first()
    code, name, level = gone.code, gone.name, gone.relationship_level
    gone.delete()

    run_demo()

    back = Retailer.objects.get(code=code)
    assert (back.name, back.relationship_level, back.status) == (name, level, gone.status)
    assert Retailer.objects.count() == TOTAL
    assert back.facts.count() == 12


def test_every_retailer_has_an_owner_and_at_most_three_people_with_valid_unique_mobiles():
    run_demo()

    owners = KeyPerson.objects.filter(role=KeyPerson.PersonRole.OWNER)
    assert sorted(owners.values_list("retailer_id", flat=True)) == sorted(
        Retailer.objects.values_list("pk", flat=True))
    sizes = Retailer.objects.annotate(n=Count("key_persons")).values_list("n", flat=True)
    assert set(sizes) <= {1, 2, 3} and len(set(sizes)) > 1
    phones = list(KeyPerson.objects.values_list("phone", flat=True))
    assert len(set(phones)) == len(phones)
    for phone in phones:
        assert normalise_phone(phone, field="phone") == phone
        number = phonenumbers.parse(phone, "CN")
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE, phone


def test_key_persons_have_birthdays_some_lunar_and_notes_in_chinese():
    run_demo()

    lunar = KeyPerson.objects.filter(birthday_is_lunar=True)
    assert lunar.exists()
    assert not lunar.filter(lunar_month__isnull=True).exists()
    assert not lunar.filter(lunar_day__isnull=True).exists()
    assert KeyPerson.objects.filter(birthday_is_lunar=False, birthday__isnull=False).exists()
    for owner in KeyPerson.objects.filter(role=KeyPerson.PersonRole.OWNER):
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}", owner.name)
        assert re.search(r"[\u4e00-\u9fff]", owner.family + owner.interests)


def test_cards_look_like_real_shops_near_their_city():
    run_demo()

    centres = {code: geo.centre for code, geo in kehu_demo.AREAS.items()}
    licences = list(Retailer.objects.values_list("licence_no", flat=True))
    assert len(set(licences)) == len(licences)
    for retailer in Retailer.objects.select_related("area"):
        geo = kehu_demo.AREAS[retailer.area.code]
        assert re.fullmatch(rf"{geo.division}\d{{6}}", retailer.licence_no)
        assert retailer.address.startswith(geo.city + geo.district)
        assert re.search(r"[\u4e00-\u9fff]{2}", retailer.name)
        lat, lng = centres[retailer.area.code]
        assert abs(float(retailer.latitude) - lat) < 0.03  # 3 km scatter at most
        assert abs(float(retailer.longitude) - lng) < 0.04
        assert retailer.search_keys == search_keys(retailer.name)
        assert retailer.credit_limit > 0
    assert Retailer.objects.filter(status=Retailer.Status.ACTIVE).count() > TOTAL * 0.8
    assert len(set(Retailer.objects.values_list("business_type", flat=True))) >= 5


def test_cards_people_and_ticks_start_with_one_history_row_and_an_assignment():
    run_demo()

    assert Retailer.history.count() == Retailer.objects.count()
    assert KeyPerson.history.count() == KeyPerson.objects.count()
    assert RelationshipTick.history.count() == RelationshipTick.objects.count()
    for retailer in Retailer.objects.all():
        assignment = retailer.assignments.get()
        assert assignment.to_rep_id == retailer.assigned_rep_id


def test_facts_cover_the_twelve_months_ending_last_month_with_a_long_tail():
    run_demo()

    months = kehu_demo.last_twelve_months(timezone.localdate())
    assert months[-1] < timezone.localdate().replace(day=1) and len(set(months)) == 12
    # The reports' demo step adds this month's purchases so far (reports.demo_reports).
    this_month = timezone.localdate().replace(day=1)
    closed = MonthlyFact.objects.exclude(month=this_month)
    per_retailer = closed.values("retailer").annotate(n=Count("id"))
    assert {row["n"] for row in per_retailer} == {12}
    assert set(closed.values_list("month", flat=True)) == set(months)
    facts = list(closed)
    bought = [f for f in facts if f.purchase_amount > 0]
    assert sum(f.collected_amount <= f.purchase_amount for f in bought) > 0.8 * len(bought)
    assert all(60 <= f.order_success_rate <= 100 for f in bought)
    assert all(0 <= f.e_settlement_rate <= 100 for f in facts)
    totals = sorted((sum(f.purchase_amount for f in facts if f.retailer_id == pk)
                     for pk in {f.retailer_id for f in facts}), reverse=True)
    top_fifth = sum(totals[: len(totals) // 5])
    assert top_fifth > sum(totals) * Decimal("0.4")  # a few big shops, many small ones


def test_levels_are_what_the_confirmed_ticks_give_and_vary():
    run_demo()

    confirmed: dict[int, set[int]] = {}
    for retailer_id, criterion_id in RelationshipTick.objects.filter(
            status=RelationshipTick.Status.CONFIRMED).values_list("retailer_id", "criterion_id"):
        confirmed.setdefault(retailer_id, set()).add(criterion_id)
    for retailer in Retailer.objects.all():
        assert retailer.relationship_level == level_from_ticks(confirmed.get(retailer.pk, set()))
    assert set(Retailer.objects.values_list("relationship_level", flat=True)) >= {0, 1, 2}
    assert RelationshipTick.objects.filter(status=RelationshipTick.Status.PENDING).exists()
    rejected = RelationshipTick.objects.filter(status=RelationshipTick.Status.REJECTED)
    assert not rejected.filter(review_note="").exists()
    assert RelationshipCriterion.objects.count() == 17


def test_ticks_come_from_the_assigned_rep_and_are_reviewed_by_their_office_manager():
    run_demo()

    reviewed = RelationshipTick.objects.exclude(status=RelationshipTick.Status.PENDING)
    assert reviewed.exists()
    assert not RelationshipTick.objects.filter(
        status=RelationshipTick.Status.PENDING, reviewed_by__isnull=False).exists()
    for tick in reviewed.select_related("retailer__area", "reviewed_by"):
        assert tick.ticked_by_id == tick.retailer.assigned_rep_id
        office = OrgNode.objects.get_parent(tick.retailer.area)
        assert Membership.objects.filter(user=tick.reviewed_by, node=office,
                                         role=Role.OFFICE_MANAGER).exists()


def test_every_rep_sees_exactly_their_own_retailers_and_managers_their_offices():
    run_demo()

    for rep in User.objects.filter(memberships__role=Role.REP):
        mine = Retailer.objects.filter(assigned_rep=rep).count()
        assert Retailer.objects.for_user(rep).count() == mine == PER_REP
    for membership in Membership.objects.filter(role=Role.OFFICE_MANAGER).select_related("node"):
        under = Retailer.objects.filter(area__path__startswith=membership.node.path).count()
        assert Retailer.objects.for_user(membership.user).count() == under == TOTAL // 4
    company_admin = User.objects.get(username="admin")
    assert Retailer.objects.for_user(company_admin).count() == TOTAL


def test_the_same_seed_draws_the_same_shops():
    run_demo()
    area = OrgNode.objects.get(code="DEMO-HZ-XH")
    reps = list(User.objects.filter(memberships__node=area).order_by("username"))

    def draw() -> list[tuple]:
        builder = kehu_demo.AreaBuilder(
            seed=7, area=area, geo=kehu_demo.AREAS[area.code], area_no=5, reps=reps,
            manager=None, criteria={}, months=[date(2026, 1, 1)])
        return [(r.code, r.name, r.licence_no, r.latitude, r.longitude)
                for r in (builder.retailer(n, reps[0]) for n in range(1, 30))]

    assert draw() == draw()
