"""The 客情费 API: declarations over the services; every viewset is scoped."""

from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import RolePermission, ScopedReadOnlyViewSet, ScopedViewSetMixin
from accounts.api.serializers import AuditEventSerializer
from accounts.idempotency import idempotent
from accounts.models import AuditEvent, OrgNode, Role
from accounts.selectors import primary_placement, user_has_role
from accounts.workdays import CalendarNotCovered
from expenses import exports, generation, selectors, services, workdays
from expenses.api import serializers as s
from expenses.filters import (
    AdvanceEntryFilterSet,
    ClaimLineFilterSet,
    ExpenseStandardFilterSet,
    MonthlyStatementFilterSet,
    PreApprovalFilterSet,
    SpotCheckItemFilterSet,
)
from expenses.models import (
    AdvanceAccount,
    AdvanceEntry,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    PreApproval,
    SpotCheck,
    SpotCheckItem,
)
from expenses.receipts import content_type
from expenses.services.common import holds_role_above

MANAGERS = (Role.OFFICE_MANAGER, Role.REGIONAL_MANAGER)
REVIEWERS = (Role.CLERK, *MANAGERS, Role.FINANCE)
FINANCE = (Role.FINANCE,)
SETTERS = (Role.FINANCE, Role.ADMIN)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def user_company(user) -> OrgNode:
    placement = primary_placement(user)
    if placement is None:
        raise exceptions.PermissionDenied(_("You are not placed in the organisation."))
    return OrgNode.objects.get(path=placement.node.path[: OrgNode.steplen])


class ClaimLineViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, mixins.UpdateModelMixin,
                       mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """A rep's 客情费 lines; the receipt photo is sent as multipart."""

    queryset = ClaimLine.objects.select_related(
        "rep", "retailer", "key_person", "product_line", "statement").order_by("-spent_on",
                                                                                "-id")
    serializer_class = s.ClaimLineSerializer
    filterset_class = ClaimLineFilterSet
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    write_roles = (Role.REP,)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_serializer_class(self):
        return {"create": s.ClaimLineWriteSerializer,
                "partial_update": s.ClaimLineUpdateSerializer}.get(self.action,
                                                                  s.ClaimLineSerializer)

    def _read(self, line) -> dict:
        return s.ClaimLineSerializer(self.get_queryset().get(pk=line.pk),
                                     context=self.get_serializer_context()).data

    @extend_schema(request=s.ClaimLineWriteSerializer, responses={201: s.ClaimLineSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            line = services.claim_line_create(rep=request.user, **serializer.validated_data)
            self.ensure_in_scope(line)
        return Response(self._read(line), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ClaimLineUpdateSerializer, responses=s.ClaimLineSerializer)
    def partial_update(self, request, *args, **kwargs):
        line = self.get_object()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            line = services.claim_line_update(line=line, actor=request.user,
                                              **serializer.validated_data)
            self.ensure_in_scope(line)
        return Response(self._read(line))

    def perform_destroy(self, instance):
        services.claim_line_delete(line=instance, actor=self.request.user)

    @extend_schema(responses=s.LinePayableSerializer)
    @action(detail=True, methods=["get"])
    def payable(self, request, pk=None):
        """The line's payable amount under the standard and the payable rule, step by step."""
        return Response(s.LinePayableSerializer(
            selectors.line_payable(self.get_object())).data)

    @extend_schema(responses={(200, "image/*"): bytes})
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None):
        """The receipt photo (served only to who may see the line)."""
        line = self.get_object()
        response = FileResponse(line.receipt.open("rb"), content_type=content_type(
            line.receipt.name))
        response["Content-Disposition"] = "inline"
        response["Cache-Control"] = "private, max-age=3600"
        return response


class PreApprovalViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, viewsets.GenericViewSet):
    """New-customer special expense applications: approved on or before the contract date."""

    queryset = PreApproval.objects.select_related("rep", "retailer", "decided_by")
    serializer_class = s.PreApprovalSerializer
    filterset_class = PreApprovalFilterSet
    write_roles = (Role.REP,)
    action_roles = {"approve": MANAGERS, "reject": MANAGERS,
                    "contract": (Role.REP, *MANAGERS)}

    def get_serializer_class(self):
        return {"create": s.PreApprovalCreateSerializer, "reject": s.ReasonSerializer,
                "contract": s.ContractDateSerializer}.get(self.action, s.PreApprovalSerializer)

    def _read(self, approval) -> dict:
        return s.PreApprovalSerializer(self.get_queryset().get(pk=approval.pk)).data

    @extend_schema(request=s.PreApprovalCreateSerializer,
                   responses={201: s.PreApprovalSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            approval = services.preapproval_create(rep=request.user,
                                                   **serializer.validated_data)
            self.ensure_in_scope(approval)
        return Response(self._read(approval), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.PreApprovalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        approval = services.preapproval_approve(pre_approval=self.get_object(),
                                                actor=request.user)
        return Response(self._read(approval))

    @extend_schema(request=s.ReasonSerializer, responses=s.PreApprovalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = services.preapproval_reject(pre_approval=self.get_object(),
                                               actor=request.user,
                                               reason=serializer.validated_data["reason"])
        return Response(self._read(approval))

    @extend_schema(request=s.ContractDateSerializer, responses=s.PreApprovalSerializer)
    @action(detail=True, methods=["post"])
    def contract(self, request, pk=None):
        """Record the contract date; an application not approved by then becomes void."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        approval = services.preapproval_record_contract(
            pre_approval=self.get_object(), actor=request.user,
            contract_date=serializer.validated_data["contract_date"])
        return Response(self._read(approval))


class StatementViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Monthly statements: a rep submits (POST with the month), the clerk, the manager and
    finance sign in turn, finance pays out an advance."""

    queryset = MonthlyStatement.objects.select_related(
        "rep", "area", "clerk_checked_by", "manager_approved_by", "finance_approved_by")
    serializer_class = s.StatementSerializer
    filterset_class = MonthlyStatementFilterSet
    write_roles = (Role.REP,)
    action_roles = {
        "clerk_check": (Role.CLERK,), "manager_approve": MANAGERS,
        "finance_approve": FINANCE, "return_statement": REVIEWERS, "payout": FINANCE,
        "generate": SETTERS,
    }

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("retrieve", "export"):
            return queryset.prefetch_related("rows", "new_customer_rows")
        return queryset

    def get_serializer_class(self):
        return {"retrieve": s.StatementDetailSerializer, "create": s.StatementSubmitSerializer,
                "return_statement": s.ReasonSerializer, "payout": s.PayoutSerializer,
                }.get(self.action, s.StatementSerializer)

    def _read(self, statement) -> dict:
        fresh = MonthlyStatement.objects.prefetch_related("rows", "new_customer_rows") \
            .select_related("rep", "area").get(pk=statement.pk)
        return s.StatementDetailSerializer(fresh).data

    @extend_schema(request=s.StatementSubmitSerializer,
                   responses={201: s.StatementDetailSerializer})
    @idempotent
    def create(self, request, *args, **kwargs):
        """Submit the month's statement (generated from the month's lines and facts)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        statement = services.statement_submit(rep=request.user,
                                              month=serializer.validated_data["month"])
        return Response(self._read(statement), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("month", str, required=True)],
                   responses={200: None})
    @action(detail=False, methods=["get"])
    def preview(self, request):
        """The rep's statement for a month as it would be generated now (nothing saved)."""
        query = s.MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data["month"]
        draft = selectors.statement_draft(request.user, month)
        try:
            deadlines, calendar_error = workdays.statement_deadlines(month).as_dict(), None
        except CalendarNotCovered as error:
            deadlines, calendar_error = None, error.message_dict["month"][0]
        return Response({
            "month": f"{month:%Y-%m}",
            "deadlines": deadlines,
            "calendar_error": calendar_error,
            "totals": {k: str(v) for k, v in draft.totals.items()},
            "rows": [{**{k: str(v) if not isinstance(v, int) else v
                         for k, v in vars(row).items()}} for row in draft.rows],
            "new_customer_rows": [{
                "pre_approval": row.pre_approval.pk, "retailer": row.pre_approval.retailer_id,
                "retailer_name": row.pre_approval.retailer.name,
                "status": row.pre_approval.status, "approved_amount": str(
                    row.pre_approval.amount), "claimed_amount": str(row.claimed_amount),
                "payable_amount": str(row.payable_amount)} for row in draft.new_customer_rows],
        })

    @extend_schema(request=s.StatementSubmitSerializer, responses={200: None})
    @action(detail=False, methods=["post"])
    @idempotent
    def generate(self, request):
        """Generate (or refresh) every rep's draft statement of a month in the company."""
        serializer = s.StatementSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = user_company(request.user)
        if not holds_role_above(request.user, SETTERS, company):
            raise exceptions.PermissionDenied(_("Only finance or an administrator of the "
                                                "company generates statements."))
        counts = generation.statements_generate(
            company=company, month=serializer.validated_data["month"],
            started_by=request.user)
        return Response(counts)

    def _transition(self, request, function, **kwargs):
        statement = function(statement=self.get_object(), **kwargs)
        return Response(self._read(statement))

    @extend_schema(request=None, responses=s.StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def resubmit(self, request, pk=None):
        return self._transition(request, services.statement_resubmit, rep=request.user)

    @extend_schema(request=None, responses=s.StatementDetailSerializer)
    @action(detail=True, methods=["post"], url_path="clerk-check")
    def clerk_check(self, request, pk=None):
        return self._transition(request, services.statement_review, actor=request.user,
                                step="clerk_check")

    @extend_schema(request=None, responses=s.StatementDetailSerializer)
    @action(detail=True, methods=["post"], url_path="manager-approve")
    def manager_approve(self, request, pk=None):
        return self._transition(request, services.statement_review, actor=request.user,
                                step="manager_approve")

    @extend_schema(request=None, responses=s.StatementDetailSerializer)
    @action(detail=True, methods=["post"], url_path="finance-approve")
    def finance_approve(self, request, pk=None):
        return self._transition(request, services.statement_review, actor=request.user,
                                step="finance_approve")

    @extend_schema(request=s.ReasonSerializer, responses=s.StatementDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_statement(self, request, pk=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._transition(request, services.statement_return, actor=request.user,
                                reason=serializer.validated_data["reason"])

    @extend_schema(request=s.PayoutSerializer, responses={201: s.AdvanceEntrySerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def payout(self, request, pk=None):
        """Pay the statement (or part of it) out as an advance, within the rep's cap."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.advance_payout(statement=self.get_object(), actor=request.user,
                                        amount=serializer.validated_data.get("amount"),
                                        note=serializer.validated_data.get("note", ""))
        return Response(s.AdvanceEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, exports.XLSX): bytes})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The statement and its new-customer summary as an Excel workbook."""
        statement = self.get_object()
        return xlsx_response(exports.statement_workbook(statement),
                             f"statement-{statement.month:%Y-%m}-{statement.rep_id}.xlsx")

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every transition of the statement (the audit trail, read-only)."""
        statement = self.get_object()
        events = AuditEvent.objects.filter(object_type=statement._meta.label_lower,
                                           object_id=str(statement.pk)).order_by("at", "id")
        return Response(AuditEventSerializer(events, many=True).data)


class ExpenseStandardViewSet(ScopedViewSetMixin, mixins.ListModelMixin,
                             mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    """Finance's standards per product line (元 per unit, or share of sales), per node."""

    queryset = ExpenseStandard.objects.select_related("node", "product_line").order_by(
        "product_line_id", "-valid_from", "id")
    serializer_class = s.ExpenseStandardSerializer
    filterset_class = ExpenseStandardFilterSet
    write_roles = SETTERS

    def get_serializer_class(self):
        return s.StandardEndSerializer if self.action == "end" else s.ExpenseStandardSerializer

    def create_instance(self, serializer):
        standard = services.standard_create(actor=self.request.user,
                                            **serializer.validated_data)
        serializer.instance = standard
        return standard

    @extend_schema(request=s.StandardEndSerializer, responses=s.ExpenseStandardSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """Set the last month a standard applies (its terms never change)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        standard = services.standard_end(standard=self.get_object(), actor=request.user,
                                         valid_until=serializer.validated_data["valid_until"])
        return Response(s.ExpenseStandardSerializer(standard,
                                                    context=self.get_serializer_context()).data)


class AdvanceAccountViewSet(ScopedReadOnlyViewSet):
    """Each rep's outstanding advance; finance settles."""

    queryset = AdvanceAccount.objects.select_related("rep", "area").order_by("rep_id")
    serializer_class = s.AdvanceAccountSerializer
    filterset_fields = ["rep", "area"]
    action_roles = {"settle": FINANCE}

    def get_serializer_class(self):
        return s.SettleSerializer if self.action == "settle" else s.AdvanceAccountSerializer

    @extend_schema(request=s.SettleSerializer, responses={201: s.AdvanceEntrySerializer})
    @action(detail=True, methods=["post"])
    @idempotent
    def settle(self, request, pk=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.advance_settle(account=self.get_object(), actor=request.user,
                                        amount=serializer.validated_data["amount"],
                                        note=serializer.validated_data.get("note", ""))
        return Response(s.AdvanceEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class AdvanceEntryViewSet(ScopedReadOnlyViewSet):
    """Payouts and settlements; finance exports a month's payouts."""

    queryset = AdvanceEntry.objects.select_related(
        "account__rep", "statement", "by").order_by("-at", "-id")
    serializer_class = s.AdvanceEntrySerializer
    filterset_class = AdvanceEntryFilterSet

    @extend_schema(parameters=[OpenApiParameter("month", str, required=True)],
                   responses={(200, exports.XLSX): bytes})
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The payouts against one month's statements, as an Excel workbook (finance)."""
        if not user_has_role(request.user, *SETTERS):
            raise exceptions.PermissionDenied(_("Only finance exports payouts."))
        query = s.MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data["month"]
        company = user_company(request.user)
        entries = self.get_queryset().filter(statement__month=month)
        return xlsx_response(
            exports.payouts_workbook(entries, company_name=company.name, month=month),
            f"payouts-{month:%Y-%m}.xlsx")


class SpotCheckViewSet(ScopedReadOnlyViewSet):
    """Spot checks drawn after payout (managers and finance; never the rep)."""

    queryset = SpotCheck.objects.select_related("statement__rep").prefetch_related(
        "items__retailer", "items__checked_by").order_by("-created_at", "-id")
    serializer_class = s.SpotCheckSerializer
    filterset_fields = ["statement"]


class SpotCheckItemViewSet(ScopedReadOnlyViewSet):
    """One drawn retailer; the manager records the result. Filter result=not_confirmed for
    finance's list of failed checks."""

    queryset = SpotCheckItem.objects.select_related(
        "retailer", "checked_by", "spot_check__statement__rep").order_by("spot_check_id", "id")
    serializer_class = s.SpotCheckItemSerializer
    filterset_class = SpotCheckItemFilterSet
    action_roles = {"record": MANAGERS}

    def get_serializer_class(self):
        return s.SpotCheckRecordSerializer if self.action == "record" \
            else s.SpotCheckItemSerializer

    @extend_schema(request=s.SpotCheckRecordSerializer, responses=s.SpotCheckItemSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.spot_check_record(item=self.get_object(), actor=request.user,
                                          **serializer.validated_data)
        return Response(s.SpotCheckItemSerializer(
            self.get_queryset().get(pk=item.pk)).data)


class DeadlinesView(APIView):
    """A month's statement deadlines on the statutory calendar (400 when the calendar does
    not cover the year yet)."""

    permission_classes = [RolePermission]

    @extend_schema(parameters=[OpenApiParameter("month", str, required=True)],
                   responses={200: None})
    def get(self, request):
        query = s.MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(workdays.statement_deadlines(query.validated_data["month"]).as_dict())


class AdvanceCapView(APIView):
    """The company's cap on each rep's outstanding advance; finance or an admin sets it."""

    permission_classes = [RolePermission]
    write_roles = SETTERS

    @extend_schema(responses=s.AdvanceCapSerializer)
    def get(self, request):
        company = user_company(request.user)
        return Response({"company": company.pk,
                         "cap": str(selectors.advance_cap(company))})

    @extend_schema(request=s.AdvanceCapSerializer, responses=s.AdvanceCapSerializer)
    def put(self, request):
        serializer = s.AdvanceCapSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = user_company(request.user)
        limit = services.advance_cap_set(company=company, actor=request.user,
                                         cap=serializer.validated_data["cap"])
        return Response({"company": company.pk, "cap": str(limit.cap)})


class ProductLinesView(APIView):
    """The product lines of the user's company; finance or an admin adds one."""

    permission_classes = [RolePermission]
    write_roles = SETTERS

    @extend_schema(responses=s.ProductLineSerializer(many=True))
    def get(self, request):
        lines = selectors.product_lines_for_user(request.user).order_by("code")
        return Response(s.ProductLineSerializer(lines, many=True).data)

    @extend_schema(request=s.ProductLineSerializer, responses={201: s.ProductLineSerializer})
    def post(self, request):
        serializer = s.ProductLineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.product_line_create(company=user_company(request.user),
                                            actor=request.user, **serializer.validated_data)
        return Response(s.ProductLineSerializer(line).data, status=status.HTTP_201_CREATED)
