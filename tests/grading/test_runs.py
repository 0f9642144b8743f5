"""Grading runs: idempotent reruns, overrides kept until they expire or are lifted, a failed
run and its rerun, validation of policies."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import AuditEvent, JobRun
from accounts.services import housekeeping_run, job_run_start
from grading import engine, services
from grading.models import GRADING_JOB, GradeHistory, GradeOverride, RetailerGrade
from tests.grading.factories import DAY, grades, policy, shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(personas):
    """Four shops graded A, A, B, C by the company's Pareto policy."""
    area = personas.org.area
    shops = [shop(area, personas.rep, amounts=[v]) for v in (500, 300, 150, 50)]
    return policy(personas.org.company, personas.regional_manager), shops


def test_a_rerun_gives_the_same_grades_and_no_duplicate_history(four):
    p, shops = four
    first = services.grading_run_policy(policy=p, business_date=DAY)
    assert grades(*shops) == ["A", "A", "B", "C"]
    assert GradeHistory.objects.count() == 4
    before = list(RetailerGrade.objects.order_by("pk").values())
    second = services.grading_run_policy(policy=p, business_date=DAY)
    assert grades(*shops) == ["A", "A", "B", "C"]
    assert GradeHistory.objects.count() == 4
    assert list(RetailerGrade.objects.order_by("pk").values()) == before
    assert second.counts["grades"] == first.counts["grades"]
    assert (second.counts["moves"], second.counts["history"], second.counts["basis_written"],
            second.counts["retailers_updated"]) == (0, 0, 0, 0)


def test_history_keeps_the_basis_of_each_change(four):
    p, shops = four
    run = services.grading_run_policy(policy=p, business_date=DAY)
    change = GradeHistory.objects.get(retailer=shops[2])
    assert (change.old_grade, change.new_grade, change.source) == ("", "B", "nightly")
    assert (change.value, change.cumulative_share, change.rank, change.population) == (
        Decimal("150"), Decimal("95"), 3, 4)
    assert change.policy_version == p.versions.get() and change.run_id == run.pk
    assert change.business_date == DAY


def test_a_grade_moves_when_the_facts_change(four, personas):
    p, shops = four
    services.grading_run_policy(policy=p, business_date=DAY)
    shop(personas.org.area, amounts=[2000])
    run = services.grading_run_policy(policy=p, business_date=DAY)
    # Total 3000: 2000 (0) A; 500 (66.7) A; 300 (83.3) B; 150 (93.3) B; 50 (98.3) C.
    assert grades(*shops) == ["A", "B", "B", "C"]
    assert run.counts["moves_by"] == {"->A": 1, "A>B": 1}
    assert GradeHistory.objects.filter(retailer=shops[1]).latest("id").old_grade == "A"
    assert run.counts["moves"] == 2


def test_an_override_survives_the_nightly_run_until_it_expires(four, personas,
                                                               business_day):
    p, shops = four
    services.grading_run_policy(policy=p, business_date=DAY)
    c_shop = shops[3]
    override = services.override_set(actor=personas.manager, retailer=c_shop, grade="A",
                                      reason="战略客户", expires_on=DAY + timedelta(days=10))
    assert grades(c_shop) == ["A"]
    change = GradeHistory.objects.filter(retailer=c_shop).latest("id")
    assert (change.old_grade, change.new_grade, change.computed_grade, change.source) == (
        "C", "A", "C", "override")
    run = services.grading_run_policy(policy=p, business_date=DAY + timedelta(days=10))
    assert grades(c_shop) == ["A"] and run.counts["overridden"] == 1
    assert RetailerGrade.objects.get(retailer=c_shop).computed_grade == "C"
    assert GradeHistory.objects.filter(retailer=c_shop).count() == 2
    run = services.grading_run_policy(policy=p, business_date=DAY + timedelta(days=11))
    assert grades(c_shop) == ["C"] and run.counts["overrides_expired"] == 1
    override.refresh_from_db()
    assert override.end_reason == "expired" and override.ended_by_run_id == run.pk
    expired = AuditEvent.objects.get(object_type="grading.gradeoverride",
                                     object_id=str(override.pk), action="expire")
    assert expired.from_state == "A" and expired.node == personas.org.area
    back = GradeHistory.objects.filter(retailer=c_shop).latest("id")
    assert (back.old_grade, back.new_grade, back.source, back.run_id) == ("A", "C", "nightly",
                                                                          run.pk)


def test_lifting_an_override_returns_to_the_computed_grade_and_is_audited(four, personas):
    p, shops = four
    services.grading_run_policy(policy=p, business_date=DAY)
    override = services.override_set(actor=personas.manager, retailer=shops[0], grade="C",
                                      reason="长期拖欠货款")
    services.grading_run_policy(policy=p, business_date=DAY)
    assert grades(shops[0]) == ["C"]
    services.override_lift(actor=personas.regional_manager, override=override, note="已结清")
    assert grades(shops[0]) == ["A"]
    actions = list(AuditEvent.objects.filter(object_type="grading.gradeoverride",
                                             object_id=str(override.pk))
                   .order_by("id").values_list("action", "actor__username"))
    assert actions == [("override", "manager"), ("lifted", "regional")]
    with pytest.raises(ValidationError) as exc:
        services.override_lift(actor=personas.manager, override=override)
    assert "non_field_errors" in exc.value.message_dict


