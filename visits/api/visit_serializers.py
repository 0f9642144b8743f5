"""Serializers of visits, photos, problems, missed visits and the preparation view."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.base import ScopedSerializer
from accounts.models import User
from kehu.models import KeyPerson, Retailer
from visits.api.serializers import point
from visits.models import MissedVisit, Photo, PriceCheck, Problem, StockLine, Visit

LATITUDE = {"max_digits": 9, "decimal_places": 6, "min_value": -90, "max_value": 90,
            "required": False, "allow_null": True, "default": None}
LONGITUDE = {**LATITUDE, "min_value": -180, "max_value": 180}
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}
QUANTITY = {"max_digits": 10, "decimal_places": 2, "min_value": 0}


def flag_messages(visit: Visit) -> list[str]:
    """What a reviewer should know about a visit's evidence, in words."""
    messages = []
    if visit.gps_missing:
        messages.append(gettext("No GPS position at check-in: the visit is flagged for review."))
    if visit.far_from_store:
        messages.append(gettext("Checked in %(distance)s m from the store (allowed: %(radius)s m).")
                        % {"distance": visit.checkin_distance_m, "radius": visit.radius_m})
    if visit.clock_suspect:
        messages.append(gettext("The phone's clock was off by more than the tolerance."))
    if getattr(visit, "photo_reused", False):
        messages.append(gettext("A photo of this visit was already used on another visit."))
    return messages


class PriceCheckInputSerializer(serializers.Serializer):
    product_code = serializers.CharField(label=_("product code"), max_length=50,
                                         required=False, allow_blank=True, default="")
    product_name = serializers.CharField(label=_("product"), max_length=100, required=False,
                                         allow_blank=True, default="")
    guide_price = serializers.DecimalField(label=_("guide price"), **MONEY, required=False,
                                           allow_null=True, default=None)
    observed_price = serializers.DecimalField(label=_("observed price"), **MONEY)


class StockLineInputSerializer(serializers.Serializer):
    product_code = serializers.CharField(label=_("product code"), max_length=50,
                                         required=False, allow_blank=True, default="")
    product_name = serializers.CharField(label=_("product"), max_length=100)
    on_hand = serializers.DecimalField(label=_("on hand"), **QUANTITY)
    suggested_order = serializers.DecimalField(label=_("suggested order"), **QUANTITY,
                                               required=False, default=0)


class VisitFormSerializer(serializers.Serializer):
    answers = serializers.JSONField(label=_("answers"), required=False)
    communication_notes = serializers.CharField(label=_("communication"), required=False,
                                                allow_blank=True)
    promotion_notes = serializers.CharField(label=_("brand promotion"), required=False,
                                            allow_blank=True)
    competitor_info = serializers.CharField(label=_("competitor information"),
                                            required=False, allow_blank=True)
    consumer_feedback = serializers.CharField(label=_("consumer feedback"), required=False,
                                              allow_blank=True)
    retailer_requests = serializers.CharField(label=_("retailer's requests"), required=False,
                                              allow_blank=True)
    price_checks = PriceCheckInputSerializer(many=True, required=False)
    stock_lines = StockLineInputSerializer(many=True, required=False)


class CheckInSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(label=_("client id"))
    retailer = serializers.IntegerField(label=_("retailer"))
    kind = serializers.ChoiceField(label=_("kind"), choices=Visit.Kind.choices,
                                   default=Visit.Kind.ON_SITE)
    device_time = serializers.DateTimeField(label=_("phone time"), required=False,
                                            allow_null=True, default=None)
    latitude = serializers.DecimalField(label=_("latitude"), **LATITUDE)
    longitude = serializers.DecimalField(label=_("longitude"), **LONGITUDE)
    accuracy_m = serializers.IntegerField(label=_("accuracy (m)"), min_value=0,
                                          max_value=100_000, required=False, allow_null=True,
                                          default=None)
    gps_error = serializers.ChoiceField(label=_("GPS problem"),
                                        choices=Visit.GpsError.choices, required=False,
                                        allow_blank=True, default="")


