"""Helpers shared by the visits viewsets."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from accounts.models import Role

DEVICE_TIME_HEADER = "X-Device-Time"
MANAGERS = (Role.OFFICE_MANAGER, Role.REGIONAL_MANAGER)
FIELD_WORKERS = (Role.REP, *MANAGERS)


def device_sent_at(request) -> datetime | None:
    """The phone's clock when it sent this request (header, so that retries of a queued
    request keep an identical body for the Idempotency-Key)."""
    raw = request.headers.get(DEVICE_TIME_HEADER, "").strip()
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        raise exceptions.ValidationError(
            {DEVICE_TIME_HEADER: [_("Not a date and time (ISO 8601).")]})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def scoped_or_404(model, user, pk):
    """The object if the user may reach it; 404 otherwise (never 403: no confirmation
    that it exists)."""
    return get_object_or_404(model.objects.for_user(user), pk=pk)


def created_or_replayed(data, created: bool) -> Response:
    """201 for a new object; 200 when the same client id had already created it."""
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
