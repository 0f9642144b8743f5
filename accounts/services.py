"""Every write to accounts: plain keyword-only functions, one transaction each."""

import contextlib
from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, JobRun, Membership, OrgNode, Role, User
from accounts.request_context import current_request_id
from accounts.signals import job_runs_lost


def audit_record(
    *,
    actor: User | None,
    node: OrgNode,
    obj,
    action: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
) -> AuditEvent:
    """Append one row to the audit trail (call inside the transition's transaction)."""
    return AuditEvent.objects.create(
        actor=actor,
        node=node,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        request_id=current_request_id(),
    )


@transaction.atomic
def node_create(*, parent: OrgNode | None, code: str, name: str, kind: str) -> OrgNode:
    """Create an org node under `parent` (None: a new company)."""
    if parent is None:
        if kind != OrgNode.Kind.COMPANY:
            raise ValidationError({"kind": _("A top-level node must be a company.")})
        node = OrgNode(code=code, name=name, kind=kind)
        node.full_clean(exclude=["path", "depth", "numchild"])
        return OrgNode.objects.add_root(instance=node)
    _check_child_kind(parent=parent, kind=kind)
    node = OrgNode(code=code, name=name, kind=kind)
    node.full_clean(exclude=["path", "depth", "numchild"])
    return OrgNode.objects.add_child(OrgNode.objects.get(pk=parent.pk), instance=node)


def _check_child_kind(*, parent: OrgNode, kind: str) -> None:
    expected = OrgNode.CHILD_KIND.get(OrgNode.Kind(parent.kind))
    if expected is None or kind != expected:
        raise ValidationError(
            {"parent": _("A %(kind)s cannot be placed under a %(parent)s.")
             % {"kind": OrgNode.Kind(kind).label, "parent": OrgNode.Kind(parent.kind).label}}
        )


@transaction.atomic
def node_update(*, node: OrgNode, name: str | None = None, code: str | None = None) -> OrgNode:
    if name is not None:
        node.name = name
    if code is not None:
        node.code = code
    node.full_clean(exclude=["path", "depth", "numchild"])
    node.save(update_fields=["name", "code"])
    return node


@transaction.atomic
def node_move(*, node: OrgNode, new_parent: OrgNode, actor: User | None = None) -> OrgNode:
    """Move a node (and its whole subtree) under `new_parent`."""
    node = OrgNode.objects.select_for_update().get(pk=node.pk)
    new_parent = OrgNode.objects.get(pk=new_parent.pk)
    if new_parent.path.startswith(node.path):
        raise ValidationError({"parent": _("A node cannot be moved under itself.")})
    _check_child_kind(parent=new_parent, kind=node.kind)
    old_parent = OrgNode.objects.get_parent(node)
    OrgNode.objects.move(node, new_parent, "last-child")
    node = OrgNode.objects.get(pk=node.pk)
    audit_record(
        actor=actor, node=node, obj=node, action="move",
        from_state=old_parent.code if old_parent else "", to_state=new_parent.code,
    )
    return node


@transaction.atomic
def user_create(
    *, username: str, name: str, password: str | None = None, phone: str = "",
    email: str = "", language: str = settings.LANGUAGE_CODE,
) -> User:
    user = User(username=username, name=name, phone=phone, email=email, language=language)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def membership_grant(
    *, user: User, node: OrgNode, role: str, actor: User | None = None
) -> Membership:
    """Give `user` a role at `node` (idempotent: granting twice keeps one membership)."""
    existing = Membership.objects.filter(user=user, node=node, role=role).first()
    if existing:
        return existing
    membership = Membership(user=user, node=node, role=role)
    membership.full_clean()
    membership.save()
    audit_record(actor=actor, node=node, obj=membership, action="grant", to_state=role)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: User | None = None) -> None:
    audit_record(
        actor=actor, node=membership.node, obj=membership, action="revoke",
        from_state=membership.role,
    )
    membership.delete()


def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    user.language = language
    user.save(update_fields=["language"])
    return user


def job_run_start(
    *, name: str, scope: OrgNode, business_date: date | None = None,
    started_by: User | None = None, total: int = 0,
) -> JobRun:
    return JobRun.objects.create(
        name=name, scope=scope, business_date=business_date,
        started_by=started_by, progress_total=total,
    )


def job_run_progress(*, run: JobRun, done: int, total: int | None = None) -> None:
    fields = {"progress_done": done}
    if total is not None:
        fields["progress_total"] = total
    JobRun.objects.filter(pk=run.pk).update(**fields)


def job_run_finish(*, run: JobRun, counts: dict) -> JobRun:
    run.status = JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.counts = counts
    run.save(update_fields=["status", "finished_at", "counts"])
    return run


def job_run_fail(*, run: JobRun, error: str) -> JobRun:
    run.status = JobRun.Status.FAILED
    run.finished_at = timezone.now()
    run.error = error[:10000]
    run.save(update_fields=["status", "finished_at", "error"])
    return run


@contextlib.contextmanager
def job_run_recorded(
    *, name: str, scope: OrgNode, business_date: date | None = None,
    started_by: User | None = None,
) -> Iterator[JobRun]:
    """Record a batch job as a JobRun row; the body fills `run.counts`.

    A failure marks the run failed (with the error) and is re-raised.
    """
    run = job_run_start(name=name, scope=scope, business_date=business_date, started_by=started_by)
    try:
        yield run
    except BaseException as exc:
        job_run_fail(run=run, error=f"{type(exc).__name__}: {exc}")
        raise
    job_run_finish(run=run, counts=run.counts)


def housekeeping_run(*, now=None) -> dict:
    """Nightly housekeeping; returns what it did as counts.

    - runs left "running" past the hard time limit (a killed worker) are marked failed;
    - job runs older than JOB_RUN_KEEP_DAYS and expired sessions are deleted.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lost = list(JobRun.objects.select_for_update().filter(
            status=JobRun.Status.RUNNING, started_at__lt=now - settings.JOB_RUN_STALE_AFTER
        ).values_list("pk", flat=True))
        stale = JobRun.objects.filter(pk__in=lost).update(
            status=JobRun.Status.FAILED, finished_at=now,
            error="worker lost: the run exceeded the time limit without finishing",
        )
        if lost:
            job_runs_lost.send(sender=JobRun, run_ids=lost, now=now)
    pruned, _detail = JobRun.objects.filter(
        started_at__lt=now - timedelta(days=settings.JOB_RUN_KEEP_DAYS)
    ).exclude(status=JobRun.Status.RUNNING).delete()
    sessions, _detail = Session.objects.filter(expire_date__lt=now).delete()
    return {"stale_runs_failed": stale, "job_runs_pruned": pruned, "sessions_cleared": sessions}


def company_root() -> OrgNode:
    root = OrgNode.objects.get_first_root_node()
    if root is None:
        raise ValidationError(_("No company exists yet: create the org tree first."))
    return root


__all__ = [
    "Role",
    "audit_record",
    "company_root",
    "housekeeping_run",
    "job_run_fail",
    "job_run_finish",
    "job_run_progress",
    "job_run_recorded",
    "job_run_start",
    "membership_grant",
    "membership_revoke",
    "node_create",
    "node_move",
    "node_update",
    "user_create",
    "user_set_language",
]
