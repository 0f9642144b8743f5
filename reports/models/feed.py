"""The order-system feed: the tokens it authenticates with and the log of its batches.

A token is stored as the SHA-256 of its secret (the secret is shown once, when it is
issued); it is bound to one org node and writes facts only for retailers under it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgNode


class FeedToken(models.Model):
    """A credential of the order system, bound to one org node."""

    name = models.CharField(_("name"), max_length=100, unique=True,
                            help_text=_("Which system or installation uses it."))
    node = models.ForeignKey(OrgNode, verbose_name=_("org node"), on_delete=models.PROTECT,
                             related_name="+",
                             help_text=_("The token writes facts only for retailers under "
                                         "this node."))
    prefix = models.CharField(_("prefix"), max_length=12, editable=False,
                              help_text=_("The secret's first characters, to tell tokens "
                                          "apart."))
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True,
                                        editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("order-system feed token")
        verbose_name_plural = _("order-system feed tokens")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class FeedBatchQuerySet(models.QuerySet):
    def for_user(self, user) -> models.QuerySet:
        """A feed client (see reports.api.feed) reaches its own token's batches; people
        reach none through the API: administrators read the log in the admin."""
        token = getattr(user, "feed_token", None)
        if token is None:
            return self.none()
        return self.filter(token=token)


class FeedBatch(models.Model):
    """One push of the order system: what came, what was written, what was wrong.

    All or nothing: `accepted` is every row or none; `rejected` counts the rows with at
    least one error (a refused batch's other rows were fine but not written).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    token = models.ForeignKey(FeedToken, verbose_name=_("token"), on_delete=models.PROTECT,
                              related_name="batches")
    node = models.ForeignKey(OrgNode, verbose_name=_("org node"), on_delete=models.PROTECT,
                             related_name="+")
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.RECEIVED)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    accepted = models.PositiveIntegerField(_("accepted rows"), default=0)
    rejected = models.PositiveIntegerField(_("rejected rows"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True,
                              help_text=_("The first errors: row index, field, reason."))
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    request_hash = models.CharField(_("request hash"), max_length=64, blank=True)

    objects = FeedBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("order-system feed batch")
        verbose_name_plural = _("order-system feed batches")
        ordering = ["-received_at", "-id"]
        constraints = [
            # A key is held by the batch it was first accepted with; a refused batch lets
            # the sender fix the rows and send them again under the same key.
            models.UniqueConstraint(
                fields=["token", "idempotency_key"],
                condition=~Q(idempotency_key="") & ~Q(status="refused"),
                name="feed_batch_unique_token_key",
                violation_error_message=_("This Idempotency-Key was already used."),
            ),
        ]
        indexes = [models.Index(fields=["token", "-received_at"], name="feed_batch_token_recv")]

    def __str__(self) -> str:
        return f"{self.token.name} {self.received_at:%Y-%m-%d %H:%M} {self.status}"
