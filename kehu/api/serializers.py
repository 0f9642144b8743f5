from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.base import ScopedModelSerializer, ScopedSerializer
from accounts.models import OrgNode, User
from kehu import privacy
from kehu.models import (
    KeyPerson,
    MonthlyFact,
    PersonalDataRead,
    RelationshipCriterion,
    RelationshipTick,
    Retailer,
    RetailerAssignment,
)

BUSINESS_TYPES = dict(Retailer.BusinessType.choices)
TRADE_AREAS = dict(Retailer.TradeArea.choices)
STATUSES = dict(Retailer.Status.choices)


def retailer_list_row(row: dict) -> dict:
    """One row of the retailer list from `selectors.retailer_list_rows` (no model objects:
    the list must stay fast at thousands of rows per rep)."""
    lat, lng = row["latitude"], row["longitude"]
    return {
        "id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "address": row["address"],
        "business_type": row["business_type"],
        "business_type_label": str(BUSINESS_TYPES.get(row["business_type"], "")),
        "trade_area": row["trade_area"],
        "trade_area_label": str(TRADE_AREAS.get(row["trade_area"], "")),
        "status": row["status"],
        "status_label": str(STATUSES.get(row["status"], "")),
        "grade": row["grade"],
        "relationship_level": row["relationship_level"],
        "assigned_rep": row["assigned_rep_id"],
        "assigned_rep_name": row["assigned_rep__name"],
        "area": row["area_id"],
        "area_name": row["area__name"],
        "latitude": None if lat is None else str(lat),
        "longitude": None if lng is None else str(lng),
    }