class CheckOutSerializer(VisitFormSerializer):
    device_time = serializers.DateTimeField(label=_("phone time"), required=False,
                                            allow_null=True, default=None)
    latitude = serializers.DecimalField(label=_("latitude"), **LATITUDE)
    longitude = serializers.DecimalField(label=_("longitude"), **LONGITUDE)
    accuracy_m = serializers.IntegerField(label=_("accuracy (m)"), min_value=0,
                                          max_value=100_000, required=False, allow_null=True,
                                          default=None)


class PriceCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceCheck
        fields = ["product_code", "product_name", "guide_price", "observed_price", "compliant"]


class StockLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockLine
        fields = ["product_code", "product_name", "on_hand", "suggested_order"]


class PhotoSerializer(serializers.ModelSerializer):
    reused = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    # Served through the scoped API, never as public media URLs.
    image = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "client_id", "visit", "kind", "kind_label", "image", "thumbnail",
                  "width", "height", "sha256", "original_type", "original_size", "taken_at",
                  "taken_at_source", "reused", "reused_from", "uploaded_at"]
        read_only_fields = fields

    def get_reused(self, photo) -> bool:
        return photo.reused_from_id is not None

    def get_image(self, photo) -> str:
        return reverse("visits-api:photo-image", args=[photo.pk])

    def get_thumbnail(self, photo) -> str:
        return reverse("visits-api:photo-thumbnail", args=[photo.pk])


class PhotoUploadSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(label=_("client id"))
    visit = serializers.IntegerField(label=_("visit"))
    kind = serializers.ChoiceField(label=_("kind"), choices=Photo.Kind.choices,
                                   default=Photo.Kind.DISPLAY)
    image = serializers.FileField(label=_("image"))
    taken_at = serializers.DateTimeField(label=_("taken at"), required=False, allow_null=True,
                                         default=None)


class VisitSerializer(serializers.ModelSerializer):
    rep_name = serializers.CharField(source="rep.__str__", read_only=True)
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    flags = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "client_id", "rep", "rep_name", "retailer", "retailer_name", "kind",
                  "kind_label", "status", "status_label", "visit_date", "objective",
                  "started_at", "ended_at", "duration_s", "flags", "evidence"]
        read_only_fields = fields

    def get_flags(self, visit) -> dict:
        return visit_flags(visit)

    def get_evidence(self, visit) -> dict:
        return visit_evidence(visit)


def visit_flags(visit: Visit) -> dict:
    return {"gps_missing": visit.gps_missing, "far_from_store": visit.far_from_store,
            "clock_suspect": visit.clock_suspect,
            "photo_reused": bool(getattr(visit, "photo_reused", False)),
            "messages": flag_messages(visit)}


def visit_evidence(visit: Visit) -> dict:
    return {
        "device_started_at": visit.device_started_at, "received_at": visit.received_at,
        "skew_s": visit.skew_s, "clock_offset_s": visit.clock_offset_s,
        "checkin": point(visit.checkin_latitude, visit.checkin_longitude),
        "checkin_accuracy_m": visit.checkin_accuracy_m, "gps_error": visit.gps_error,
        "checkin_distance_m": visit.checkin_distance_m, "radius_m": visit.radius_m,
        "device_ended_at": visit.device_ended_at,
        "checkout_received_at": visit.checkout_received_at,
        "checkout": point(visit.checkout_latitude, visit.checkout_longitude),
        "checkout_distance_m": visit.checkout_distance_m,
        "store": point(visit.retailer.latitude, visit.retailer.longitude),
    }


class VisitDetailSerializer(VisitSerializer):
    price_checks = PriceCheckSerializer(many=True, read_only=True)
    stock_lines = StockLineSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "template_version", "answers",
                  "communication_notes", "promotion_notes", "competitor_info",
                  "consumer_feedback", "retailer_requests", "price_checks", "stock_lines",
                  "photos"]
        read_only_fields = fields


