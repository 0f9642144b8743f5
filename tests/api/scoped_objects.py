"""How to place one object of each routed model inside the office of `personas.manager`.

Later apps add a maker for each model they route.
"""

from accounts import services
from accounts.models import AuditEvent, JobRun, Membership, OrgNode, User
from tests.api.route_walker import object_maker
from tests.factories import make_node


@object_maker(OrgNode)
def _node(p):
    return make_node(p.org.office, OrgNode.Kind.AREA, "新片区")


@object_maker(User)
def _user(p):
    return p.rep


@object_maker(Membership)
def _membership(p):
    return Membership.objects.get(user=p.rep)


@object_maker(JobRun)
def _job_run(p):
    return services.job_run_start(name="walk", scope=p.org.area, started_by=p.rep)


@object_maker(AuditEvent)
def _audit_event(p):
    return services.audit_record(
        actor=p.rep, node=p.org.area, obj=p.org.area, action="walk", to_state="x"
    )
