"""RepDay: the nightly fill against hand-computed days, a rerun that changes nothing,
the incremental refresh after a visit, a missed visit and a problem."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from accounts.models import JobRun
from grading import nightly
from reports import aggregates
from reports.aggregates import JOB, days_to_compute, nightly_run_part, rep_days_compute
from reports.models import RepDay
from tests.factories import make_retailer
from tests.visits.factories import make_missed, make_plan, make_problem, make_visit
from visits.models import Problem, StockLine, Visit

OCTOBER = date(2026, 10, 1)
D5, D6, D7 = date(2026, 10, 5), date(2026, 10, 6), date(2026, 10, 7)
FIELDS = ("planned", "done", "missed", "visits", "on_site", "phone", "care", "far", "no_gps",
          "flagged", "problems_raised", "problems_solved", "info_items")


@pytest.fixture(autouse=True)
def eager(monkeypatch):
    """Refresh tasks run in-process (the real worker: tests/integration)."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def figures(rep, day) -> dict:
    row = RepDay.objects.filter(rep=rep, day=day).first()
    return {f: getattr(row, f) for f in FIELDS} if row else None


def counts(**given) -> dict:
    return {f: given.get(f, 0) for f in FIELDS}


@pytest.fixture
def october(personas):
    """rep: stops at a, b on the 5th, c on the 6th; rep2: nothing planned."""
    area, rep = personas.org.area, personas.rep
    a = make_retailer(area, rep, name="甲", grade="A")
    b = make_retailer(area, rep, name="乙", grade="B")
    c = make_retailer(area, rep, name="丙", grade="C")
    make_plan(rep, area, OCTOBER, stops=[(D5, a), (D5, b), (D6, c)])
    on_a = make_visit(rep, a, D5, competitor_info="对手降价", far_from_store=True)
    StockLine.objects.create(visit=on_a, product_name="中华", on_hand=5)
    make_missed(rep, b, D5)  # missed with a reason
    make_visit(rep, c, D6, kind=Visit.Kind.PHONE, gps_missing=True)  # not on site: not done
    make_visit(rep, b, D6, kind=Visit.Kind.CARE_CALL, consumer_feedback="嫌贵")
    make_visit(personas.rep2, a, D7)  # rep2's day
    zone = timezone.get_current_timezone()
    raised = make_problem(a, rep, due=D7)
    Problem.objects.filter(pk=raised.pk).update(created_at=datetime(2026, 10, 5, 23, 30,
                                                                    tzinfo=zone))
    solved = make_problem(b, rep, due=D7, status=Problem.Status.SOLVED)
    Problem.objects.filter(pk=solved.pk).update(
        created_at=datetime(2026, 9, 1, 9, tzinfo=zone),
        solved_at=datetime(2026, 10, 6, 0, 10, tzinfo=zone), solved_by=rep)
    return a, b, c


def fill(personas, first=OCTOBER, last=date(2026, 10, 31)):
    return rep_days_compute(areas=aggregates.rep_areas(node=personas.org.office),
                            first=first, last=last)


def test_a_reps_days_by_hand(personas, october):
    fill(personas)
    assert figures(personas.rep, D5) == counts(planned=2, done=1, missed=1, visits=1,
                                               on_site=1, far=1, flagged=1,
                                               problems_raised=1, info_items=2)
    assert figures(personas.rep, D6) == counts(planned=1, visits=2, phone=1, care=1,
                                               no_gps=1, flagged=1, problems_solved=1,
                                               info_items=1)
    assert figures(personas.rep2, D7) == counts(visits=1, on_site=1)
    row = RepDay.objects.get(rep=personas.rep, day=D5)
    assert (row.area_id, row.node_path) == (personas.org.area.pk, personas.org.area.path)
    assert RepDay.objects.count() == 3


def test_a_rerun_changes_nothing_and_removes_days_left_empty(personas, october):
    fill(personas)
    before = {(r.rep_id, r.day): figures(r.rep_id, r.day) for r in RepDay.objects.all()}
    assert fill(personas)["removed"] == 0
    after = {(r.rep_id, r.day): figures(r.rep_id, r.day) for r in RepDay.objects.all()}
    assert after == before
    Visit.objects.filter(rep=personas.rep2).delete()
    assert fill(personas)["removed"] == 1
    assert figures(personas.rep2, D7) is None


def test_the_fill_keeps_to_its_office_and_its_days(personas, october):
    sibling_shop = make_retailer(personas.org.sibling_area, personas.sibling_rep)
    make_visit(personas.sibling_rep, sibling_shop, D5)
    fill(personas, first=D6, last=D6)
    assert set(RepDay.objects.values_list("rep_id", "day")) == {(personas.rep.pk, D6)}


def test_the_nightly_step_records_a_run_per_office(personas, october):
    assert "rep_days" in [step.name for step in nightly.STEPS]
    run_id = nightly_run_part(business_date=date(2026, 10, 21), node_id=personas.org.office.pk)
    run = JobRun.objects.get(pk=run_id)
    assert (run.name, run.status, run.scope_id) == (JOB, JobRun.Status.SUCCEEDED,
                                                    personas.org.office.pk)
    assert run.counts["rows"] == 3 and run.counts["first"] == "2026-10-01"
    assert days_to_compute(date(2026, 11, 3)) == (OCTOBER, date(2026, 11, 3))


