"""Every write of grading: policies and versions, grading runs, overrides.

The grade column `kehu.Retailer.grade` (the grade in effect) is written only here and in
`grading.engine`; kehu only stores it.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import JobRun, OrgNode, User
from accounts.services import audit_record, job_run_fail, job_run_finish, job_run_start
from grading import engine
from grading.models import (
    GRADING_JOB,
    GradeHistory,
    GradeOverride,
    GradingPolicy,
    GradingPolicyVersion,
    GradingRun,
    RetailerGrade,
)
from kehu.models import Retailer

POLICY_NODE_KINDS = {OrgNode.Kind.COMPANY, OrgNode.Kind.REGION, OrgNode.Kind.OFFICE}
VERSION_FIELDS = ("method", "measure", "window_months", "share_a", "share_b", "share_c",
                  "frequency_weight", "rank_within")


class RunInProgress(ValidationError):
    """A run of this policy is under way: the second is refused (the nightly one waits)."""


def today() -> date:
    return timezone.localdate()


# Policies ----------------------------------------------------------------------------------

def _check_scope(scope: OrgNode) -> None:
    if scope.kind not in POLICY_NODE_KINDS:
        raise ValidationError({"scope": _("A grading policy covers the company, a region or "
                                          "an office.")})


def _new_version(*, policy: GradingPolicy, actor: User | None, valid_from: date | None,
                 note: str, **rule) -> GradingPolicyVersion:
    last = policy.versions.order_by("-number").first()
    version = GradingPolicyVersion(
        policy=policy, number=(last.number + 1) if last else 1, created_by=actor,
        valid_from=valid_from or today(), note=note,
        **{k: v for k, v in rule.items() if k in VERSION_FIELDS})
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def policy_create(*, actor: User | None, scope: OrgNode, name: str, business_type: str = "",
                  valid_from: date | None = None, note: str = "",
                  **rule) -> GradingPolicy:
    """A new policy with its first version (in force from `valid_from`, default today)."""
    _check_scope(scope)
    policy = GradingPolicy(company=scope.company(), scope=scope, name=name,
                           business_type=business_type, created_by=actor)
    policy.full_clean()
    policy.save()
    version = _new_version(policy=policy, actor=actor, valid_from=valid_from, note=note, **rule)
    audit_record(actor=actor, node=scope, obj=policy, action="create",
                 to_state=f"v{version.number}")
    return policy


@transaction.atomic
def policy_version_create(*, actor: User | None, policy: GradingPolicy,
                          valid_from: date | None = None, note: str = "",
                          **rule) -> GradingPolicyVersion:
    """A new version of the policy; earlier versions stay as they were (history)."""
    policy = GradingPolicy.objects.select_for_update().get(pk=policy.pk)
    version = _new_version(policy=policy, actor=actor, valid_from=valid_from, note=note, **rule)
    audit_record(actor=actor, node=policy.scope, obj=policy, action="new_version",
                 from_state=f"v{version.number - 1}", to_state=f"v{version.number}", reason=note)
    return version


@transaction.atomic
def policy_update(*, actor: User | None, policy: GradingPolicy, name: str | None = None,
                  is_active: bool | None = None) -> GradingPolicy:
    """Rename, retire or reactivate a policy (its rule changes only through versions)."""
    policy = GradingPolicy.objects.select_for_update().get(pk=policy.pk)
    was_active = policy.is_active
    if name is not None:
        policy.name = name
    if is_active is not None:
        policy.is_active = is_active
    policy.full_clean()
    policy.save()
    if was_active != policy.is_active:
        audit_record(actor=actor, node=policy.scope, obj=policy,
                     action="activate" if policy.is_active else "retire")
    return policy


def version_in_force(policy: GradingPolicy, day: date) -> GradingPolicyVersion | None:
    """The version used on `day`: the latest `valid_from` on or before it."""
    return (policy.versions.filter(valid_from__lte=day)
            .order_by("-valid_from", "-number").first())


def rule_of(*, policy: GradingPolicy | None, version, scope: OrgNode | None = None,
            business_type: str | None = None) -> engine.Rule:
    """The engine's rule for a saved policy or a draft (scope and type given)."""
    scope = policy.scope if policy else scope
    return engine.Rule(
        company_id=(policy.company_id if policy else scope.company().pk),
        scope_path=scope.path, scope_depth=scope.depth,
        business_type=(policy.business_type if policy else business_type or ""),
        policy_id=policy.pk if policy else None,
        method=_attr(version, "method"), measure=_attr(version, "measure"),
        window_months=int(_attr(version, "window_months")),
        share_a=_attr(version, "share_a"), share_b=_attr(version, "share_b"),
        frequency_weight=_attr(version, "frequency_weight"),
        rank_within=_attr(version, "rank_within"))


