import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from tests.visits.factories import make_problem, make_visit
from visits import services
from visits.models import Problem, VisitPolicy
from visits.selectors.visits import problems_for_user

TODAY = date(2026, 11, 20)


def raise_problem(personas, retailer, **kwargs):
    kwargs.setdefault("category", Problem.Category.PRICE_DISORDER)
    kwargs.setdefault("description", "隔壁店低价窜货")
    problem, _created = services.problem_raise(actor=personas.rep, retailer=retailer,
                                               client_id=uuid.uuid4(), today=TODAY, **kwargs)
    return problem


def test_a_problem_is_owned_by_whoever_raised_it_and_due_after_the_policy_days(personas,
                                                                             shops):
    problem = raise_problem(personas, shops.a)
    assert (problem.owner, problem.due_date, problem.status) == (
        personas.rep, TODAY + timedelta(days=7), Problem.Status.OPEN)
    VisitPolicy.objects.create(company=personas.org.company, problem_due_days=3)
    assert raise_problem(personas, shops.a).due_date == TODAY + timedelta(days=3)
    assert AuditEvent.objects.filter(action="raise").count() == 2


def test_a_due_date_in_the_past_is_refused(personas, shops):
    with pytest.raises(ValidationError) as error:
        raise_problem(personas, shops.a, due_date=TODAY - timedelta(days=1))
    assert "due_date" in error.value.message_dict and not Problem.objects.exists()


def test_an_owner_who_cannot_see_the_retailer_is_refused(personas, shops):
    with pytest.raises(ValidationError) as error:
        raise_problem(personas, shops.a, owner=personas.sibling_rep)
    assert "owner" in error.value.message_dict
    assert raise_problem(personas, shops.a, owner=personas.manager).owner == personas.manager


def test_a_problem_raised_at_a_visit_of_another_retailer_is_refused(personas, shops):
    visit = make_visit(personas.rep, shops.b, TODAY)
    with pytest.raises(ValidationError) as error:
        raise_problem(personas, shops.a, visit=visit)
    assert "visit" in error.value.message_dict


def test_an_empty_description_is_refused(personas, shops):
    with pytest.raises(ValidationError) as error:
        raise_problem(personas, shops.a, description="  ")
    assert "description" in error.value.message_dict


def test_the_same_client_id_twice_is_one_problem(personas, shops):
    client_id = uuid.uuid4()
    kwargs = {"actor": personas.rep, "retailer": shops.a, "client_id": client_id,
              "category": "complaint", "description": "投诉", "today": TODAY}
    first, created = services.problem_raise(**kwargs)
    again, created_again = services.problem_raise(**kwargs)
    assert (created, created_again, again.pk) == (True, False, first.pk)


def test_open_problems_past_their_due_date_are_marked_overdue(personas, shops):
    late = make_problem(shops.a, personas.rep, due=TODAY - timedelta(days=1))
    due_today = make_problem(shops.a, personas.rep, due=TODAY)
    solved_late = make_problem(shops.a, personas.rep, due=TODAY - timedelta(days=5),
                               status=Problem.Status.SOLVED)
    overdue = dict(problems_for_user(personas.manager, TODAY).values_list("pk", "overdue"))
    assert overdue == {late.pk: True, due_today.pk: False, solved_late.pk: False}


def test_solving_needs_a_resolution_and_is_audited(personas, shops):
    problem = raise_problem(personas, shops.a)
    with pytest.raises(ValidationError) as error:
        services.problem_solve(problem=problem, actor=personas.rep, resolution="")
    assert "resolution" in error.value.message_dict
    visit = make_visit(personas.rep, shops.a, TODAY)
    solved = services.problem_solve(problem=problem, actor=personas.rep,
                                    resolution="已协调价格", visit=visit)
    assert (solved.status, solved.solved_by, solved.solved_visit) == (
        Problem.Status.SOLVED, personas.rep, visit)
    with pytest.raises(ValidationError):
        services.problem_solve(problem=problem, actor=personas.rep, resolution="again")
    event = AuditEvent.objects.get(action="solve")
    assert (event.from_state, event.to_state, event.reason) == ("open", "solved", "已协调价格")


def test_a_solved_problem_can_be_reopened(personas, shops):
    problem = raise_problem(personas, shops.a)
    services.problem_solve(problem=problem, actor=personas.rep, resolution="好了")
    reopened = services.problem_update(problem=problem, actor=personas.manager,
                                       status=Problem.Status.OPEN, today=TODAY)
    assert reopened.status == Problem.Status.OPEN and reopened.solved_at is None
    assert AuditEvent.objects.filter(action="reopen").exists()


def test_solving_through_an_update_is_refused(personas, shops):
    problem = raise_problem(personas, shops.a)
    with pytest.raises(ValidationError) as error:
        services.problem_update(problem=problem, actor=personas.rep,
                                status=Problem.Status.SOLVED)
    assert "status" in error.value.message_dict


def test_a_rep_sees_problems_of_their_retailers_and_those_they_own(personas, shops):
    mine = raise_problem(personas, shops.a)
    theirs = make_problem(shops.other_reps, personas.rep2, due=TODAY)
    assigned_to_me = make_problem(shops.other_reps, personas.rep2, due=TODAY,
                                  owner=personas.rep)
    seen = set(problems_for_user(personas.rep, TODAY).values_list("pk", flat=True))
    assert seen == {mine.pk, assigned_to_me.pk}
    assert theirs.pk not in seen