def test_a_new_override_replaces_the_one_in_effect(four, personas):
    _p, shops = four
    first = services.override_set(actor=personas.manager, retailer=shops[1], grade="B",
                                  reason="一")
    second = services.override_set(actor=personas.manager, retailer=shops[1], grade="C",
                                   reason="二")
    first.refresh_from_db()
    assert first.end_reason == "replaced" and second.ended_at is None
    assert GradeOverride.objects.filter(retailer=shops[1], ended_at__isnull=True).count() == 1


def test_an_override_needs_a_reason_a_grade_and_a_last_day_not_in_the_past(four, personas):
    _p, shops = four
    with pytest.raises(ValidationError) as exc:
        services.override_set(actor=personas.manager, retailer=shops[0], grade="D",
                              reason=" ", expires_on=DAY - timedelta(days=1))
    assert set(exc.value.message_dict) == {"grade", "reason", "expires_on"}


def test_a_failed_run_is_recorded_and_leaves_nothing_half_done(four, monkeypatch):
    p, shops = four
    monkeypatch.setattr(engine, "RETAILERS", "UPDATE no_such_table SET x = 1")
    with pytest.raises(Exception):  # noqa: B017 - the database's error, whatever its class
        services.grading_run_policy(policy=p, business_date=DAY)
    failed = JobRun.objects.get(name=GRADING_JOB)
    assert failed.status == JobRun.Status.FAILED and "no_such_table" in failed.error
    assert failed.finished_at is not None
    # The history written before the failing statement was rolled back with it.
    assert GradeHistory.objects.count() == 0 and grades(*shops) == ["", "", "", ""]


def test_a_rerun_after_a_failed_run_completes_with_the_same_result(four, monkeypatch):
    p, shops = four
    with monkeypatch.context() as patch:
        patch.setattr(engine, "BASIS_INSERT", "INSERT INTO no_such_table VALUES (1)")
        with pytest.raises(Exception):  # noqa: B017
            services.grading_run_policy(policy=p, business_date=DAY)
    rerun = services.grading_run_policy(policy=p, business_date=DAY)
    assert rerun.status == JobRun.Status.SUCCEEDED
    assert grades(*shops) == ["A", "A", "B", "C"]
    assert GradeHistory.objects.count() == 4 and RetailerGrade.objects.count() == 4


def test_a_run_left_running_by_a_dead_worker_is_failed_by_the_next_run(four):
    p, shops = four
    dead = job_run_start(name=GRADING_JOB, scope=p.scope, business_date=DAY)
    dead.counts = {"policy": p.pk}
    dead.save()
    run = services.grading_run_policy(policy=p, business_date=DAY)
    dead.refresh_from_db()
    if connection.vendor == "postgresql":
        assert dead.status == JobRun.Status.FAILED and "worker lost" in dead.error
    assert run.status == JobRun.Status.SUCCEEDED


def test_housekeeping_fails_a_grading_run_stuck_past_the_time_limit(four, settings):
    p, _shops = four
    stuck = job_run_start(name=GRADING_JOB, scope=p.scope, business_date=DAY)
    JobRun.objects.filter(pk=stuck.pk).update(
        started_at=stuck.started_at - settings.JOB_RUN_STALE_AFTER - timedelta(minutes=1))
    assert housekeeping_run()["stale_runs_failed"] == 1
    stuck.refresh_from_db()
    assert stuck.status == JobRun.Status.FAILED


def test_an_inactive_policy_or_one_without_a_version_in_force_grades_nobody(four, personas):
    p, shops = four
    run = services.grading_run_policy(policy=p, business_date=date(2025, 12, 31))
    assert run.counts["skipped"] == "no_version" and grades(*shops) == ["", "", "", ""]
    services.policy_update(actor=personas.regional_manager, policy=p, is_active=False)
    run = services.grading_run_policy(policy=p, business_date=DAY)
    assert run.counts["skipped"] == "inactive"
    assert services.nightly_parts(personas.org.company, DAY) == []


def test_policy_thresholds_that_do_not_add_up_are_refused_per_field(personas):
    with pytest.raises(ValidationError) as exc:
        policy(personas.org.company, share_a=Decimal(70), share_b=Decimal(20),
               share_c=Decimal(5))
    assert "share_c" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        policy(personas.org.company, share_a=Decimal(0), share_b=Decimal(50),
               share_c=Decimal(50))
    assert "share_a" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        policy(personas.org.company, method="weighted", frequency_weight=Decimal(0))
    assert "frequency_weight" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        policy(personas.org.company, window_months=0)
    assert "window_months" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        policy(personas.org.area)
    assert "scope" in exc.value.message_dict


def test_one_active_policy_per_scope_and_business_type(personas):
    policy(personas.org.office)
    with pytest.raises(ValidationError):
        policy(personas.org.office, name="又一个")
    policy(personas.org.office, business_type="pharmacy")


def test_nightly_parts_are_one_per_policy_in_force(personas):
    company = policy(personas.org.company)
    office = policy(personas.org.office)
    policy(personas.org.region, valid_from=date(2027, 1, 1))
    parts = services.nightly_parts(personas.org.company, DAY)
    assert parts == [{"policy_id": company.pk}, {"policy_id": office.pk}]
