"""Reads for accounts: what a user is, where they sit, what they may reach."""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.http import Http404

from accounts.models import JobRun, Membership, OrgNode, Role, User
from accounts.scoping import memberships_of

# The home page a role lands on is the one of its highest-ranking membership.
ROLE_RANK = [
    Role.ADMIN, Role.FINANCE, Role.REGIONAL_MANAGER, Role.OFFICE_MANAGER, Role.CLERK, Role.REP,
]


@dataclass(frozen=True)
class Placement:
    role: Role
    node: OrgNode


def primary_placement(user: User) -> Placement | None:
    """The user's main role and node, or None for someone with no membership."""
    memberships = memberships_of(user)
    if not memberships:
        return None
    best = min(memberships, key=lambda m: ROLE_RANK.index(Role(m.role)))
    return Placement(role=Role(best.role), node=best.node)


def user_roles(user: User) -> set[Role]:
    return {Role(m.role) for m in memberships_of(user)}


def user_has_role(user: User, *roles: Role) -> bool:
    return user.is_superuser or bool(user_roles(user) & set(roles))


def node_ancestry(node: OrgNode) -> list[OrgNode]:
    """The node's ancestors from the company down, then the node itself."""
    return [*OrgNode.objects.get_ancestors(node), node]


def nodes_with_parent_id(queryset):
    """Annotate each node with its parent's id in the same query (the parent's path is
    the node's path less one step)."""
    parent = OrgNode.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - OrgNode.steplen)
    ).values("pk")[:1]
    return queryset.annotate(parent_id=Subquery(parent))


def scoped_node(user: User, node_id: int | None) -> OrgNode | None:
    """The org node `node_id` if the user may see it (None when not given); raises
    OrgNode.DoesNotExist for a node outside their scope."""
    if node_id is None:
        return None
    return OrgNode.objects.for_user(user).get(pk=node_id)


def query_node(request) -> OrgNode | None:
    """The `node` of a page's query (the dashboards' drill-downs pass it): an org node the
    reader may see, or None; any other node, or a malformed id, is a 404."""
    text = request.GET.get("node", "").strip()
    if not text:
        return None
    try:
        return scoped_node(request.user, int(text))
    except (ValueError, OrgNode.DoesNotExist):
        raise Http404 from None


def nodes_for_user(user: User):
    return nodes_with_parent_id(OrgNode.objects.for_user(user))


def memberships_for_user(user: User):
    return Membership.objects.for_user(user).select_related("user", "node")


def users_for_user(user: User):
    return User.objects.for_user(user).prefetch_related("memberships__node")


def job_runs_for_user(user: User):
    return JobRun.objects.for_user(user).select_related("scope", "started_by")
