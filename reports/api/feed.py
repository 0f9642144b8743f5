"""API of the order-system feed: `Authorization: Bearer <token>` only.

POST /api/reports/feed/nodes/<node code>/facts/   push a batch of monthly facts
GET  /api/reports/feed/batches/[<id>/]            the token's own batches

The token authentication below is set on these views alone: a session cookie does not
open them, and a feed token opens nothing else (every other view authenticates by
session only).
"""

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from accounts.api.base import ScopedViewSetMixin
from accounts.idempotency import HEADER, REPLAY_HEADER, request_fingerprint
from reports import feed
from reports.models import FeedBatch, FeedToken


class FeedClient:
    """`request.user` of a feed request: the token, standing in for a person. It holds
    no membership and no role, so nothing but the feed's own views lets it in."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = id = None
    language = ""

    def __init__(self, token: FeedToken):
        self.feed_token = token

    def __str__(self) -> str:
        return f"feed token {self.feed_token.name}"


class FeedTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: write “Bearer <token>”."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = feed.feed_token_for_secret(secret=secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        feed.feed_token_touch(token=token)
        return FeedClient(token), token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request without a valid token.
        return 'Bearer realm="keqing-feed"'


class FeedTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema (registered by being defined)."""

    target_class = FeedTokenAuthentication
    name = "feedToken"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization",
                                                   token_prefix="Bearer")


class IsFeedClient(permissions.BasePermission):
    """Only a feed token: a logged-in person (even an administrator) is refused."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, FeedClient)


class FeedThrottle(SimpleRateThrottle):
    """Requests per token (REPORTS_FEED_RATE, 120/min by default)."""

    def get_rate(self) -> str:
        return getattr(settings, "REPORTS_FEED_RATE", "120/min")

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.user, FeedClient):
            return None
        return f"throttle_feed_{request.user.feed_token.digest[:32]}"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class FeedErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True,
                                     help_text=_("The row's index in facts (from 0)."))
    field = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class FeedBatchSerializer(serializers.ModelSerializer):
    node = serializers.CharField(source="node.code")
    errors = FeedErrorSerializer(many=True)

    class Meta:
        model = FeedBatch
        fields = ["id", "node", "status", "received_at", "finished_at", "rows", "accepted",
                  "rejected", "counts", "error_count", "errors"]
        read_only_fields = fields


class FeedPushSerializer(serializers.Serializer):
    """The envelope: {"facts": [row, …]}; the rows themselves are checked by the
    service, so that every bad row is reported with its index."""

    facts = serializers.ListField(child=serializers.JSONField(), allow_empty=False,
                                  help_text=_("Rows with the fields code, month, "
                                              "purchase_amount, purchase_quantity, "
                                              "collected_amount, order_success_rate, "
                                              "e_settlement_rate."))

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_(
                    "Unknown field. This feed takes monthly facts only: send "
                    "{\"facts\": [...]}.")] for name in unknown})
        return super().to_internal_value(data)


PUSH_RESPONSES = {
    201: FeedBatchSerializer,
    413: OpenApiResponse(FeedBatchSerializer, description="More rows than allowed."),
    422: OpenApiResponse(FeedBatchSerializer,
                         description="Refused whole: `errors` lists every bad row."),
}


class FeedBatchViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """The order system's feed of monthly facts, authenticated by a token bound to one
    org node. A batch is written whole or refused whole (every bad row listed); sending
    it again changes nothing. See README "Order-system feed"."""

    authentication_classes = [FeedTokenAuthentication]
    permission_classes = [IsFeedClient]
    throttle_classes = [FeedThrottle]
    token_authenticated = True  # the route walker proves it with tokens, not sessions
    queryset = FeedBatch.objects.select_related("node")
    serializer_class = FeedBatchSerializer
    filterset_fields = ["status"]
    ordering_fields = ["received_at", "id"]

    @extend_schema(request=FeedPushSerializer, responses=PUSH_RESPONSES)
    def create(self, request, node_code: str):
        """Push monthly facts for retailers under the node (the token's node or one under
        it). Honours an Idempotency-Key header."""
        token = request.user.feed_token
        if int(request.META.get("CONTENT_LENGTH") or 0) > feed.max_bytes():
            raise RequestTooLarge(_("The request is larger than %(limit)s MB. Send the rows "
                                    "in several batches.")
                                  % {"limit": feed.max_bytes() // 2 ** 20})
        key = request.headers.get(HEADER, "").strip()
        if len(key) > 100:
            raise exceptions.ValidationError({HEADER: [_("At most 100 characters.")]})
        node = feed.feed_node(token=token, code=node_code)
        if node is None:
            raise Http404
        push = FeedPushSerializer(data=request.data)
        push.is_valid(raise_exception=True)
        try:
            outcome = feed.feed_batch_receive(
                token=token, node=node, facts=push.validated_data["facts"],
                idempotency_key=key,
                fingerprint=request_fingerprint(request))
        except feed.KeyReused:
            return Response({"non_field_errors": [_(
                "This Idempotency-Key was already used for another request.")]},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        body = self.get_serializer(outcome.batch).data
        if outcome.errors:
            body["errors"] = [feed.error_dict(error) for error in outcome.errors]
        response = Response(body, status=_status_of(outcome))
        if outcome.replayed:
            response[REPLAY_HEADER] = "true"
        return response


def _status_of(outcome: feed.FeedOutcome) -> int:
    if outcome.too_large:
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    if outcome.batch.status == FeedBatch.Status.REFUSED:
        return status.HTTP_422_UNPROCESSABLE_ENTITY
    return status.HTTP_201_CREATED
