"""Serializers of 客情费. Money is a string in JSON (COERCE_DECIMAL_TO_STRING)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

from accounts.api.base import ScopedModelSerializer, ScopedSerializer
from accounts.models import OrgNode
from expenses.models import (
    AdvanceAccount,
    AdvanceEntry,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    NewCustomerRow,
    PreApproval,
    ProductLine,
    SpotCheck,
    SpotCheckItem,
    StatementRow,
)
from kehu.models import KeyPerson, Retailer

MONEY_ERRORS = {
    "invalid": _("Enter an amount in yuan, such as 12.50."),
    "max_decimal_places": _("An amount has at most two decimals (fen)."),
    "max_digits": _("The amount is too large."),
    "max_whole_digits": _("The amount is too large."),
}


def money_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2,
                                    error_messages=MONEY_ERRORS, **kwargs)


class MonthField(serializers.DateField):
    """A month as "YYYY-MM" (or any date in it); the first day of the month inside."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_internal_value(self, value):
        text = str(value).strip()
        if len(text) == 7:
            text += "-01"
        return super().to_internal_value(text).replace(day=1)

    def to_representation(self, value):
        return None if value is None else value.strftime("%Y-%m")


class InScopeRetailerField(serializers.PrimaryKeyRelatedField):
    """A retailer the user may reach; any other id is a 404, as if it did not exist."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Retailer.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return self.get_queryset().get(pk=int(data))
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError(_("Choose a retailer.")) from exc
        except Retailer.DoesNotExist as exc:
            raise exceptions.NotFound(_("No such retailer among yours.")) from exc


# Claim lines ------------------------------------------------------------------------------

class ClaimLineSerializer(ScopedModelSerializer):
    rep_name = serializers.CharField(source="rep.name", read_only=True)
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    key_person_name = serializers.CharField(source="key_person.name", read_only=True,
                                            default=None)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    product_line_name = serializers.CharField(source="product_line.name", read_only=True,
                                              default=None)
    month = MonthField(read_only=True)
    receipt_url = serializers.SerializerMethodField()
    locked = serializers.SerializerMethodField()

    class Meta:
        model = ClaimLine
        fields = ["id", "rep", "rep_name", "retailer", "retailer_name", "key_person",
                  "key_person_name", "category", "category_label", "product_line",
                  "product_line_name", "pre_approval", "amount", "spent_on", "month", "note",
                  "receipt_url", "statement", "payable_amount", "locked", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def get_receipt_url(self, line) -> str:
        return f"/api/expenses/claim-lines/{line.pk}/receipt/"

    def get_locked(self, line) -> bool:
        """Whether the line's month is submitted (the line can no longer change)."""
        return bool(line.statement_id and line.statement.status
                    not in MonthlyStatement.EDITABLE)


class ClaimLineWriteSerializer(ScopedSerializer):
    retailer = InScopeRetailerField(label=_("retailer"))
    key_person = serializers.PrimaryKeyRelatedField(
        queryset=KeyPerson.objects.all(), required=False, allow_null=True,
        label=_("key person"))
    category = serializers.ChoiceField(choices=ClaimLine.Category.choices, label=_("category"))
    product_line = serializers.PrimaryKeyRelatedField(
        queryset=ProductLine.objects.all(), required=False, allow_null=True,
        label=_("product line"))
    pre_approval = serializers.PrimaryKeyRelatedField(
        queryset=PreApproval.objects.all(), required=False, allow_null=True,
        label=_("pre-approval"))
    amount = money_field(label=_("amount"))
    spent_on = serializers.DateField(label=_("spent on"))
    receipt = serializers.FileField(label=_("receipt photo"), error_messages={
        "required": _("A receipt photo is required."),
        "empty": _("The receipt photo is empty."),
        "invalid": _("The receipt must be a photo (JPEG, PNG or WebP).")})
    note = serializers.CharField(required=False, allow_blank=True, max_length=500,
                                 label=_("note"))


