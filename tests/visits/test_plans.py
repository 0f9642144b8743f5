from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.models import AuditEvent, Membership, Role
from tests.visits.factories import make_plan
from visits import services
from visits.models import PlanStop, VisitPlan, VisitPolicy
from visits.selectors.plans import plan_versions, plan_warnings

DEC = date(2026, 12, 1)
TODAY = date(2026, 11, 20)


def propose(personas, **kwargs):
    return services.plan_propose(rep=personas.rep, month=DEC, actor=personas.rep, today=TODAY,
                                 **kwargs)


def codes(plan):
    return sorted({w["code"] for w in plan_warnings(plan)})


def submitted(personas, shops):
    plan = propose(personas)
    return services.plan_submit(plan=plan, actor=personas.rep)


def test_a_draft_proposal_meets_every_grade_frequency_and_breaks_no_rule(personas, shops):
    plan = propose(personas)
    assert plan.status == VisitPlan.Status.DRAFT and plan.version == 1
    counts = {r.pk: plan.stops.filter(retailer=r).count()
              for r in (shops.a, shops.b, shops.c, shops.ungraded)}
    assert counts == {shops.a.pk: 4, shops.b.pk: 2, shops.c.pk: 1, shops.ungraded.pk: 1}
    assert not plan.stops.filter(retailer=shops.other_reps).exists()
    assert plan_warnings(plan) == []
    assert AuditEvent.objects.get(object_id=str(plan.pk)).action == "draft"


def test_the_proposal_puts_never_visited_retailers_on_the_first_working_day(personas, shops):
    plan = propose(personas)
    first_day = plan.stops.order_by("date").first().date
    assert first_day == date(2026, 12, 1)
    assert set(plan.stops.filter(date=first_day).values_list("retailer_id", flat=True)) == {
        shops.a.pk, shops.b.pk, shops.c.pk, shops.ungraded.pk}


def test_a_month_already_over_cannot_be_planned(personas, shops):
    with pytest.raises(ValidationError) as error:
        services.plan_propose(rep=personas.rep, month=date(2026, 10, 1), actor=personas.rep,
                              today=TODAY)
    assert "month" in error.value.message_dict and not VisitPlan.objects.exists()


def test_planning_the_current_month_starts_today(personas, shops):
    plan = services.plan_propose(rep=personas.rep, month=date(2026, 11, 1),
                                 actor=personas.rep, today=TODAY)
    assert plan.starts_on == TODAY
    assert not plan.stops.filter(date__lt=TODAY).exists()


def test_a_second_plan_for_the_same_month_is_refused(personas, shops):
    propose(personas)
    with pytest.raises(ValidationError) as error:
        propose(personas)
    assert "month" in error.value.message_dict and VisitPlan.objects.count() == 1


def test_warnings_name_each_broken_rule(personas, shops):
    plan = propose(personas)
    PlanStop.objects.filter(plan=plan, retailer=shops.a).delete()
    services.plan_stop_add(plan=plan, actor=personas.rep, retailer=shops.other_reps,
                           date=date(2026, 12, 2), today=TODAY)
    services.plan_stop_add(plan=plan, actor=personas.rep, retailer=shops.b,
                           date=date(2026, 12, 5), today=TODAY)  # a Saturday
    VisitPolicy.objects.create(company=personas.org.company, max_stops_per_day=2)
    warnings = plan_warnings(plan)
    assert codes(plan) == ["frequency_not_met", "non_working_day", "not_rep_retailer",
                           "too_many_stops"]
    frequency = next(w for w in warnings if w["code"] == "frequency_not_met")
    assert frequency["retailer"] == shops.a.pk and "0" in frequency["message"]
    weekend = next(w for w in warnings if w["code"] == "non_working_day")
    assert weekend["date"] == date(2026, 12, 5) and weekend["retailer"] == shops.b.pk