_MOMENT = serializers.DateTimeField()
_DAY = serializers.DateField()
VISIT_KINDS = dict(Visit.Kind.choices)
VISIT_STATUSES = dict(Visit.Status.choices)


def _lines(serializer, rows: list, context: dict) -> list:
    return serializer(rows, many=True, context=context).data if rows else []


def visit_detail(visit: Visit, *, lines: bool = True, context: dict | None = None) -> dict:
    """`VisitDetailSerializer(visit).data` built directly: the answer of every write of
    a phone (check-in, form, check-out), where building the ModelSerializer's ~30 fields
    and its three nested serializers cost more than the rest of the request. `lines`
    False for a visit just checked in: it cannot have price checks, stock lines or
    photos yet (they are added to a saved visit), so they are not read. The retailer and
    rep must be loaded (and the price checks, stock lines and photos prefetched)."""
    context = context or {}
    return {
        "id": visit.pk, "client_id": str(visit.client_id), "rep": visit.rep_id,
        "rep_name": str(visit.rep), "retailer": visit.retailer_id,
        "retailer_name": visit.retailer.name, "kind": visit.kind,
        "kind_label": str(VISIT_KINDS.get(visit.kind, visit.kind)), "status": visit.status,
        "status_label": str(VISIT_STATUSES.get(visit.status, visit.status)),
        "visit_date": _DAY.to_representation(visit.visit_date), "objective": visit.objective,
        "started_at": _MOMENT.to_representation(visit.started_at),
        "ended_at": _MOMENT.to_representation(visit.ended_at) if visit.ended_at else None,
        "duration_s": visit.duration_s, "flags": visit_flags(visit),
        "evidence": visit_evidence(visit),
        "template_version": visit.template_version_id, "answers": visit.answers,
        **{field: getattr(visit, field) for field in (
            "communication_notes", "promotion_notes", "competitor_info",
            "consumer_feedback", "retailer_requests")},
        "price_checks": _lines(PriceCheckSerializer, list(visit.price_checks.all()), context)
        if lines else [],
        "stock_lines": _lines(StockLineSerializer, list(visit.stock_lines.all()), context)
        if lines else [],
        "photos": _lines(PhotoSerializer, list(visit.photos.all()), context) if lines else [],
    }


class ProblemSerializer(serializers.ModelSerializer):
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Problem
        fields = ["id", "client_id", "retailer", "retailer_name", "visit", "category",
                  "category_label", "description", "owner", "owner_name", "due_date",
                  "status", "status_label", "overdue", "resolution", "solved_at",
                  "solved_by", "solved_visit", "raised_by", "created_at", "updated_at"]
        read_only_fields = fields


