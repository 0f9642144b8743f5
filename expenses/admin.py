"""Operators' admin: standards, product lines and caps; the rest is read-only (the working-day
calendar is in accounts' admin)."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from expenses.models import (
    AdvanceAccount,
    AdvanceEntry,
    AdvanceLimit,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    PreApproval,
    ProductLine,
    SpotCheck,
)


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