class RetailerListRowSerializer(serializers.Serializer):
    """Schema of `retailer_list_row` for the OpenAPI document."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    business_type = serializers.CharField()
    business_type_label = serializers.CharField()
    trade_area = serializers.CharField()
    trade_area_label = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    grade = serializers.CharField()
    relationship_level = serializers.IntegerField()
    assigned_rep = serializers.IntegerField(allow_null=True)
    assigned_rep_name = serializers.CharField(allow_null=True)
    area = serializers.IntegerField()
    area_name = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)


class KeyPersonSerializer(ScopedModelSerializer):
    """Personal fields come masked unless the reader may see them; unmasked reads by
    anyone but the assigned rep are collected in context["unmasked"] for the read log."""

    role_label = serializers.CharField(source="get_role_display", read_only=True)
    masked = serializers.SerializerMethodField()

    class Meta:
        model = KeyPerson
        fields = ["id", "retailer", "role", "role_label", "name", "phone", "birthday",
                  "birthday_is_lunar", "lunar_month", "lunar_day", "lunar_leap_month",
                  "family", "interests", "notes", "erased_at", "masked"]
        read_only_fields = ["erased_at"]

    def _unmasked_for(self, person) -> bool:
        request = self.context.get("request")
        return request is not None and privacy.sees_unmasked(request.user, person)

    def get_masked(self, person) -> bool:
        return not self._unmasked_for(person)

    def to_representation(self, person):
        data = super().to_representation(person)
        if self._unmasked_for(person):
            self.context.setdefault("unmasked", []).append(person)
        else:
            data.update(privacy.masked_values(person))
        return data


class KeyPersonWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyPerson
        fields = ["role", "name", "phone", "birthday", "birthday_is_lunar", "lunar_month",
                  "lunar_day", "lunar_leap_month", "family", "interests", "notes"]


class RetailerCardSerializer(ScopedModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    assigned_rep_name = serializers.CharField(source="assigned_rep.name", read_only=True,
                                              default=None)
    business_type_label = serializers.CharField(source="get_business_type_display",
                                                read_only=True)
    trade_area_label = serializers.CharField(source="get_trade_area_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    order_channel_label = serializers.CharField(source="get_order_channel_display",
                                                read_only=True)
    key_persons = KeyPersonSerializer(many=True, read_only=True)

    class Meta:
        model = Retailer
        fields = ["id", "code", "name", "licence_no", "business_type", "business_type_label",
                  "trade_area", "trade_area_label", "address", "area", "area_name",
                  "latitude", "longitude", "assigned_rep", "assigned_rep_name", "status",
                  "status_label", "credit_limit", "order_channel", "order_channel_label",
                  "e_settlement", "grade", "relationship_level", "duplicate_reason",
                  "key_persons", "created_at", "updated_at"]
        read_only_fields = ["grade", "relationship_level", "duplicate_reason", "created_at",
                            "updated_at"]


class RetailerCreateSerializer(ScopedModelSerializer):
    area = serializers.PrimaryKeyRelatedField(queryset=OrgNode.objects.all(), label=_("area"))
    assigned_rep = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), label=_("assigned rep"), required=False, allow_null=True)
    key_persons = KeyPersonWriteSerializer(many=True, required=False)
    confirm_not_duplicate = serializers.BooleanField(required=False, default=False,
                                                     label=_("not a duplicate"))
    duplicate_reason = serializers.CharField(required=False, allow_blank=True,
                                             label=_("why this is not a duplicate"))

    class Meta:
        model = Retailer
        fields = ["code", "name", "licence_no", "business_type", "trade_area", "address",
                  "area", "latitude", "longitude", "assigned_rep", "status", "credit_limit",
                  "order_channel", "e_settlement", "key_persons", "confirm_not_duplicate",
                  "duplicate_reason"]
        validators = []  # uniqueness is the service's (with field-named errors)


class RetailerUpdateSerializer(ScopedModelSerializer):
    confirm_not_duplicate = serializers.BooleanField(required=False, default=False)
    duplicate_reason = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = Retailer
        fields = ["name", "licence_no", "business_type", "trade_area", "address", "latitude",
                  "longitude", "status", "credit_limit", "order_channel", "e_settlement",
                  "confirm_not_duplicate", "duplicate_reason"]
        validators = []


class DuplicateCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="retailer.id")
    code = serializers.CharField(source="retailer.code")
    name = serializers.CharField(source="retailer.name")
    address = serializers.CharField(source="retailer.address")
    licence_no = serializers.CharField(source="retailer.licence_no")
    latitude = serializers.DecimalField(source="retailer.latitude", max_digits=9,
                                        decimal_places=6)
    longitude = serializers.DecimalField(source="retailer.longitude", max_digits=9,
                                         decimal_places=6)
    reasons = serializers.ListField(child=serializers.CharField())


class ReassignSerializer(ScopedSerializer):
    retailers = serializers.PrimaryKeyRelatedField(
        queryset=Retailer.objects.all(), many=True, label=_("retailers"))
    to_rep = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), label=_("to rep"))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                   label=_("reason"))


class MonthlyFactSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonthlyFact
        fields = ["id", "retailer", "month", "purchase_amount", "purchase_quantity",
                  "collected_amount", "order_success_rate", "e_settlement_rate",
                  "imported_at"]
        read_only_fields = fields


class RetailerAssignmentSerializer(serializers.ModelSerializer):
    from_rep_name = serializers.CharField(source="from_rep.name", default=None)
    to_rep_name = serializers.CharField(source="to_rep.name", default=None)
    by_name = serializers.CharField(source="by.name")

    class Meta:
        model = RetailerAssignment
        fields = ["id", "retailer", "from_rep", "from_rep_name", "to_rep", "to_rep_name",
                  "by", "by_name", "at", "reason"]
        read_only_fields = fields


class CriterionSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = RelationshipCriterion
        fields = ["id", "level", "code", "label"]


class RelationshipTickSerializer(ScopedModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    criterion_label = serializers.CharField(source="criterion.label", read_only=True)
    level = serializers.IntegerField(source="criterion.level", read_only=True)

    class Meta:
        model = RelationshipTick
        fields = ["id", "retailer", "criterion", "criterion_label", "level", "status",
                  "status_label", "evidence", "ticked_by", "ticked_at", "reviewed_by",
                  "reviewed_at", "review_note"]
        read_only_fields = ["status", "ticked_by", "ticked_at", "reviewed_by", "reviewed_at",
                            "review_note"]
        validators = []


class TickReviewSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                 label=_("review note"))


class EraseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("reason"))


class PersonalDataReadSerializer(serializers.ModelSerializer):
    reader_name = serializers.CharField(source="reader.name")
    key_person_name = serializers.CharField(source="key_person.name")

    class Meta:
        model = PersonalDataRead
        fields = ["id", "at", "reader", "reader_name", "key_person", "key_person_name",
                  "purpose"]
        read_only_fields = fields
