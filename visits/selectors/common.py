"""Small reads every part of visits needs: the policy, the rep's area, which plan counts,
which template applies."""

from datetime import date

from django.db.models import F, QuerySet

from accounts.models import Membership, OrgNode, Role, User
from accounts.scoping import memberships_of
from kehu.models import Retailer
from visits import template_schema
from visits.models import VisitPlan, VisitPolicy, VisitTemplateVersion
from visits.models.policy import ancestor_paths
from visits.selectors.sql import fetch, placeholders

APPROVER_ROLES = (Role.OFFICE_MANAGER, Role.REGIONAL_MANAGER)
TEMPLATE_ROLES = (Role.REGIONAL_MANAGER, Role.ADMIN)


def company_of(node: OrgNode) -> OrgNode:
    return OrgNode.objects.get(path=node.path[: OrgNode.steplen])


def policy_for(company: OrgNode) -> VisitPolicy:
    """The company's policy, or an unsaved one holding the defaults."""
    return VisitPolicy.objects.filter(company=company).first() or VisitPolicy(company=company)


def policy_for_node(node: OrgNode) -> VisitPolicy:
    """The policy of the node's company: one query when the company saved one (the
    company's path is the first step of the node's)."""
    saved = VisitPolicy.objects.filter(company__path=node.path[: OrgNode.steplen]).first()
    return saved or VisitPolicy(company=company_of(node))


def rep_area(rep: User) -> OrgNode | None:
    """The area where the person works as a rep (None: not a rep)."""
    membership = (Membership.objects.filter(user=rep, role=Role.REP)
                  .select_related("node").order_by("id").first())
    return membership.node if membership else None


def user_company(user: User) -> OrgNode | None:
    memberships = memberships_of(user)
    return company_of(memberships[0].node) if memberships else None


def holds_role_over(user: User, node: OrgNode, roles) -> bool:
    """True when the user holds one of `roles` at `node` or above it."""
    if user.is_superuser:
        return True
    return any(m.role in roles and node.path.startswith(m.node.path)
               for m in memberships_of(user))


def month_start(day: date) -> date:
    return day.replace(day=1)


def counting_plan(rep_id: int, month: date) -> VisitPlan | None:
    """The approved plan of a rep's month: the only one that counts for adherence."""
    return VisitPlan.objects.filter(rep_id=rep_id, month=month_start(month),
                                    status=VisitPlan.Status.APPROVED).first()


def working_plans(rep_id: int, month: date) -> QuerySet[VisitPlan]:
    """The versions of a rep's month the rep may work from (approved or being prepared:
    a handful of rows); `pick_working` chooses."""
    return VisitPlan.objects.filter(rep_id=rep_id, month=month_start(month),
                                    status__in=(VisitPlan.Status.APPROVED, *VisitPlan.OPEN))


def pick_working(plans):
    """The plan the rep works from among `working_plans` (instances or `.values()`
    rows): the approved one, else the latest version being prepared."""
    def rank(plan):
        status, version = (plan["status"], plan["version"]) if isinstance(plan, dict) \
            else (plan.status, plan.version)
        return status == VisitPlan.Status.APPROVED, version

    return max(plans, key=rank, default=None)


def working_plan(rep_id: int, month: date) -> VisitPlan | None:
    """The plan the rep works from: the approved one, else the version being prepared
    (one query)."""
    return pick_working(working_plans(rep_id, month).order_by())


def template_versions_for(retailers) -> dict[tuple[str, int], VisitTemplateVersion | None]:
    """`template_version_for` of many retailers in one query, keyed by (business type,
    area id): every current version of their business types defined above their areas,
    the deepest node's winning per key. The retailers' areas must be loaded."""
    return template_versions_by_key({(r.business_type, r.area_id): r.area.path
                                     for r in retailers})


def template_versions_by_key(areas: dict[tuple[str, int], str],
                             ) -> dict[tuple[str, int], VisitTemplateVersion | None]:
    """The same keyed by (business type, area id) given each key's area path."""
    if not areas:
        return {}
    versions = list(VisitTemplateVersion.objects
                    .filter(template__business_type__in={bt for bt, _area in areas},
                            template__node__path__in={p for path in areas.values()
                                                      for p in ancestor_paths(path)})
                    .filter(number=F("template__current_version"))
                    .select_related("template__node"))
    return {key: max((v for v in versions if v.template.business_type == key[0]
                      and path.startswith(v.template.node.path)),
                     key=lambda v: v.template.node.depth, default=None)
            for key, path in areas.items()}


_TEMPLATE_COLUMNS = (("id", None), ("number", None),
                     ("steps", VisitTemplateVersion._meta.get_field("steps")), ("name", None),
                     ("business_type", None), ("path", None))

# The current version of each template of the business types defined at the nodes.
_TEMPLATES_SQL = """
SELECT ver.id, ver.number, ver.steps, t.name, t.business_type, n.path
FROM visits_visittemplate t
JOIN accounts_orgnode n ON n.id = t.node_id
JOIN visits_visittemplateversion ver
  ON ver.template_id = t.id AND ver.number = t.current_version
WHERE t.business_type IN ({types}) AND n.path IN ({paths})"""


def template_steps_by_key(areas: dict[tuple[str, int], str]) -> dict[tuple[str, int], dict]:
    """`template_versions_by_key` as plain rows, what a phone needs to show the form:
    {"template_version", "number", "name", "steps"}; without a template, the default
    steps. One statement."""
    if not areas:
        return {}
    types = sorted({bt for bt, _area in areas})
    paths = sorted({p for path in areas.values() for p in ancestor_paths(path)})
    rows = fetch(_TEMPLATES_SQL.format(types=placeholders(types), paths=placeholders(paths)),
                 (*types, *paths), _TEMPLATE_COLUMNS)
    found = {}
    for key, path in areas.items():
        # The deepest node above the area wins (its path is the longest).
        row = max((r for r in rows if r["business_type"] == key[0]
                   and path.startswith(r["path"])),
                  key=lambda r: len(r["path"]), default=None)
        found[key] = {"template_version": row["id"], "number": row["number"],
                      "name": row["name"], "steps": row["steps"]} if row else {
            "template_version": None, "number": None, "name": "",
            "steps": template_schema.DEFAULT_STEPS}
    return found


def template_version_for(retailer: Retailer) -> VisitTemplateVersion | None:
    """The current version of the template for the retailer's business type defined at
    the deepest node above its area (a region's template overrides the company's)."""
    return template_versions_for([retailer])[(retailer.business_type, retailer.area_id)]
