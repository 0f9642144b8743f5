from django.contrib import admin, messages
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import ReadOnlyAdmin
from kehu import services
from kehu.models import (
    KeyPerson,
    MonthlyFact,
    PersonalDataRead,
    RelationshipCriterion,
    RelationshipTick,
    Retailer,
    RetailerAssignment,
)


class KeyPersonInline(admin.TabularInline):
    model = KeyPerson
    extra = 0
    fields = ["role", "name", "phone", "erased_at"]
    readonly_fields = ["erased_at"]


@admin.register(Retailer)
class RetailerAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "area", "assigned_rep", "grade", "relationship_level",
                    "status"]
    list_filter = ["status", "grade", "business_type", "trade_area", "relationship_level"]
    search_fields = ["code", "name", "licence_no", "address"]
    autocomplete_fields = ["area", "assigned_rep"]
    readonly_fields = ["search_keys", "relationship_level", "grade", "created_at", "updated_at"]
    list_select_related = ["area", "assigned_rep"]
    inlines = [KeyPersonInline]


@admin.register(KeyPerson)
class KeyPersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "role", "retailer", "erased_at"]
    search_fields = ["name", "retailer__name", "retailer__code"]
    raw_id_fields = ["retailer"]
    actions = ["erase_on_request"]

    @admin.action(description=_("Erase personal data on request"))
    def erase_on_request(self, request, queryset):
        reason = _("Erased on request through the administration (by %(user)s).") % {
            "user": request.user}
        erased = 0
        for person in queryset.filter(erased_at__isnull=True).select_related("retailer"):
            services.key_person_erase(key_person=person, actor=request.user, reason=reason)
            erased += 1
        self.message_user(request, _("%(count)d key persons erased.") % {"count": erased},
                          messages.SUCCESS)


@admin.register(MonthlyFact)
class MonthlyFactAdmin(admin.ModelAdmin):
    list_display = ["retailer", "month", "purchase_amount", "collected_amount"]
    list_filter = ["month"]
    raw_id_fields = ["retailer"]


@admin.register(RelationshipCriterion)
class RelationshipCriterionAdmin(admin.ModelAdmin):
    list_display = ["level", "code", "text", "position"]


@admin.register(RelationshipTick)
class RelationshipTickAdmin(SimpleHistoryAdmin):
    list_display = ["retailer", "criterion", "status", "ticked_by", "reviewed_by"]
    list_filter = ["status", "criterion__level"]
    raw_id_fields = ["retailer"]



@admin.register(RetailerAssignment)
class RetailerAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["retailer", "from_rep", "to_rep", "by", "at", "reason"]


@admin.register(PersonalDataRead)
class PersonalDataReadAdmin(ReadOnlyAdmin):
    list_display = ["at", "reader", "key_person", "purpose"]
