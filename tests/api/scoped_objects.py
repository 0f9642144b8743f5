"""How to place one object of each routed model inside the office of `personas.manager`.

Later apps add a maker for each model they route.
"""

import datetime

from accounts import services
from accounts.models import AuditEvent, JobRun, Membership, OrgNode, User
from kehu.models import (
    ImportBatch,
    KeyPerson,
    MonthlyFact,
    PersonalDataRead,
    RelationshipCriterion,
    RelationshipTick,
    Retailer,
    RetailerAssignment,
)
from tests.api.route_walker import object_maker
from tests.factories import make_node, make_retailer


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


def _retailer_of(p):
    return make_retailer(p.org.area, p.rep)


@object_maker(Retailer)
def _retailer(p):
    return _retailer_of(p)


@object_maker(KeyPerson)
def _key_person(p):
    return KeyPerson.objects.create(retailer=_retailer_of(p), role="owner", name="老板",
                                    phone="13800138000")


@object_maker(MonthlyFact)
def _fact(p):
    return MonthlyFact.objects.create(
        retailer=_retailer_of(p), month=datetime.date(2026, 10, 1), purchase_amount=100,
        purchase_quantity=1, collected_amount=100, order_success_rate=90, e_settlement_rate=50)


@object_maker(RetailerAssignment)
def _assignment(p):
    return RetailerAssignment.objects.create(retailer=_retailer_of(p), to_rep=p.rep, by=p.manager)


@object_maker(RelationshipTick)
def _tick(p):
    criterion = RelationshipCriterion.objects.get(code="l1_materials")
    return RelationshipTick.objects.create(retailer=_retailer_of(p), criterion=criterion,
                                           evidence="送过资料", ticked_by=p.rep)


@object_maker(PersonalDataRead)
def _read(p):
    return PersonalDataRead.objects.create(reader=p.manager, key_person=_key_person(p),
                                           purpose="walk")


# expenses ---------------------------------------------------------------------------------
from expenses.models import (  # noqa: E402
    AdvanceAccount,
    AdvanceEntry,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    PreApproval,
    SpotCheck,
    SpotCheckItem,
)
from tests.expenses import factories as expense_factories  # noqa: E402


@object_maker(ClaimLine)
def _claim_line(p):
    return expense_factories.make_line(p.rep, _retailer_of(p))


@object_maker(PreApproval)
def _pre_approval(p):
    return expense_factories.make_pre_approval(p.rep, _retailer_of(p))


@object_maker(MonthlyStatement)
def _statement(p):
    return expense_factories.make_statement(p.rep, p.org.area)


@object_maker(ExpenseStandard)
def _standard(p):
    line = expense_factories.make_product_line(p.org.company)
    return expense_factories.make_standard(p.org.office, line, p.finance)


@object_maker(AdvanceAccount)
def _advance_account(p):
    return AdvanceAccount.objects.create(rep=p.rep, area=p.org.area)


@object_maker(AdvanceEntry)
def _advance_entry(p):
    return expense_factories.make_payout(p)


@object_maker(SpotCheck)
def _spot_check(p):
    return expense_factories.make_spot_check(p, [_retailer_of(p)])


@object_maker(SpotCheckItem)
def _spot_check_item(p):
    return expense_factories.make_spot_check(p, [_retailer_of(p)]).items.get()


# visits -----------------------------------------------------------------------------------
from tests.visits import factories as visit_factories  # noqa: E402
from visits.models import (  # noqa: E402
    DayRoute,
    MissedVisit,
    Photo,
    PlanStop,
    Problem,
    Visit,
    VisitPlan,
    VisitTemplate,
    VisitTemplateVersion,
)

_VISIT_DAY = datetime.date(2026, 10, 12)


@object_maker(VisitPlan)
def _visit_plan(p):
    return visit_factories.make_plan(p.rep, p.org.area, _VISIT_DAY.replace(day=1),
                                     stops=[(_VISIT_DAY, _retailer_of(p))])


@object_maker(PlanStop)
def _plan_stop(p):
    return _visit_plan(p).stops.get()


@object_maker(DayRoute)
def _day_route(p):
    return DayRoute.objects.create(rep=p.rep, area=p.org.area, date=_VISIT_DAY)


@object_maker(Visit)
def _visit(p):
    return visit_factories.make_visit(p.rep, _retailer_of(p), _VISIT_DAY)


@object_maker(Photo)
def _photo(p):
    return visit_factories.make_photo(_visit(p))


@object_maker(Problem)
def _problem(p):
    return visit_factories.make_problem(_retailer_of(p), p.rep, due=_VISIT_DAY)


