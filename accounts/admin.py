from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from accounts.models import (
    AuditEvent,
    CalendarDay,
    CalendarYear,
    JobRun,
    Membership,
    OrgNode,
    User,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by services (runs, audit trails, logs): viewable in the
    admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["node"]


@admin.register(OrgNode)
class OrgNodeAdmin(TreeAdmin):
    form = movenodeform_factory(OrgNode)
    list_display = ["name", "code", "kind"]
    search_fields = ["name", "code"]
    list_filter = ["kind"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "name", "phone", "is_active", "language"]
    search_fields = ["username", "name", "phone"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Keqing"), {"fields": ["name", "phone", "language"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "node", "created_at"]
    list_filter = ["role", "node__kind"]
    search_fields = ["user__username", "user__name", "node__name"]
    autocomplete_fields = ["user", "node"]


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["name", "scope", "status", "started_at", "finished_at", "counts"]
    list_filter = ["status", "name"]
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "from_state", "to_state"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "reason", "request_id"]

class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ["date", "is_workday", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """A year listed here is covered: its holidays and make-up working days are the rows
    below, every other day follows Monday–Friday. A year missing here makes every deadline
    in it an error (and planning falls back to Monday–Friday) until it is entered. A save
    here is seen by every process at once (`accounts.workdays`)."""

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