def _attr(version, name):
    return version[name] if isinstance(version, dict) else getattr(version, name)


def governing_policy(retailer: Retailer, day: date) -> GradingPolicy | None:
    """The policy that grades this retailer: the most specific active one covering it with
    a version in force (the same rule as `engine.calc_select`)."""
    area_path = retailer.area.path
    candidates = [
        p for p in GradingPolicy.objects.filter(
            company_id=retailer.company_id, is_active=True, versions__valid_from__lte=day,
        ).select_related("scope").distinct()
        if area_path.startswith(p.scope.path)
        and p.business_type in ("", retailer.business_type)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.scope.depth, bool(p.business_type)))


# Runs --------------------------------------------------------------------------------------

def grading_run_prepare(*, policy: GradingPolicy, started_by: User | None,
                        business_date: date | None = None) -> JobRun:
    """Check no run of the policy is under way and record a new one as running (the
    caller enqueues `grading.run_policy` with its id). Raises RunInProgress."""
    if grading_run_busy(policy):
        raise RunInProgress({"policy": _("This policy is being graded right now; wait for "
                                         "that run to finish.")})
    return _run_row(policy=policy, business_date=business_date or today(),
                    started_by=started_by)


def grading_run_busy(policy: GradingPolicy) -> bool:
    """Whether a live run of this policy is under way."""
    running = GradingRun.objects.filter(status=JobRun.Status.RUNNING, counts__policy=policy.pk)
    if connection.vendor == "postgresql":
        with transaction.atomic():
            if not engine.lock_policy(policy.pk, wait=False):
                return True
        return any(engine.run_is_alive(pk) for pk in running.values_list("pk", flat=True))
    stale_before = timezone.now() - settings.JOB_RUN_STALE_AFTER
    return running.filter(started_at__gte=stale_before).exists()


def _run_row(*, policy: GradingPolicy, business_date: date, started_by: User | None) -> JobRun:
    run = job_run_start(name=GRADING_JOB, scope=policy.scope, business_date=business_date,
                        started_by=started_by)
    run.counts = {"policy": policy.pk}
    run.save(update_fields=["counts"])
    return run


def grading_run_policy(*, policy: GradingPolicy, business_date: date | None = None,
                       started_by: User | None = None, run: JobRun | None = None) -> JobRun:
    """Grade the policy's retailers for `business_date` (default today) with the version in
    force; returns the JobRun (succeeded, or failed and the error re-raised).

    Lock → guard → act: a second writer of the same policy waits for the first (the
    advisory lock) and then finds nothing left to change. Runs of this policy still marked
    running whose session is gone (a killed worker) are marked failed first; their work was
    rolled back with their transaction, so this run completes it."""
    business_date = business_date or (run.business_date if run else None) or today()
    run = run or _run_row(policy=policy, business_date=business_date, started_by=started_by)
    engine.hold_run_lock(run.pk)
    try:
        with transaction.atomic():
            engine.lock_policy(policy.pk)
            _fail_dead_runs(policy, run)
            policy = GradingPolicy.objects.select_related("scope").get(pk=policy.pk)
            version = version_in_force(policy, business_date) if policy.is_active else None
            counts = {"policy": policy.pk}
            if version is None:
                counts["skipped"] = "inactive" if not policy.is_active else "no_version"
            else:
                counts.update(engine.grade_part(
                    rule=rule_of(policy=policy, version=version), version_id=version.pk,
                    business_date=business_date, run_id=run.pk, now=timezone.now()))
                counts.update(version=version.pk, version_number=version.number)
            # Finished inside the transaction: when the lock is released the row already
            # says succeeded, so a waiting run never takes this one for dead.
            job_run_finish(run=run, counts=counts)
    except BaseException as exc:
        job_run_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        engine.release_run_lock(run.pk)
    return run


def _fail_dead_runs(policy: GradingPolicy, current: JobRun) -> int:
    dead = [pk for pk in GradingRun.objects.filter(
        status=JobRun.Status.RUNNING, counts__policy=policy.pk).exclude(pk=current.pk)
        .values_list("pk", flat=True) if not engine.run_is_alive(pk)]
    return JobRun.objects.filter(pk__in=dead, status=JobRun.Status.RUNNING).update(
        status=JobRun.Status.FAILED, finished_at=timezone.now(),
        error="worker lost: the run ended without finishing; a later run completed it")