class ProblemCreateSerializer(ScopedSerializer):
    client_id = serializers.UUIDField(label=_("client id"))
    retailer = serializers.IntegerField(label=_("retailer"))
    visit = serializers.IntegerField(label=_("visit"), required=False, allow_null=True,
                                     default=None)
    category = serializers.ChoiceField(label=_("category"), choices=Problem.Category.choices)
    description = serializers.CharField(label=_("description"), allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(label=_("owner"), queryset=User.objects.all(),
                                               required=False, allow_null=True, default=None)
    due_date = serializers.DateField(label=_("due date"), required=False, allow_null=True,
                                     default=None)


class ProblemUpdateSerializer(ScopedSerializer):
    owner = serializers.PrimaryKeyRelatedField(label=_("owner"), queryset=User.objects.all(),
                                               required=False)
    due_date = serializers.DateField(label=_("due date"), required=False)
    status = serializers.ChoiceField(label=_("status"), required=False, choices=[
        (Problem.Status.OPEN, Problem.Status.OPEN.label),
        (Problem.Status.IN_PROGRESS, Problem.Status.IN_PROGRESS.label)])
    category = serializers.ChoiceField(label=_("category"), choices=Problem.Category.choices,
                                       required=False)
    description = serializers.CharField(label=_("description"), required=False,
                                        allow_blank=True)


class SolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(label=_("resolution"), allow_blank=True)
    visit = serializers.IntegerField(label=_("visit"), required=False, allow_null=True,
                                     default=None)


class MissedVisitSerializer(serializers.ModelSerializer):
    retailer_name = serializers.CharField(source="retailer.name", read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = MissedVisit
        fields = ["id", "client_id", "rep", "retailer", "retailer_name", "date", "reason",
                  "reason_label", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


class MissedVisitCreateSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(label=_("client id"))
    retailer = serializers.IntegerField(label=_("retailer"))
    date = serializers.DateField(label=_("planned day"))
    reason = serializers.ChoiceField(label=_("reason"), choices=MissedVisit.Reason.choices)
    note = serializers.CharField(label=_("note"), max_length=300, required=False,
                                 allow_blank=True, default="")


class MissedVisitUpdateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(label=_("reason"), choices=MissedVisit.Reason.choices,
                                     required=False)
    note = serializers.CharField(label=_("note"), max_length=300, required=False,
                                 allow_blank=True)


KEY_PERSON_ROLES = dict(KeyPerson.PersonRole.choices)
BUSINESS_TYPES = dict(Retailer.BusinessType.choices)
VISIT_KINDS = dict(Visit.Kind.choices)
PROBLEM_CATEGORIES = dict(Problem.Category.choices)


def _label(labels: dict, value, default=None) -> str:
    """As `get_FOO_display()`: the choice's label in the active language."""
    return str(labels.get(value, value if default is None else default))


def preparation_data(prep: dict) -> dict:
    """The preparation view as plain JSON (no personal data of key persons: names and
    roles only; the card's own page shows the rest under its masking rules). `prep` is
    one of `visits.selectors.visits.preparations`: plain rows, no model instances."""
    retailer, last = prep["retailer"], prep["last_visit"]
    return {
        "retailer": {
            "id": retailer["id"], "code": retailer["code"], "name": retailer["name"],
            "address": retailer["address"], "business_type": retailer["business_type"],
            "business_type_label": _label(BUSINESS_TYPES, retailer["business_type"], ""),
            "grade": retailer["grade"] or "C", "graded": bool(retailer["grade"]),
            "status": retailer["status"],
            "relationship_level": retailer["relationship_level"],
            "location": point(retailer["latitude"], retailer["longitude"]),
        },
        "key_persons": [{"name": p["name"], "role": p["role"],
                         "role_label": _label(KEY_PERSON_ROLES, p["role"], "")}
                        for p in prep["key_persons"]],
        "objective": prep["objective"],
        "last_visit": None if last is None else {
            "id": last["id"], "visit_date": last["visit_date"], "kind": last["kind"],
            "kind_label": _label(VISIT_KINDS, last["kind"]), "status": last["status"],
            "duration_s": last["duration_s"],
            "communication_notes": last["communication_notes"],
            "competitor_info": last["competitor_info"],
            "consumer_feedback": last["consumer_feedback"],
            "retailer_requests": last["retailer_requests"],
        },
        "open_problems": [{"id": p["id"], "category": p["category"],
                           "category_label": _label(PROBLEM_CATEGORIES, p["category"]),
                           "description": p["description"],
                           "owner": p["owner__name"] or p["owner__username"],
                           "due_date": p["due_date"], "status": p["status"],
                           "overdue": p["overdue"]}
                          for p in prep["open_problems"]],
        "facts": [{"month": f["month"].strftime("%Y-%m"),
                   "purchase_amount": str(f["purchase_amount"]),
                   "collected_amount": str(f["collected_amount"]),
                   "order_success_rate": str(f["order_success_rate"])} for f in prep["facts"]],
        "template": prep["template"],
    }
