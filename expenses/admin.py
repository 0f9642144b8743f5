"""Operators' admin: the working-day calendar (editable: the next year's State Council notice
is entered here), standards, product lines and caps; the rest is read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ReadOnlyAdmin
from expenses.models import (
    AdvanceAccount,
    AdvanceEntry,
    AdvanceLimit,
    CalendarDay,
    CalendarYear,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    PreApproval,
    ProductLine,
    SpotCheck,
)


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ["date", "is_workday", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """A year listed here is covered: its holidays and make-up working days are the rows
    below, every other day follows Monday–Friday. A year missing here makes every deadline
    in it an error until it is entered."""

    list_display = ["year", "source", "notice", "day_count", "updated_at"]
    inlines = [CalendarDayInline]
    readonly_fields = ["updated_at"]

    @admin.display(description=_("listed days"))
    def day_count(self, obj) -> int:
        return obj.days.count()


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name", "calendar_year"]
    list_filter = ["calendar_year", "is_workday"]
    date_hierarchy = "date"


@admin.register(ProductLine)
class ProductLineAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "company", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]


@admin.register(ExpenseStandard)
class ExpenseStandardAdmin(admin.ModelAdmin):
    list_display = ["product_line", "node", "basis", "rate", "collection_rule", "valid_from",
                    "valid_until"]
    list_filter = ["basis", "collection_rule"]


@admin.register(AdvanceLimit)
class AdvanceLimitAdmin(admin.ModelAdmin):
    list_display = ["company", "cap", "updated_by", "updated_at"]



@admin.register(ClaimLine)
class ClaimLineAdmin(ReadOnlyAdmin):
    list_display = ["spent_on", "rep", "retailer", "category", "amount", "payable_amount"]
    list_filter = ["category", "month"]


@admin.register(PreApproval)
class PreApprovalAdmin(ReadOnlyAdmin):
    list_display = ["applied_on", "rep", "retailer", "amount", "contract_date", "status"]
    list_filter = ["status"]


@admin.register(MonthlyStatement)
class MonthlyStatementAdmin(ReadOnlyAdmin):
    list_display = ["month", "rep", "status", "late", "claimed_total", "payable_total",
                    "paid_total"]
    list_filter = ["status", "late", "month"]


@admin.register(AdvanceAccount)
class AdvanceAccountAdmin(ReadOnlyAdmin):
    list_display = ["rep", "area", "outstanding", "updated_at"]


@admin.register(AdvanceEntry)
class AdvanceEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "account", "kind", "amount", "outstanding_after", "by"]
    list_filter = ["kind"]


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyAdmin):
    list_display = ["statement", "seed", "created_at"]
