"""The managers' dashboards, cached: each answer (dashboard kind, node, period, business
date, language) is kept in Django's cache (Redis in production, locmem in the embedded
default) under the version of its company, and every write to what the dashboards read
bumps that version, so a hit is one cache round trip (the version and the answer, which
carries the version it was computed at), and a changed figure is never served from the
cache.

The writers that bump (after their commit):
- reports.aggregates: RepDay, AreaGradeMonth and AreaProblemDay rows written (the refresh
  tasks after a visit, missed visit, problem or plan changed, the nightly step, the fill);
- a finished JobRun of a nightly step (grading's rep scorecards, read by the month's
  figures, and every other step of the night), see reports.signals;
- MonthlyStatement saved or deleted (statements waiting, counted live), the nightly
  voiding of overdue statements (a bulk UPDATE: bumped when its Celery task ends);
- OrgNode, Membership and User (names shown on the dashboard) saved or deleted.

The answer holds nothing of the user who asked: figures are read as a manager of the
node (every user who may open a node reaches everything under it, see
reports.selectors.dashboards), so one answer serves them all; who may open which node is
decided before the cache. TTL is a safety net for writes nobody told us of.
"""

import logging
import time
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils import translation

log = logging.getLogger(__name__)

TTL_SECONDS = 10 * 60
PREFIX = "reports:dashboard"
# The answer's layout: raised when its fields change, so an answer cached by the code
# before is never served to the new page (2: `flagged` in the figures; 3: the scorecards'
# and statements' drill-downs at the node).
SHAPE = 3


def _version_key(company_path: str) -> str:
    return f"{PREFIX}:v:{company_path}"


def _company_path(path: str) -> str:
    from accounts.models import OrgNode

    return path[: OrgNode.steplen]


def _fresh_version() -> int:
    # Not 1: a version key lost (eviction, a flushed Redis) must not come back at a
    # value whose answers may still be cached.
    return time.time_ns() // 1000


def version(company_path: str) -> int:
    key = _version_key(company_path)
    value = cache.get(key)
    if value is None:
        cache.add(key, _fresh_version(), timeout=None)
        value = cache.get(key)
    return value


def _bump_now(company_paths: Iterable[str]) -> None:
    for company in set(company_paths):
        key = _version_key(company)
        try:
            try:
                cache.incr(key)
            except ValueError:  # missing: start it (a later reader would start it anyway)
                if not cache.add(key, _fresh_version(), timeout=None):
                    cache.incr(key)
        except Exception:  # noqa: BLE001 - a cache that is down must not fail the write
            # (nothing is served from it meanwhile; what it kept expires within the TTL)
            log.warning("dashboard cache version of %s not bumped", company, exc_info=True)


def bump_paths(paths: Iterable[str]) -> None:
    """Bump the companies of these org paths now and again once the current transaction
    commits. Now: the writer's own connection may read its answer before the commit (and
    tests run inside one transaction); at the commit: a reader that took the first bump
    before the commit may have stored the old figures under it."""
    companies = {_company_path(p) for p in paths if p}
    if companies:
        _bump_now(companies)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: _bump_now(companies), robust=True)


def bump_nodes(node_ids: Iterable[int]) -> None:
    from accounts.models import OrgNode

    ids = {i for i in node_ids if i is not None}
    if ids:
        bump_paths(OrgNode.objects.filter(pk__in=ids).values_list("path", flat=True))


def bump_all() -> None:
    from accounts.models import OrgNode

    bump_paths(OrgNode.objects.filter(depth=1).values_list("path", flat=True))


def answer_key(*, kind: str, node, period) -> str:
    return (f"{PREFIX}:{SHAPE}:{kind}:{node.pk}:{period.kind}:{period.first.isoformat()}:"
            f"{period.last.isoformat()}:{period.today.isoformat()}:"
            f"{translation.get_language() or '-'}")


def cached(*, kind: str, node, period, compute: Callable[[], bytes]) -> bytes:
    """The answer from the cache, or computed and stored with the company's version
    (read before computing: a write committed meanwhile bumps past it). The version and
    the answer are read in one round trip; an answer stored under another version is a
    miss (and is overwritten)."""
    version_key = _version_key(_company_path(node.path))
    key = answer_key(kind=kind, node=node, period=period)
    try:
        found = cache.get_many([version_key, key])
        current = found.get(version_key)
        if current is None:
            current = version(_company_path(node.path))
        stored = found.get(key)
    except Exception:  # noqa: BLE001 - the cache is down: answer without it
        log.warning("dashboard cache unavailable", exc_info=True)
        return compute()
    if stored is not None and stored[0] == current:
        return stored[1]
    answer = compute()
    try:
        cache.set(key, (current, answer), timeout=TTL_SECONDS)
    except Exception:  # noqa: BLE001
        log.warning("dashboard answer not cached", exc_info=True)
    return answer
