"""The order-system feed: tokens, and batches of monthly facts pushed as JSON.

A batch is checked and written by the Excel facts import's own code
(`kehu.imports.facts.FactImporter`: the same cell parsers, the same checks, the same
set-based upsert on (retailer, month)), so a fact pushed here is the row the import
would write from the same figures.

All or nothing, per batch: one bad row refuses the whole batch, and the answer lists
every bad row (its index in `facts`, the field, a translated reason). The sender fixes
those rows and sends the same batch again; since the write is an upsert on (retailer,
month), sending a batch twice changes nothing and a newer value for a month replaces
the older one. Every batch, accepted or refused, is logged as a FeedBatch.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgNode, User
from accounts.services import audit_record
from kehu.imports import cells
from kehu.imports.base import Record, RowError
from kehu.imports.columns import FACT_COLUMNS
from kehu.imports.facts import AMOUNTS, FactImporter
from kehu.imports.lookups import filtered_in
from kehu.models import MonthlyFact, Retailer
from reports.models import FeedBatch, FeedToken

TOKEN_PREFIX = "kqf_"
MAX_ROWS = 10_000
MAX_BYTES = 16 * 1024 * 1024
ERRORS_KEPT = 1000  # on the logged batch; the answer to the push has them all

# The import's columns under their JSON names: errors name the field that was sent.
FEED_COLUMNS = [replace(column, header=column.key) for column in FACT_COLUMNS]
FIELDS = [column.key for column in FEED_COLUMNS]


def max_rows() -> int:
    return getattr(settings, "REPORTS_FEED_MAX_ROWS", MAX_ROWS)


def max_bytes() -> int:
    return getattr(settings, "REPORTS_FEED_MAX_BYTES", MAX_BYTES)


# Tokens ------------------------------------------------------------------------------

def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def feed_token_issue(*, name: str, node: OrgNode, actor: User | None = None
                     ) -> tuple[FeedToken, str]:
    """A new token and its secret. Only the secret's SHA-256 is stored: show the secret
    to the operator now, it cannot be read back later."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = FeedToken(name=name, node=node, prefix=secret[:12], digest=token_digest(secret),
                      created_by=actor)
    token.full_clean()
    token.save()
    audit_record(actor=actor, node=node, obj=token, action="feed_token_issue",
                 to_state="active")
    return token, secret


@transaction.atomic
def feed_token_revoke(*, token: FeedToken, actor: User | None = None) -> bool:
    """Revoke the token (from now on it is answered 401); False when it already was."""
    now = timezone.now()
    revoked = FeedToken.objects.filter(pk=token.pk, revoked_at__isnull=True) \
        .update(revoked_at=now)
    if revoked:
        token.revoked_at = now
        audit_record(actor=actor, node=token.node, obj=token, action="feed_token_revoke",
                     from_state="active", to_state="revoked")
    return bool(revoked)


def feed_token_for_secret(*, secret: str) -> FeedToken | None:
    """The token whose secret this is (revoked or not), or None."""
    return FeedToken.objects.select_related("node").filter(digest=token_digest(secret)).first()


def feed_token_touch(*, token: FeedToken) -> None:
    """Record that the token was just used."""
    token.last_used_at = timezone.now()
    FeedToken.objects.filter(pk=token.pk).update(last_used_at=token.last_used_at)


def feed_node(*, token: FeedToken, code: str) -> OrgNode | None:
    """The node with this code when it is the token's node or under it; else None (the
    API answers 404 alike for a node that does not exist and one outside the token's)."""
    return OrgNode.objects.filter(code=code, path__startswith=token.node.path).first()


# Checking rows -----------------------------------------------------------------------

