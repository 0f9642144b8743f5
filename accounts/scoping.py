"""The one scoping primitive: `Model.objects.for_user(user)`.

A model opts in by using a `ScopedQuerySet` (or subclass) as its manager and saying
where its org node path is (`scope_path_lookup`, e.g. "area__path") and, optionally,
which column names the rep who owns the row (`scope_owner_lookup`). A user sees the
rows under any node where they hold a membership; at a rep membership exactly the rows
they own. Models whose rule is different override `scope_filter()`.
"""

from django.db import models
from django.db.models import Q

NOTHING = Q(pk__in=[])


def memberships_of(user) -> list:
    """The user's memberships with their nodes, loaded once per user object."""
    cached = getattr(user, "_scope_memberships", None)
    if cached is None:
        cached = list(user.memberships.select_related("node"))
        user._scope_memberships = cached
    return cached


def default_scope_filter(model, membership, user) -> Q:
    from accounts.models import Role

    if membership.role == Role.REP and model.scope_owner_lookup:
        # A rep reaches exactly the rows they own (their retailers, visits, claims),
        # wherever the row's area is: ownership is only ever given within the company.
        # It is also the fast plan: one indexed column, no join to the org tree.
        return Q(**{model.scope_owner_lookup: user.pk})
    return Q(**{f"{model.scope_path_lookup}__startswith": membership.node.path})


def scope_q(model, user) -> Q:
    """The filter that keeps exactly the rows of `model` that `user` may reach."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    own_filter = getattr(model, "scope_filter", None)
    condition = NOTHING
    for membership in memberships_of(user):
        if own_filter is not None:
            condition |= own_filter(membership, user)
        else:
            condition |= default_scope_filter(model, membership, user)
    return condition


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user) -> models.QuerySet:
        return self.filter(scope_q(self.model, user))


def is_scoped_model(model) -> bool:
    return hasattr(model._default_manager.get_queryset(), "for_user")