def test_a_stop_on_a_past_day_or_outside_the_month_is_refused(personas, shops):
    plan = services.plan_propose(rep=personas.rep, month=date(2026, 11, 1),
                                 actor=personas.rep, today=TODAY)
    for day in (date(2026, 11, 19), date(2026, 12, 1)):
        with pytest.raises(ValidationError) as error:
            services.plan_stop_add(plan=plan, actor=personas.rep, retailer=shops.a, date=day,
                                   today=TODAY)
        assert "date" in error.value.message_dict


def test_the_same_retailer_twice_on_a_day_is_refused_naming_the_field(personas, shops):
    plan = propose(personas)
    day = plan.stops.filter(retailer=shops.a).first().date
    with pytest.raises(ValidationError) as error:
        services.plan_stop_add(plan=plan, actor=personas.rep, retailer=shops.a, date=day,
                               today=TODAY)
    assert "retailer" in error.value.message_dict


def test_moving_a_stop_keeps_its_objective_and_sets_an_appointment(personas, shops):
    plan = propose(personas)
    stop = plan.stops.get(retailer=shops.c)
    services.plan_stop_update(stop=stop, actor=personas.rep, objective="推新品",
                              today=TODAY)
    moved = services.plan_stop_update(stop=stop, actor=personas.rep, date=date(2026, 12, 9),
                                      fixed_time=time(14, 0), today=TODAY)
    assert (moved.date, moved.objective, moved.fixed_time) == (date(2026, 12, 9), "推新品",
                                                               time(14, 0))


def test_the_approval_chain_submit_then_approve(personas, shops):
    plan = submitted(personas, shops)
    assert plan.status == VisitPlan.Status.SUBMITTED and plan.submitted_at
    approved = services.plan_approve(plan=plan, actor=personas.manager, note="好")
    assert approved.status == VisitPlan.Status.APPROVED
    assert approved.decided_by == personas.manager
    actions = list(AuditEvent.objects.filter(object_id=str(plan.pk)).order_by("id")
                   .values_list("action", "from_state", "to_state"))
    assert actions == [("draft", "", "draft"), ("submit", "draft", "submitted"),
                       ("approve", "submitted", "approved")]


def test_nobody_approves_their_own_plan(personas, shops):
    # An office manager who also works as a rep drafts and submits their own plan.
    boss = personas.manager
    Membership.objects.create(user=boss, node=personas.org.area, role=Role.REP)
    plan = services.plan_propose(rep=boss, month=DEC, actor=boss, today=TODAY)
    services.plan_submit(plan=plan, actor=boss)
    with pytest.raises(ValidationError) as error:
        services.plan_approve(plan=plan, actor=boss)
    assert error.value.message_dict["plan"] == [gettext("Nobody approves their own plan.")]
    assert VisitPlan.objects.get(pk=plan.pk).status == VisitPlan.Status.SUBMITTED


def test_a_manager_who_drafted_a_reps_plan_does_not_approve_it_either(personas, shops):
    plan = services.plan_propose(rep=personas.rep, month=DEC, actor=personas.manager,
                                 today=TODAY)
    plan.status = VisitPlan.Status.SUBMITTED
    plan.save()
    with pytest.raises(ValidationError):
        services.plan_approve(plan=plan, actor=personas.manager)
    assert services.plan_approve(plan=plan, actor=personas.regional_manager).status == \
        VisitPlan.Status.APPROVED


def test_only_a_manager_above_the_reps_area_approves(personas, shops):
    plan = submitted(personas, shops)
    for outsider in (personas.rep2, personas.sibling_manager, personas.clerk):
        with pytest.raises(ValidationError):
            services.plan_approve(plan=plan, actor=outsider)
    assert VisitPlan.objects.get(pk=plan.pk).status == VisitPlan.Status.SUBMITTED