class FeedFactChecker(FactImporter):
    """The facts import, fed from JSON objects instead of spreadsheet rows: a Record's
    `row` is the row's index in `facts`, and only retailers under `node` are known."""

    def __init__(self, *, node: OrgNode):
        super().__init__(actor=None, company=node.company())
        self.node = node
        self.columns = FEED_COLUMNS

    def lookup(self, codes: set[str]) -> dict[str, int]:
        retailers = Retailer.objects.filter(company=self.company,
                                            area__path__startswith=self.node.path)
        found: dict[str, int] = {}
        for queryset in filtered_in(retailers, "code", codes):
            found.update(queryset.values_list("code", "id"))
        return found

    def check(self, items: list) -> None:
        """Parse and check every row; the errors are in `self.errors`, by index."""
        self.feed([self.record(index, item) for index, item in enumerate(items)])
        self.errors.sort(key=lambda error: -1 if error.row is None else error.row)

    def record(self, index: int, item) -> Record:
        if not isinstance(item, dict):
            self.error(index, "", _("Each row must be an object with the fields %(fields)s.")
                       % {"fields": ", ".join(FIELDS)})
            return Record(index, {}, True, set(FIELDS))
        values, failed = {}, set()
        for column in self.columns:
            value = item.get(column.key)
            try:
                if cells.is_empty(value):
                    raise cells.CellError(_("This field is required."))
                if isinstance(value, (bool, dict, list)):
                    raise cells.CellError(_("“%(value)s” is neither a number nor a text.")
                                          % {"value": json.dumps(value, ensure_ascii=False)})
                values[column.key] = column.parse(value)
            except cells.CellError as exc:
                self.error(index, column.key, str(exc))
                failed.add(column.key)
        return Record(index, values, bool(failed), failed)

    def write(self) -> dict:
        """The import's counts (facts, added, replaced), plus how many of the replaced
        facts already had exactly these figures (a batch sent again: all of them)."""
        unchanged = self.unchanged()
        return {**super().write(), "unchanged": unchanged}

    def unchanged(self) -> int:
        sent = {(plan[1], plan[2]): tuple(plan[3:]) for plan in self.plan}
        existing = MonthlyFact.objects.filter(
            retailer_id__in={key[0] for key in sent}, month__in={key[1] for key in sent},
        ).values_list("retailer_id", "month", *AMOUNTS)
        return sum(1 for row in existing if sent.get(row[:2]) == tuple(row[2:]))


# Receiving a batch -------------------------------------------------------------------

class KeyReused(Exception):
    """The Idempotency-Key was accepted before with another request."""


@dataclass
class FeedOutcome:
    batch: FeedBatch
    errors: list[RowError] = field(default_factory=list)
    replayed: bool = False  # the batch accepted earlier under the same Idempotency-Key
    too_large: bool = False


def error_dict(error: RowError) -> dict:
    return {"index": error.row, "field": error.column, "message": error.message}


def feed_batch_receive(*, token: FeedToken, node: OrgNode, facts: list,
                       idempotency_key: str = "", fingerprint: str = "") -> FeedOutcome:
    """Check a batch of facts for retailers under `node` and write it whole, or refuse
    it whole with every bad row; either way it is logged. With an Idempotency-Key, the
    batch accepted earlier under that key is returned instead (KeyReused when this
    request is another one). `node` must be the token's node or under it."""
    if not node.path.startswith(token.node.path):
        raise ValidationError({"node": _("This node is outside the token's node.")})
    key = idempotency_key.strip()
    earlier = _held_by(token, key)
    if earlier is not None:
        return _replay(earlier, fingerprint)
    with transaction.atomic():
        try:
            with transaction.atomic():
                # The key is claimed first: a concurrent duplicate waits here until this
                # batch is done, then finds it accepted (or refused: then it runs itself).
                batch = FeedBatch.objects.create(token=token, node=node, rows=len(facts),
                                                 idempotency_key=key, request_hash=fingerprint)
        except IntegrityError:
            earlier = _held_by(token, key)
            if earlier is None:
                raise
            return _replay(earlier, fingerprint)
        if len(facts) > max_rows():
            error = RowError(None, "facts", _(
                "At most %(limit)s rows per batch (this one has %(count)s). Send them in "
                "several batches.") % {"limit": f"{max_rows():,}", "count": f"{len(facts):,}"})
            _finish(batch, status=FeedBatch.Status.REFUSED, errors=[error])
            return FeedOutcome(batch, [error], too_large=True)
        checker = FeedFactChecker(node=node)
        checker.check(facts)
        if checker.errors:
            _finish(batch, status=FeedBatch.Status.REFUSED, errors=checker.errors)
            return FeedOutcome(batch, checker.errors)
        _finish(batch, status=FeedBatch.Status.ACCEPTED, counts=checker.write())
        return FeedOutcome(batch)


def _held_by(token: FeedToken, key: str) -> FeedBatch | None:
    if not key:
        return None
    return FeedBatch.objects.select_related("node").filter(token=token, idempotency_key=key) \
        .exclude(status=FeedBatch.Status.REFUSED).first()


def _replay(batch: FeedBatch, fingerprint: str) -> FeedOutcome:
    if batch.request_hash != fingerprint:
        raise KeyReused
    return FeedOutcome(batch, replayed=True)


def _finish(batch: FeedBatch, *, status: str, errors: list[RowError] = (),
            counts: dict | None = None) -> None:
    batch.status = status
    batch.finished_at = timezone.now()
    batch.accepted = batch.rows if status == FeedBatch.Status.ACCEPTED else 0
    batch.rejected = len({error.row for error in errors if error.row is not None})
    batch.error_count = len(errors)
    batch.errors = [error_dict(error) for error in errors[:ERRORS_KEPT]]
    batch.counts = counts or {}
    batch.save()
