"""Users, the org tree, memberships (a role at a node), batch job runs, and the statutory
working-day calendar every app reads (`accounts.workdays`)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from accounts.scoping import ScopedQuerySet


class Role(models.TextChoices):
    REP = "rep", _("Sales rep")
    CLERK = "clerk", _("Sales clerk")
    OFFICE_MANAGER = "office_manager", _("Office manager")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    FINANCE = "finance", _("Finance")
    ADMIN = "admin", _("Administrator")


class OrgNodeQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    pass


class OrgNodeManager(MP_NodeManager):
    def get_queryset(self) -> OrgNodeQuerySet:
        return OrgNodeQuerySet(self.model).order_by("path")

    def for_user(self, user) -> OrgNodeQuerySet:
        return self.get_queryset().for_user(user)


class OrgNode(MP_Node):
    """A node of the org tree: company → region → office → area.

    Materialized path (django-treebeard MP_Node): "everything under node N" is one
    indexed `path LIKE 'N.path%'` query on every database, and moving a node rewrites
    its subtree's paths in one statement.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        REGION = "region", _("Region")
        OFFICE = "office", _("Office")
        AREA = "area", _("Area")

    # Which kind may sit directly under which: the tree has exactly four levels.
    CHILD_KIND = {Kind.COMPANY: Kind.REGION, Kind.REGION: Kind.OFFICE, Kind.OFFICE: Kind.AREA}

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrgNodeManager()

    scope_path_lookup = "path"
    scope_owner_lookup = None

    class Meta:
        verbose_name = _("org node")
        verbose_name_plural = _("org nodes")

    def __str__(self) -> str:
        return self.name

    def company(self) -> "OrgNode":
        return OrgNode.objects.get(path=self.path[: self.steplen])

    def clean(self) -> None:
        if self.depth == 1 and self.kind != self.Kind.COMPANY:
            raise ValidationError({"kind": _("A top-level node must be a company.")})


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships."""

    name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.username

    @classmethod
    def scope_filter(cls, membership: "Membership", user: "User") -> Q:
        """Users visible through one membership: people placed under its node (a rep:
        only themselves)."""
        if membership.role == Role.REP:
            return Q(pk=user.pk)
        under = Membership.objects.filter(node__path__startswith=membership.node.path)
        return Q(pk__in=under.values("user_id"))


class MembershipQuerySet(ScopedQuerySet):
    pass


class Membership(models.Model):
    """A user holds a role at an org node; the node says where, the role says what."""

    # The node kinds each role may be placed at.
    ROLE_NODE_KINDS = {
        Role.REP: {OrgNode.Kind.AREA},
        Role.CLERK: {OrgNode.Kind.OFFICE, OrgNode.Kind.REGION},
        Role.OFFICE_MANAGER: {OrgNode.Kind.OFFICE, OrgNode.Kind.AREA},
        Role.REGIONAL_MANAGER: {OrgNode.Kind.REGION},
        Role.FINANCE: {OrgNode.Kind.COMPANY, OrgNode.Kind.REGION},
        Role.ADMIN: {OrgNode.Kind.COMPANY},
    }

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    node = models.ForeignKey(
        OrgNode, verbose_name=_("org node"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    scope_path_lookup = "node__path"
    scope_owner_lookup = "user_id"

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "node", "role"],
                name="membership_unique_user_node_role",
                violation_error_message=_("This user already holds this role at this node."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.node}"

    def clean(self) -> None:
        if self.node_id and self.role:
            allowed = self.ROLE_NODE_KINDS[Role(self.role)]
            if self.node.kind not in allowed:
                raise ValidationError(
                    {
                        "node": _("A %(role)s is placed at: %(kinds)s.")
                        % {
                            "role": Role(self.role).label,
                            "kinds": "、".join(str(OrgNode.Kind(k).label) for k in allowed),
                        }
                    }
                )


class JobRunQuerySet(ScopedQuerySet):
    pass


class JobRun(models.Model):
    """One run of a batch job (nightly grading, reminders, imports, exports…)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=100, db_index=True)
    scope = models.ForeignKey(
        OrgNode, verbose_name=_("scope"), on_delete=models.PROTECT, related_name="job_runs"
    )
    business_date = models.DateField(_("business date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        User, verbose_name=_("started by"), on_delete=models.SET_NULL, null=True, blank=True
    )

    objects = JobRunQuerySet.as_manager()

    scope_path_lookup = "scope__path"
    scope_owner_lookup = "started_by_id"

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "started_at"], name="jobrun_status_started")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.scope} ({self.get_status_display()})"

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None


class AuditEvent(models.Model):
    """Append-only trail of state transitions: who moved what from which state to which.

    Written only by services; on PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    node = models.ForeignKey(
        OrgNode, verbose_name=_("org node"), on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    action = models.CharField(_("action"), max_length=50)
    from_state = models.CharField(_("from"), max_length=100, blank=True)
    to_state = models.CharField(_("to"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "node__path"
    scope_owner_lookup = "actor_id"

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        target = f"{self.object_type}#{self.object_id}"
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {target}"


class IdempotencyRecord(models.Model):
    """The first response to a create sent with an `Idempotency-Key`, replayed on retries.

    The unique (user, key) constraint decides who is first: a concurrent retry waits on
    the index until the first request commits, then replays its stored response.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    key = models.CharField(_("idempotency key"), max_length=100)
    request_hash = models.CharField(_("request hash"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["user", "key"],
                                               name="idempotency_unique_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class CalendarYear(models.Model):
    """One announced year of the statutory working-day calendar.

    A year with a row is covered: its listed days are holidays (off) or make-up working days,
    every other day follows Monday–Friday. A year without a row is not covered: deadlines in
    it are an error, planning falls back to Monday–Friday (`accounts.workdays`). Years the
    `chinesecalendar` library knows are seeded automatically; an administrator enters the
    next year from the State Council notice when it is published. (The table keeps the name
    it had when expenses owned it.)
    """

    class Source(models.TextChoices):
        LIBRARY = "library", _("chinesecalendar library")
        ADMIN = "admin", _("Entered by an administrator")

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    source = models.CharField(_("source"), max_length=16, choices=Source.choices,
                              default=Source.ADMIN)
    notice = models.CharField(_("State Council notice"), max_length=200, blank=True,
                              help_text=_("The notice the holidays were taken from."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "expenses_calendaryear"
        verbose_name = _("working-day calendar year")
        verbose_name_plural = _("working-day calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from Monday–Friday (a holiday, or a make-up working weekend day)."""

    calendar_year = models.ForeignKey(CalendarYear, verbose_name=_("year"),
                                      on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("holiday"), max_length=50, blank=True)

    class Meta:
        db_table = "expenses_calendarday"
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

    def clean(self) -> None:
        if self.date and self.calendar_year_id and self.date.year != self.calendar_year.year:
            raise ValidationError({"date": _("This day is not in the year it is listed under.")})