def nightly_parts(company: OrgNode, business_date: date) -> list[dict]:
    """One part per active policy with a version in force (the nightly fan-out)."""
    ids = (GradingPolicy.objects.filter(company=company, is_active=True,
                                        versions__valid_from__lte=business_date)
           .distinct().order_by("scope__path", "business_type", "pk").values_list("pk", flat=True))
    return [{"policy_id": pk} for pk in ids]


def nightly_run_part(*, policy_id: int, business_date: date) -> int | None:
    """Run one nightly part; returns the JobRun id (None: the policy is gone)."""
    policy = GradingPolicy.objects.filter(pk=policy_id).select_related("scope").first()
    if policy is None:
        return None
    return grading_run_policy(policy=policy, business_date=business_date).pk


# Overrides ---------------------------------------------------------------------------------

def _lock_retailer(retailer: Retailer, day: date) -> Retailer:
    """Serialise with a grading run of the retailer's policy, then lock the card's row."""
    retailer = Retailer.objects.select_related("area").get(pk=retailer.pk)
    policy = governing_policy(retailer, day)
    if policy is not None:
        engine.lock_policy(policy.pk)
    return Retailer.objects.select_for_update().select_related("area").get(pk=retailer.pk)


def _set_grade(*, retailer: Retailer, new_grade: str, source: str, actor: User | None,
               override: GradeOverride, day: date) -> None:
    computed = RetailerGrade.objects.filter(retailer=retailer).first()
    if new_grade == retailer.grade:
        return
    GradeHistory.objects.create(
        retailer=retailer, old_grade=retailer.grade, new_grade=new_grade,
        computed_grade=computed.computed_grade if computed else "", source=source,
        override=override, changed_by=actor, business_date=day)
    Retailer.objects.filter(pk=retailer.pk).update(grade=new_grade)
    retailer.grade = new_grade


@transaction.atomic
def override_set(*, actor: User, retailer: Retailer, grade: str, reason: str,
                 expires_on: date | None = None) -> GradeOverride:
    """Override the retailer's grade (with a written reason, optionally until a last day);
    an override already in effect is replaced. Audited."""
    day = today()
    errors = {}
    if grade not in Retailer.Grade.values:
        errors["grade"] = _("Choose A, B or C.")
    if not (reason or "").strip():
        errors["reason"] = _("Say why the grade is overridden.")
    if expires_on is not None and expires_on < day:
        errors["expires_on"] = _("The last day cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    retailer = _lock_retailer(retailer, day)
    previous = GradeOverride.objects.select_for_update().filter(
        retailer=retailer, ended_at__isnull=True).first()
    if previous is not None:
        _end(previous, actor=actor, reason=GradeOverride.EndReason.REPLACED, note=reason)
    override = GradeOverride(retailer=retailer, grade=grade, reason=reason.strip(),
                             expires_on=expires_on, created_by=actor)
    override.full_clean()
    override.save()
    old = retailer.grade
    _set_grade(retailer=retailer, new_grade=grade, source=GradeHistory.Source.OVERRIDE,
               actor=actor, override=override, day=day)
    audit_record(actor=actor, node=retailer.area, obj=override, action="override",
                 from_state=old, to_state=grade, reason=override.reason)
    return override


def _end(override: GradeOverride, *, actor: User | None, reason: str, note: str) -> None:
    override.ended_at = timezone.now()
    override.end_reason = reason
    override.ended_by = actor
    override.end_note = note
    override.save(update_fields=["ended_at", "end_reason", "ended_by", "end_note"])
    audit_record(actor=actor, node=override.retailer.area, obj=override, action=reason,
                 from_state=override.grade, reason=note)


@transaction.atomic
def override_lift(*, actor: User, override: GradeOverride, note: str = "") -> GradeOverride:
    """End an override now; the retailer's grade returns to the computed one (if it was
    ever computed). Audited."""
    day = today()
    retailer = _lock_retailer(override.retailer, day)
    override = GradeOverride.objects.select_for_update().select_related("retailer__area").get(
        pk=override.pk)
    if override.ended_at is not None:
        raise ValidationError({"non_field_errors": [_("This override has already ended.")]})
    _end(override, actor=actor, reason=GradeOverride.EndReason.LIFTED, note=note)
    computed = RetailerGrade.objects.filter(retailer=retailer).first()
    if computed is not None:
        _set_grade(retailer=retailer, new_grade=computed.computed_grade,
                   source=GradeHistory.Source.OVERRIDE_LIFTED, actor=actor, override=override,
                   day=day)
    return override
