from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin import ReadOnlyAdmin
from reports import feed
from reports.models import FeedBatch, FeedToken


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    """Issue a token (its secret is shown once, on the page after saving) and revoke it.
    A token is never edited or deleted: its batches stay attributable to it."""

    list_display = ["name", "node", "prefix", "created_at", "created_by", "last_used_at",
                    "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "node__name", "node__code"]
    autocomplete_fields = ["node"]
    list_select_related = ["node", "created_by"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "node"]
        return ["name", "node", "prefix", "created_at", "created_by", "last_used_at",
                "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, secret = feed.feed_token_issue(name=obj.name, node=obj.node, actor=request.user)
        obj.pk, obj.prefix, obj.digest = token.pk, token.prefix, token.digest
        obj.created_at, obj.created_by = token.created_at, token.created_by
        obj._state.adding = False
        self.message_user(request, _(
            "Copy the token now, it is not shown again: %(secret)s — the order system sends "
            "it as “Authorization: Bearer <token>”.") % {"secret": secret}, messages.WARNING)

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        revoked = sum(feed.feed_token_revoke(token=token, actor=request.user)
                      for token in queryset.select_related("node"))
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": revoked},
                          messages.SUCCESS)


@admin.register(FeedBatch)
class FeedBatchAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "token", "node", "status", "rows", "accepted", "rejected",
                    "error_count"]
    list_filter = ["status", "token"]
    search_fields = ["token__name", "node__code", "idempotency_key"]
    list_select_related = ["token", "node"]
    date_hierarchy = "received_at"