@object_maker(MissedVisit)
def _missed_visit(p):
    return visit_factories.make_missed(p.rep, _retailer_of(p), _VISIT_DAY)


@object_maker(VisitTemplate)
def _visit_template(p):
    # Placed at the office: seen by those above and below it, not by the sibling office.
    return visit_factories.make_template(p.org.office, p.regional_manager)


@object_maker(VisitTemplateVersion)
def _visit_template_version(p):
    return _visit_template(p).versions.get()


@object_maker(ImportBatch)
def _import_batch(p):
    return ImportBatch.objects.create(
        kind=ImportBatch.Kind.FACTS, company=p.org.company, scope=p.org.office,
        created_by=p.rep, file="kehu/imports/walk.xlsx", original_name="walk.xlsx",
        status=ImportBatch.Status.SUCCEEDED)


# visits: care reminders -----------------------------------------------------------------
from visits.models import Reminder  # noqa: E402


@object_maker(Reminder)
def _reminder(p):
    return Reminder.objects.create(kind=Reminder.Kind.CARE_CALL, rep=p.rep,
                                   retailer=_retailer_of(p), occasion="walk",
                                   due_date=_VISIT_DAY)


# grading ------------------------------------------------------------------------------------
from grading import services as grading_services  # noqa: E402
from grading.models import (  # noqa: E402
    GRADING_JOB,
    GradeHistory,
    GradeOverride,
    GradingPolicy,
    GradingPolicyVersion,
    GradingRun,
)


def _grading_policy_of(p):
    return grading_services.policy_create(
        actor=p.regional_manager, scope=p.org.office, name="walk", method="pareto",
        share_a=75, share_b=20, share_c=5, valid_from=datetime.date(2026, 1, 1))


@object_maker(GradingPolicy)
def _grading_policy(p):
    return _grading_policy_of(p)


@object_maker(GradingPolicyVersion)
def _grading_policy_version(p):
    return _grading_policy_of(p).versions.get()


@object_maker(GradingRun)
def _grading_run(p):
    run = services.job_run_start(name=GRADING_JOB, scope=p.org.office)
    return GradingRun.objects.get(pk=run.pk)


@object_maker(GradeOverride)
def _grade_override(p):
    return GradeOverride.objects.create(retailer=_retailer_of(p), grade="A", reason="walk",
                                        created_by=p.manager)


@object_maker(GradeHistory)
def _grade_history(p):
    return GradeHistory.objects.create(retailer=_retailer_of(p), old_grade="B", new_grade="A",
                                       source=GradeHistory.Source.NIGHTLY,
                                       business_date=datetime.date(2026, 11, 1))


# grading: scorecards ----------------------------------------------------------------------
from grading.models import RepScorecard, RetailerScorecard  # noqa: E402


@object_maker(RepScorecard)
def _rep_scorecard(p):
    return RepScorecard.objects.create(rep=p.rep, area=p.org.area,
                                       month=_VISIT_DAY.replace(day=1), as_of=_VISIT_DAY)


@object_maker(RetailerScorecard)
def _retailer_scorecard(p):
    return RetailerScorecard.objects.create(retailer=_retailer_of(p),
                                            month=_VISIT_DAY.replace(day=1), as_of=_VISIT_DAY)


# reports: export jobs (only the requester reaches a job: it is made by the office's manager)
from reports.models import ExportJob  # noqa: E402


@object_maker(ExportJob)
def _export_job(p):
    return ExportJob.objects.create(kind=ExportJob.Kind.RETAILERS, requested_by=p.manager,
                                    scope=p.org.office, status=ExportJob.Status.FAILED)


# reports: period reports and the 早夕会 view ----------------------------------------------
# These views aggregate instead of listing objects: they name what they read by query
# parameters (a node, a rep). Each maker gives the parameters that point inside the office
# of `personas.manager`; test_every_route_is_scoped walks them (insider 200, the sibling
# office's manager and rep 404). Views that read only the reader's own data (the homes)
# are listed in OWN_DATA_VIEWS instead.
PARAM_MAKERS: dict[str, object] = {}
OWN_DATA_VIEWS = {"reports-api:home-rep", "reports-api:home-finance"}


def param_maker(url_name: str):
    def register(function):
        PARAM_MAKERS[url_name] = function
        return function

    return register


@param_maker("reports-api:report")
def _report_params(p):
    return [{"period": "month", "node": p.org.office.pk},
            {"period": "month", "node": p.org.area.pk},
            {"period": "month", "rep": p.rep.pk}]


@param_maker("reports-api:meeting")
def _meeting_params(p):
    return [{"node": p.org.office.pk}, {"node": p.org.area.pk}]
