"""Exactly-once creates for phones that retry: the `Idempotency-Key` header.

The client sends a fresh key per logical request (and a UUID per object it creates).
The first request with a key runs and its response is stored in the same transaction;
a retry with the same key and the same body gets the stored response again; the same
key with another body is refused with 422. Concurrent retries serialise on the unique
(user, key) index, so the work runs once.

The claim is the INSERT itself (`ON CONFLICT DO NOTHING`, PostgreSQL and SQLite): no
look-up before it. The stored response is the JSON text DRF's JSONRenderer made of the
first answer (kept as a JSON string: PostgreSQL's jsonb would reorder an object's
keys), so a replay renders to the same bytes as the first answer: datetimes in DRF's
ISO form, decimals as DRF writes them, keys in the same order.
"""

import functools
import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"


def request_fingerprint(request) -> str:
    body = request.data
    if hasattr(body, "dict"):  # QueryDict from multipart/form posts
        body = {key: body.getlist(key) for key in body}
    files = {name: (f.name, f.size) for name, f in getattr(request, "FILES", {}).items()}
    payload = json.dumps([request.method, request.path, body, files], sort_keys=True,
                         default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


CLAIM_SQL = """
INSERT INTO accounts_idempotencyrecord (user_id, key, request_hash, response_status,
                                        created_at)
VALUES (%s, %s, %s, 0, %s)
ON CONFLICT (user_id, key) DO NOTHING
RETURNING id"""


def rendered(data) -> str:
    """`data` as DRF's JSONRenderer writes it (what the first answer's body is)."""
    return JSONRenderer().render(data).decode()


def stored_data(body):
    """The data of a stored response: the rendered JSON text, or (records stored before
    the text was kept) the data itself."""
    return json.loads(body) if isinstance(body, str) else body


def _claim(user_id: int, key: str, fingerprint: str) -> int | None:
    """The new record's id, or None when the (user, key) record exists (a concurrent
    first request holding it makes this wait until it commits or rolls back)."""
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, (user_id, key, fingerprint,
                                   connection.ops.adapt_datetimefield_value(timezone.now())))
        row = cursor.fetchone()
    return row[0] if row else None


def _replay(user_id: int, key: str, fingerprint: str) -> Response | None:
    record = (IdempotencyRecord.objects.filter(user_id=user_id, key=key)
              .values_list("request_hash", "response_status", "response_body").first())
    if record is None:  # deleted since the claim found it: claim again
        return None
    request_hash, response_status, body = record
    if request_hash != fingerprint:
        return Response(
            {"non_field_errors": [_("This Idempotency-Key was already used for another "
                                    "request.")]},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(stored_data(body), status=response_status)
    response[REPLAY_HEADER] = "true"
    return response


def run_once(request, handler) -> Response:
    """Run `handler()` (which returns a DRF Response) once per (user, Idempotency-Key)."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > 100:
        return Response({HEADER: [_("At most 100 characters.")]},
                        status=status.HTTP_400_BAD_REQUEST)
    fingerprint = request_fingerprint(request)
    user_id = request.user.pk
    for _attempt in range(3):  # another try only if the holder's record went meanwhile
        with transaction.atomic():
            # Claim the key first: a concurrent duplicate blocks here until we commit.
            record_id = _claim(user_id, key, fingerprint)
            if record_id is not None:
                response = handler()
                if response.status_code >= 400:
                    # Nothing was written by a refused request: let the phone fix and retry.
                    transaction.set_rollback(True)
                    return response
                IdempotencyRecord.objects.filter(pk=record_id).update(
                    response_status=response.status_code,
                    response_body=rendered(response.data))
                return response
        replay = _replay(user_id, key, fingerprint)
        if replay is not None:
            return replay
    raise RuntimeError(f"Idempotency-Key {key!r}: neither claimed nor stored")


def idempotent(view_method):
    """Decorate a viewset method (create, or a create-like @action) to honour the key."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        return run_once(request, lambda: view_method(self, request, *args, **kwargs))

    return wrapper


class IdempotentCreateMixin:
    """For viewsets using DRF's own `create`: it honours the Idempotency-Key header.
    A viewset that writes its own `create` decorates it with `@idempotent` instead."""

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