class ClaimLineUpdateSerializer(ClaimLineWriteSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = False


class StepSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    formula = serializers.CharField()
    value = serializers.CharField()


class LinePayableSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="line_id")
    payable = serializers.DecimalField(max_digits=12, decimal_places=2)
    steps = StepSerializer(many=True)


# Pre-approvals ----------------------------------------------------------------------------

class PreApprovalSerializer(ScopedModelSerializer):
    rep_name = serializers.CharField(source="rep.name", read_only=True)
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by.name", read_only=True,
                                            default=None)

    class Meta:
        model = PreApproval
        fields = ["id", "rep", "rep_name", "retailer", "retailer_name", "amount", "purpose",
                  "applied_on", "contract_date", "status", "status_label", "decided_by",
                  "decided_by_name", "decided_on", "reason", "created_at"]
        read_only_fields = fields


class PreApprovalCreateSerializer(ScopedSerializer):
    retailer = InScopeRetailerField(label=_("retailer"))
    amount = money_field(label=_("amount"))
    purpose = serializers.CharField(max_length=300, label=_("purpose"))
    contract_date = serializers.DateField(required=False, allow_null=True,
                                          label=_("contract date"))


class ContractDateSerializer(serializers.Serializer):
    contract_date = serializers.DateField(label=_("contract date"))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("reason"), error_messages={
        "required": _("Give a reason."), "blank": _("Give a reason.")})


# Statements -------------------------------------------------------------------------------

class StatementRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementRow
        fields = ["retailer", "retailer_code", "retailer_name", "purchase_amount",
                  "purchase_quantity", "collected_amount", "collection_rate",
                  "claimed_amount", "payable_amount", "line_count"]
        read_only_fields = fields


class NewCustomerRowSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = NewCustomerRow
        fields = ["pre_approval", "retailer", "retailer_code", "retailer_name", "applied_on",
                  "approved_on", "contract_date", "status", "status_label",
                  "approved_amount", "claimed_amount", "payable_amount"]
        read_only_fields = fields


SIGNATURES = ["clerk_checked_by", "clerk_checked_at", "manager_approved_by",
              "manager_approved_at", "finance_approved_by", "finance_approved_at"]


class StatementSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    month = MonthField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    clerk_checked_by_name = serializers.CharField(source="clerk_checked_by.name",
                                                  default=None, read_only=True)
    manager_approved_by_name = serializers.CharField(source="manager_approved_by.name",
                                                     default=None, read_only=True)
    finance_approved_by_name = serializers.CharField(source="finance_approved_by.name",
                                                     default=None, read_only=True)

    class Meta:
        model = MonthlyStatement
        fields = ["id", "rep", "rep_name", "area", "area_name", "month", "status",
                  "status_label", "submit_due", "review_due", "payout_from", "submitted_at",
                  "late", "submissions", "purchase_total", "collected_total", "claimed_total",
                  "payable_total", "new_customer_total", "paid_total", *SIGNATURES,
                  "clerk_checked_by_name", "manager_approved_by_name",
                  "finance_approved_by_name", "returned_by", "returned_at", "return_reason",
                  "void_reason", "voided_at"]
        read_only_fields = fields


class StatementDetailSerializer(StatementSerializer):
    rows = StatementRowSerializer(many=True, read_only=True)
    new_customer_rows = NewCustomerRowSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "rows", "new_customer_rows"]
        read_only_fields = fields


class StatementSubmitSerializer(serializers.Serializer):
    month = MonthField(label=_("month"))


class MonthQuerySerializer(serializers.Serializer):
    month = MonthField(label=_("month"))


class PayoutSerializer(serializers.Serializer):
    amount = money_field(label=_("amount"), required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                 label=_("note"))


# Standards, advances, spot checks ---------------------------------------------------------

class ProductLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductLine
        fields = ["id", "company", "code", "name", "active"]
        read_only_fields = ["id", "company", "active"]


