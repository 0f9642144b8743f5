"""Care reminders: the rep's list (today / upcoming / closed), done and skip; the policy."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import RolePermission, ScopedViewSetMixin
from accounts.idempotency import idempotent
from accounts.models import Role
from visits.care_calendar import HOLIDAYS, holiday_choices
from visits.models import Reminder, ReminderPolicy, Visit
from visits.selectors.common import TEMPLATE_ROLES, user_company
from visits.selectors.reminders import WHEN, birthday_privacy, reminders_when
from visits.services.reminders import (
    POLICY_FIELDS,
    reminder_complete,
    reminder_policy_for,
    reminder_policy_update,
    reminder_skip,
)


class ReminderSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    retailer_grade = serializers.CharField(source="retailer.grade", read_only=True)
    key_person_name = serializers.SerializerMethodField()
    detail_label = serializers.SerializerMethodField()
    rep_name = serializers.SerializerMethodField()

    class Meta:
        model = Reminder
        fields = ["id", "kind", "kind_label", "rep", "rep_name", "retailer", "retailer_name",
                  "retailer_grade", "key_person", "key_person_name", "occasion", "detail",
                  "detail_label", "due_date", "event_date", "source_visit", "status",
                  "status_label", "done_visit", "skip_reason", "note", "closed_at",
                  "created_at"]
        read_only_fields = fields

    def get_key_person_name(self, reminder) -> str | None:
        person = reminder.key_person
        return person.name if person and person.erased_at is None else None

    def get_detail_label(self, reminder) -> str:
        festival = HOLIDAYS.get(reminder.detail)
        return str(festival[3]) if festival else ""

    def get_rep_name(self, reminder) -> str:
        return str(reminder.rep)


class ReminderQuerySerializer(serializers.Serializer):
    when = serializers.ChoiceField(label=_("which"), choices=WHEN, default="today")
    rep = serializers.IntegerField(label=_("rep"), required=False)
    kind = serializers.ChoiceField(label=_("kind"), choices=Reminder.Kind.choices,
                                   required=False)


class ReminderDoneSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(label=_("client id"), required=False)
    visit = serializers.IntegerField(label=_("visit"), required=False)
    note = serializers.CharField(label=_("note"), max_length=300, required=False,
                                 allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs.get("client_id") and not attrs.get("visit"):
            raise serializers.ValidationError(
                {"client_id": [_("Send a client id to log a care call, or a visit.")]})
        return attrs


class ReminderSkipSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(label=_("reason"), choices=Reminder.SkipReason.choices)
    note = serializers.CharField(label=_("note"), max_length=300, required=False,
                                 allow_blank=True, default="")


class ReminderCursor(CursorPagination):
    """Open lists run from the oldest due day; closed and all lists from the newest."""

    ordering = ("due_date", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        if request.query_params.get("when") in ("closed", "all"):
            return ("-due_date", "-id")
        return self.ordering


class ReminderViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Care reminders. `?when=today` (default: open, due today or earlier), `upcoming`,
    `closed`, `all`. The rep closes theirs with `done` (logs a care call, or names a visit
    already logged) or `skip` (with a reason)."""

    queryset = Reminder.objects.select_related("retailer", "key_person", "rep")
    serializer_class = ReminderSerializer
    pagination_class = ReminderCursor
    write_roles = (Role.REP, Role.OFFICE_MANAGER, Role.REGIONAL_MANAGER)

    def get_queryset(self):
        queryset = birthday_privacy(super().get_queryset(), self.request.user)
        if self.action != "list":
            return queryset
        query = ReminderQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if data.get("rep"):
            queryset = queryset.filter(rep_id=data["rep"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        return reminders_when(queryset, data["when"], timezone.localdate())

    @extend_schema(parameters=[ReminderQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ReminderDoneSerializer, responses=ReminderSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def done(self, request, pk=None):
        """Done: logs a care call to the retailer now (send `client_id`, a UUID), or
        links a visit you already logged to it (`visit`)."""
        serializer = ReminderDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = None
        if data.get("visit"):
            visit = Visit.objects.for_user(request.user).filter(pk=data["visit"]).first()
            if visit is None:
                raise serializers.ValidationError({"visit": [_("Choose one of your visits.")]})
        reminder = reminder_complete(reminder=self.get_object(), actor=request.user,
                                     client_id=data.get("client_id"), note=data["note"],
                                     visit=visit)
        return Response(ReminderSerializer(reminder).data)

    @extend_schema(request=ReminderSkipSerializer, responses=ReminderSerializer)
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        """Skip with a reason (`other` needs a note)."""
        serializer = ReminderSkipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reminder = reminder_skip(reminder=self.get_object(), actor=request.user,
                                 **serializer.validated_data)
        return Response(ReminderSerializer(reminder).data)


class ReminderPolicySerializer(serializers.ModelSerializer):
    holidays = serializers.ListField(child=serializers.ChoiceField(choices=holiday_choices()),
                                     required=False)

    class Meta:
        model = ReminderPolicy
        fields = ["company", *sorted(POLICY_FIELDS), "updated_at", "updated_by"]
        read_only_fields = ["company", "updated_at", "updated_by"]
        extra_kwargs = {f: {"required": False} for f in POLICY_FIELDS}


class ReminderPolicyView(APIView):
    """The reminder policy of the reader's company (GET); regional managers and admins
    change it (PATCH)."""

    permission_classes = [RolePermission]
    write_roles = TEMPLATE_ROLES

    def _company(self, request):
        company = user_company(request.user)
        if company is None:
            raise Http404
        return company

    @extend_schema(responses=ReminderPolicySerializer)
    def get(self, request):
        return Response(ReminderPolicySerializer(reminder_policy_for(self._company(request))).data)

    @extend_schema(request=ReminderPolicySerializer, responses=ReminderPolicySerializer)
    def patch(self, request):
        serializer = ReminderPolicySerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        policy = reminder_policy_update(company=self._company(request), actor=request.user,
                                        **serializer.validated_data)
        return Response(ReminderPolicySerializer(policy).data)