def test_a_returned_plan_needs_a_note_and_goes_back_to_the_rep(personas, shops):
    plan = submitted(personas, shops)
    with pytest.raises(ValidationError) as error:
        services.plan_return(plan=plan, actor=personas.manager, note=" ")
    assert "note" in error.value.message_dict
    returned = services.plan_return(plan=plan, actor=personas.manager, note="A 店不够")
    assert returned.status == VisitPlan.Status.RETURNED
    stop = returned.stops.first()
    services.plan_stop_update(stop=stop, actor=personas.rep, objective="补拜访", today=TODAY)
    assert services.plan_submit(plan=returned, actor=personas.rep).status == \
        VisitPlan.Status.SUBMITTED


def test_the_reviewer_edits_a_submitted_plan_but_the_rep_cannot(personas, shops):
    plan = submitted(personas, shops)
    stop = plan.stops.first()
    with pytest.raises(ValidationError):
        services.plan_stop_update(stop=stop, actor=personas.rep, objective="x", today=TODAY)
    services.plan_stop_update(stop=stop, actor=personas.manager, objective="经理调整",
                              today=TODAY)
    assert PlanStop.objects.get(pk=stop.pk).objective == "经理调整"


def test_an_approved_plan_is_locked(personas, shops):
    plan = services.plan_approve(plan=submitted(personas, shops), actor=personas.manager)
    stop = plan.stops.first()
    for change in (
        lambda: services.plan_stop_update(stop=stop, actor=personas.rep, objective="x",
                                          today=TODAY),
        lambda: services.plan_stop_remove(stop=stop, actor=personas.rep, today=TODAY),
        lambda: services.plan_stop_add(plan=plan, actor=personas.rep, retailer=shops.a,
                                       date=date(2026, 12, 30), today=TODAY),
        lambda: services.plan_submit(plan=plan, actor=personas.rep),
    ):
        with pytest.raises(ValidationError):
            change()
    assert PlanStop.objects.get(pk=stop.pk).objective == ""


def test_a_change_after_approval_is_a_new_version_and_history_keeps_both(personas, shops):
    v1 = services.plan_approve(plan=submitted(personas, shops), actor=personas.manager)
    v2 = services.plan_revise(plan=v1, actor=personas.rep)
    assert (v2.version, v2.status, v2.previous) == (2, VisitPlan.Status.DRAFT, v1)
    assert v2.stops.count() == v1.stops.count()
    services.plan_stop_add(plan=v2, actor=personas.rep, retailer=shops.c,
                           date=date(2026, 12, 30), today=TODAY)
    # Until the new version is approved, the first one still counts.
    assert VisitPlan.objects.get(pk=v1.pk).status == VisitPlan.Status.APPROVED
    with pytest.raises(ValidationError):
        services.plan_revise(plan=v1, actor=personas.rep)  # one open version at a time
    services.plan_submit(plan=v2, actor=personas.rep)
    services.plan_approve(plan=v2, actor=personas.manager)
    assert [(p.version, p.status) for p in plan_versions(v2)] == [
        (1, VisitPlan.Status.SUPERSEDED), (2, VisitPlan.Status.APPROVED)]
    assert v1.stops.count() + 1 == v2.stops.count()


def test_a_comment_is_kept_on_the_plan_and_audited(personas, shops):
    plan = submitted(personas, shops)
    comment = services.plan_comment(plan=plan, actor=personas.manager, text="周三别排太多",
                                    date=date(2026, 12, 2))
    assert list(plan.comments.all()) == [comment]
    with pytest.raises(ValidationError):
        services.plan_comment(plan=plan, actor=personas.manager, text="  ")


def test_the_database_keeps_one_approved_and_one_open_version_per_month(personas, shops):
    make_plan(personas.rep, personas.org.area, DEC)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_plan(personas.rep, personas.org.area, DEC, version=2)
    make_plan(personas.rep, personas.org.area, DEC, version=2, status=VisitPlan.Status.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_plan(personas.rep, personas.org.area, DEC, version=3,
                  status=VisitPlan.Status.RETURNED)