class ExpenseStandardSerializer(ScopedModelSerializer):
    node = serializers.PrimaryKeyRelatedField(queryset=OrgNode.objects.all(),
                                              label=_("applies under"))
    node_name = serializers.CharField(source="node.name", read_only=True)
    product_line_name = serializers.CharField(source="product_line.name", read_only=True)
    basis_label = serializers.CharField(source="get_basis_display", read_only=True)
    collection_rule_label = serializers.CharField(source="get_collection_rule_display",
                                                  read_only=True)
    rate = serializers.DecimalField(max_digits=10, decimal_places=4, label=_("rate"),
                                    error_messages={
                                        "invalid": _("The rate must be a number above zero."),
                                        "max_decimal_places": _(
                                            "A rate has at most four decimals.")})
    valid_from = MonthField(label=_("valid from month"))
    valid_until = MonthField(label=_("valid until month"), required=False, allow_null=True)

    class Meta:
        model = ExpenseStandard
        fields = ["id", "node", "node_name", "product_line", "product_line_name", "basis",
                  "basis_label", "rate", "collection_rule", "collection_rule_label",
                  "valid_from", "valid_until", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]
        validators = []  # the service names the field


class StandardEndSerializer(serializers.Serializer):
    valid_until = MonthField(label=_("valid until month"), allow_null=True)


class AdvanceAccountSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = AdvanceAccount
        fields = ["id", "rep", "rep_name", "area", "area_name", "outstanding", "updated_at"]
        read_only_fields = fields


class AdvanceEntrySerializer(serializers.ModelSerializer):
    rep = serializers.IntegerField(source="account.rep_id", read_only=True)
    rep_name = serializers.CharField(source="account.rep.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    month = MonthField(source="statement.month", read_only=True, default=None)
    by_name = serializers.CharField(source="by.name", read_only=True)

    class Meta:
        model = AdvanceEntry
        fields = ["id", "account", "rep", "rep_name", "kind", "kind_label", "amount",
                  "outstanding_after", "statement", "month", "by", "by_name", "at", "note"]
        read_only_fields = fields


class SettleSerializer(serializers.Serializer):
    amount = money_field(label=_("amount"))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                 label=_("note"))


class AdvanceCapSerializer(serializers.Serializer):
    cap = money_field(label=_("advance cap per rep"))


class SpotCheckItemSerializer(serializers.ModelSerializer):
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    result_label = serializers.CharField(source="get_result_display", read_only=True)
    checked_by_name = serializers.CharField(source="checked_by.name", read_only=True,
                                            default=None)
    statement = serializers.IntegerField(source="spot_check.statement_id", read_only=True)
    rep_name = serializers.CharField(source="spot_check.statement.rep.name", read_only=True)

    class Meta:
        model = SpotCheckItem
        fields = ["id", "spot_check", "statement", "rep_name", "retailer", "retailer_name",
                  "result", "result_label", "note", "checked_by", "checked_by_name",
                  "checked_at"]
        read_only_fields = fields


class SpotCheckSerializer(serializers.ModelSerializer):
    items = SpotCheckItemSerializer(many=True, read_only=True)
    # A string: the 62-bit seed is past what a JavaScript number holds exactly (2**53), and
    # a rounded seed would not reproduce the draw.
    seed = serializers.CharField(read_only=True)
    rep_name = serializers.CharField(source="statement.rep.name", read_only=True)
    month = MonthField(source="statement.month", read_only=True)

    class Meta:
        model = SpotCheck
        fields = ["id", "statement", "rep_name", "month", "seed", "sample_size",
                  "candidates", "items", "created_at"]
        read_only_fields = fields


class SpotCheckRecordSerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=[SpotCheckItem.Result.CONFIRMED, SpotCheckItem.Result.NOT_CONFIRMED],
        label=_("result"))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                 label=_("note"))
