"""Operators' view of visits. Plans, visits and their evidence are read-only here:
they change through the services (state machine, audit trail), not by hand."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ReadOnlyAdmin
from visits.models import (
    DayRoute,
    MissedVisit,
    Photo,
    PlanStop,
    PriceCheck,
    Problem,
    StockLine,
    Visit,
    VisitPlan,
    VisitPolicy,
    VisitTemplate,
    VisitTemplateVersion,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VisitPolicy)
class VisitPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["company", "interval_days_a", "interval_days_b", "interval_days_c",
                    "max_stops_per_day", "checkin_radius_m", "updated_at"]
    readonly_fields = ["updated_at", "updated_by"]


class TemplateVersionInline(ReadOnlyInline):
    model = VisitTemplateVersion
    fields = ["number", "created_by", "created_at"]
    readonly_fields = fields


@admin.register(VisitTemplate)
class VisitTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "business_type", "node", "current_version", "created_at"]
    list_filter = ["business_type"]
    inlines = [TemplateVersionInline]


@admin.register(VisitTemplateVersion)
class VisitTemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ["template", "number", "created_by", "created_at"]


class PlanStopInline(ReadOnlyInline):
    model = PlanStop
    fields = ["date", "position", "retailer", "objective", "fixed_time"]
    readonly_fields = fields


@admin.register(VisitPlan)
class VisitPlanAdmin(ReadOnlyAdmin):
    list_display = ["rep", "month", "version", "status", "decided_by", "decided_at"]
    list_filter = ["status", "month"]
    search_fields = ["rep__username", "rep__name"]
    list_select_related = ["rep", "decided_by"]
    inlines = [PlanStopInline]


@admin.register(DayRoute)
class DayRouteAdmin(ReadOnlyAdmin):
    list_display = ["rep", "date", "distance_m", "optimised_at"]
    list_select_related = ["rep"]


class PriceCheckInline(ReadOnlyInline):
    model = PriceCheck
    fields = ["product_name", "guide_price", "observed_price", "compliant"]
    readonly_fields = fields


class StockLineInline(ReadOnlyInline):
    model = StockLine
    fields = ["product_name", "on_hand", "suggested_order"]
    readonly_fields = fields


class PhotoInline(ReadOnlyInline):
    model = Photo
    fields = ["kind", "image", "sha256", "taken_at", "reused_from"]
    readonly_fields = fields


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["visit_date", "rep", "retailer", "kind", "status", "checkin_distance_m",
                    "gps_missing", "far_from_store", "clock_suspect"]
    list_filter = ["kind", "status", "gps_missing", "far_from_store", "clock_suspect"]
    search_fields = ["retailer__name", "retailer__code", "rep__name"]
    date_hierarchy = "visit_date"
    list_select_related = ["rep", "retailer"]
    inlines = [PriceCheckInline, StockLineInline, PhotoInline]


@admin.register(Photo)
class PhotoAdmin(ReadOnlyAdmin):
    list_display = ["visit", "kind", "sha256", "taken_at", "reused_from", "uploaded_at"]
    search_fields = ["sha256"]


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ["retailer", "category", "owner", "due_date", "status"]
    list_filter = ["status", "category"]
    search_fields = ["retailer__name", "description"]
    list_select_related = ["retailer", "owner"]


@admin.register(MissedVisit)
class MissedVisitAdmin(ReadOnlyAdmin):
    list_display = ["date", "rep", "retailer", "reason", "note"]
    list_filter = ["reason"]
    list_select_related = ["rep", "retailer"]
