"""Writes to problems: raise (once per client id), reassign or re-date, solve, reopen."""

from datetime import date, timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_record
from kehu.models import Retailer
from visits.models import Problem, Visit
from visits.selectors.common import policy_for_node

Status = Problem.Status


def _guard_owner(owner: User, retailer: Retailer) -> None:
    if not Retailer.objects.for_user(owner).filter(pk=retailer.pk).exists():
        raise ValidationError({"owner": _("This person cannot see this retailer.")})


def _guard_visit(visit: Visit | None, retailer: Retailer, field: str) -> None:
    if visit is not None and visit.retailer_id != retailer.pk:
        raise ValidationError({field: _("This visit is at another retailer.")})


@transaction.atomic
def problem_raise(
    *, actor: User, retailer: Retailer, client_id: UUID, category: str, description: str,
    owner: User | None = None, due_date: date | None = None, visit: Visit | None = None,
    today: date | None = None,
) -> tuple[Problem, bool]:
    """Track a problem the retailer raised; returns (problem, created). Without an owner
    the person raising it owns it; without a due date it is due after the policy's days."""
    existing = Problem.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.raised_by_id != actor.pk or existing.retailer_id != retailer.pk:
            raise ValidationError({"client_id": _("This id is already used by another "
                                                  "record.")})
        return existing, False
    today = today or timezone.localdate()
    owner = owner or actor
    _guard_owner(owner, retailer)
    _guard_visit(visit, retailer, "visit")
    if due_date is None:
        due_date = today + timedelta(days=policy_for_node(retailer.area).problem_due_days)
    if due_date < today:
        raise ValidationError({"due_date": _("The due date is in the past.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe the problem.")})
    problem = Problem(client_id=client_id, retailer=retailer, visit=visit, category=category,
                      description=description.strip(), owner=owner, due_date=due_date,
                      raised_by=actor)
    problem.full_clean(exclude=["retailer", "owner", "visit", "raised_by"],
                       validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            problem.save()
    except IntegrityError:
        return Problem.objects.get(client_id=client_id), False
    audit_record(actor=actor, node=retailer.area, obj=problem, action="raise",
                 to_state=problem.status)
    return problem, True


def _locked(problem: Problem) -> Problem:
    return Problem.objects.select_for_update(of=("self",)).select_related("retailer__area").get(
        pk=problem.pk)


@transaction.atomic
def problem_update(
    *, problem: Problem, actor: User, owner: User | None = None, due_date: date | None = None,
    status: str | None = None, category: str | None = None, description: str | None = None,
    today: date | None = None,
) -> Problem:
    """Change the owner, due date, category or description, start work on it, or reopen
    a solved problem (status "open" or "in_progress")."""
    problem = _locked(problem)
    old = problem.status
    if owner is not None and owner.pk != problem.owner_id:
        _guard_owner(owner, problem.retailer)
        problem.owner = owner
    if due_date is not None and due_date != problem.due_date:
        if due_date < (today or timezone.localdate()):
            raise ValidationError({"due_date": _("The due date is in the past.")})
        problem.due_date = due_date
    if category is not None:
        problem.category = category
    if description is not None:
        if not description.strip():
            raise ValidationError({"description": _("Describe the problem.")})
        problem.description = description.strip()
    if status is not None and status != old:
        if status == Status.SOLVED:
            raise ValidationError({"status": _("Solve a problem with its resolution.")})
        problem.status = status
        if old == Status.SOLVED:  # reopened: the old resolution stays in the audit trail
            problem.solved_at = problem.solved_by = problem.solved_visit = None
    problem.full_clean(exclude=["retailer", "owner", "visit", "raised_by", "solved_by",
                                "solved_visit"], validate_unique=False,
                       validate_constraints=False)
    problem.save()
    if problem.status != old:
        audit_record(actor=actor, node=problem.retailer.area, obj=problem,
                     action="reopen" if old == Status.SOLVED else "status",
                     from_state=old, to_state=problem.status)
    return problem


@transaction.atomic
def problem_solve(*, problem: Problem, actor: User, resolution: str,
                  visit: Visit | None = None) -> Problem:
    problem = _locked(problem)
    if problem.status == Status.SOLVED:
        raise ValidationError({"status": _("This problem is already solved.")})
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say how the problem was solved.")})
    _guard_visit(visit, problem.retailer, "solved_visit")
    old = problem.status
    problem.status, problem.resolution = Status.SOLVED, resolution.strip()
    problem.solved_at, problem.solved_by, problem.solved_visit = timezone.now(), actor, visit
    problem.save()
    audit_record(actor=actor, node=problem.retailer.area, obj=problem, action="solve",
                 from_state=old, to_state=problem.status, reason=problem.resolution)
    return problem