def test_a_new_visit_moves_todays_figures(personas, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    shop = make_retailer(personas.org.area, personas.rep, grade="A")
    make_plan(personas.rep, personas.org.area, today.replace(day=1), stops=[(today, shop)])
    with django_capture_on_commit_callbacks(execute=True):
        make_visit(personas.rep, shop, today)
    assert figures(personas.rep, today) == counts(planned=1, done=1, visits=1, on_site=1)
    with django_capture_on_commit_callbacks(execute=True):
        make_problem(shop, personas.rep, due=today)
    assert figures(personas.rep, today)["problems_raised"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        Visit.objects.filter(rep=personas.rep).get().delete()
    assert figures(personas.rep, today) == counts(planned=1, problems_raised=1)


def test_a_visit_too_far_and_without_gps_is_one_flagged_check_in(
        personas, october, django_capture_on_commit_callbacks):
    """In far and in no_gps, but once in flagged: by the nightly fill and by the refresh
    after the visit is saved (the same statement)."""
    shop = make_retailer(personas.org.area, personas.rep)
    make_visit(personas.rep, shop, D7, far_from_store=True, gps_missing=True)
    make_visit(personas.rep, shop, D7, kind=Visit.Kind.PHONE, gps_missing=True)
    fill(personas)
    assert figures(personas.rep, D7) == counts(visits=2, on_site=1, phone=1, far=1,
                                               no_gps=2, flagged=2)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        make_visit(personas.rep, shop, today, far_from_store=True, gps_missing=True)
    assert figures(personas.rep, today) == counts(visits=1, on_site=1, far=1, no_gps=1,
                                                  flagged=1)


def test_a_missed_visit_refreshes_its_day(personas, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    shop = make_retailer(personas.org.area, personas.rep)
    make_plan(personas.rep, personas.org.area, today.replace(day=1), stops=[(today, shop)])
    with django_capture_on_commit_callbacks(execute=True):
        make_missed(personas.rep, shop, today)
    assert figures(personas.rep, today) == counts(planned=1, missed=1)


def test_a_manager_visit_writes_no_row(personas, django_capture_on_commit_callbacks):
    shop = make_retailer(personas.org.area, personas.rep)
    with django_capture_on_commit_callbacks(execute=True):
        make_visit(personas.manager, shop, timezone.localdate())
    assert not RepDay.objects.exists()


def test_grades_by_area_and_their_moves_in_the_month(personas):
    from grading.models import GradeHistory
    from reports.aggregates import area_grades_compute
    from reports.models import AreaGradeMonth

    area = personas.org.area
    a = make_retailer(area, personas.rep, grade="A")
    b = make_retailer(area, personas.rep, grade="B")
    make_retailer(area, personas.rep, grade="B")
    make_retailer(personas.org.area2, personas.rep, grade="C")
    for shop, old, new, day in ((b, "A", "B", D5), (a, "B", "A", D6),
                                (a, "C", "B", date(2026, 9, 30))):  # September: not counted
        GradeHistory.objects.create(retailer=shop, old_grade=old, new_grade=new,
                                    computed_grade=new, source="nightly", business_date=day)
    assert area_grades_compute(node=personas.org.office, as_of=D7) == 3
    rows = {(r.area_id, r.grade): (r.retailers, r.moved_in, r.moved_out)
            for r in AreaGradeMonth.objects.filter(month=OCTOBER)}
    assert rows == {(area.pk, "A"): (1, 1, 1), (area.pk, "B"): (2, 1, 1),
                    (personas.org.area2.pk, "C"): (1, 0, 0)}


def test_unsolved_problems_by_area_follow_each_change(personas,
                                                      django_capture_on_commit_callbacks):
    from reports.aggregates import area_problems_compute
    from reports.models import AreaProblemDay

    area = personas.org.area
    shop = make_retailer(area, personas.rep)
    make_problem(shop, personas.rep, due=D5)
    make_problem(shop, personas.rep, due=D5, status=Problem.Status.IN_PROGRESS)
    make_problem(shop, personas.rep, due=D6, status=Problem.Status.SOLVED)
    assert area_problems_compute(area_ids=[area.pk, personas.org.area2.pk]) == 1
    rows = list(AreaProblemDay.objects.values_list("area_id", "node_path", "due_date",
                                                   "unsolved"))
    assert rows == [(area.pk, area.path, D5, 2)]
    with django_capture_on_commit_callbacks(execute=True):
        late = make_problem(shop, personas.rep, due=D7)
    assert AreaProblemDay.objects.get(due_date=D7).unsolved == 1
    with django_capture_on_commit_callbacks(execute=True):
        Problem.objects.get(pk=late.pk).delete()
    assert not AreaProblemDay.objects.filter(due_date=D7).exists()


def test_the_migration_fills_flagged_on_the_rows_already_written(personas, october):
    """Rows written before the column existed get it from the visit log."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    shop = make_retailer(personas.org.area, personas.rep)
    make_visit(personas.rep, shop, D5, far_from_store=True, gps_missing=True)
    fill(personas)
    written = {(r.rep_id, r.day): r.flagged for r in RepDay.objects.all()}
    assert written[(personas.rep.pk, D5)] == 2
    RepDay.objects.update(flagged=0)
    migration = importlib.import_module("reports.migrations.0006_rep_day_flagged")
    migration.fill_flagged(apps, SimpleNamespace(connection=connection))  # all it reads
    assert {(r.rep_id, r.day): r.flagged for r in RepDay.objects.all()} == written
