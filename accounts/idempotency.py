"""Exactly-once creates for phones that retry: the `Idempotency-Key` header.

The client sends a fresh key per logical request (and a UUID per object it creates).
The first request with a key runs and its response is stored in the same transaction;
a retry with the same key and the same body gets the stored response again; the same
key with another body is refused with 422. Concurrent retries serialise on the unique
(user, key) index, so the work runs once.
"""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import status
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


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        return Response(
            {"non_field_errors": [_("This Idempotency-Key was already used for another "
                                    "request.")]},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(record.response_body, status=record.response_status)
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
    existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
    if existing:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            # Claim the key first: a concurrent duplicate blocks here until we commit.
            record = IdempotencyRecord.objects.create(
                user=request.user, key=key, request_hash=fingerprint, response_status=0)
            response = handler()
            if response.status_code >= 400:
                # Nothing was written by a refused request: let the phone fix and retry.
                transaction.set_rollback(True)
                return response
            record.response_status = response.status_code
            record.response_body = json.loads(json.dumps(response.data, default=str))
            record.save(update_fields=["response_status", "response_body"])
            return response
    except IntegrityError:
        record = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if record is None:
            raise
        return _replay(record, fingerprint)


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
