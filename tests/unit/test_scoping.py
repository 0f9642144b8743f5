from django.contrib.auth.models import AnonymousUser

from accounts import services
from accounts.models import JobRun, Membership, OrgNode, Role, User
from tests.factories import UserFactory


def _runs(personas):
    org = personas.org
    return {
        "rep": services.job_run_start(name="r", scope=org.area, started_by=personas.rep),
        "rep2": services.job_run_start(name="r", scope=org.area, started_by=personas.rep2),
        "office": services.job_run_start(name="o", scope=org.office),
        "sibling": services.job_run_start(name="s", scope=org.sibling_area,
                                          started_by=personas.sibling_rep),
        "other_region": services.job_run_start(name="x", scope=org.other_area),
    }


def _visible(user, runs):
    ids = set(JobRun.objects.for_user(user).values_list("pk", flat=True))
    return {key for key, run in runs.items() if run.pk in ids}


def test_rep_sees_only_own_rows_not_their_area_mates(personas):
    runs = _runs(personas)
    assert _visible(personas.rep, runs) == {"rep"}
    assert _visible(personas.rep2, runs) == {"rep2"}


def test_office_manager_sees_their_office_but_not_the_sibling_office(personas):
    assert _visible(personas.manager, _runs(personas)) == {"rep", "rep2", "office"}


def test_regional_manager_sees_both_offices_but_not_the_other_region(personas):
    assert _visible(personas.regional_manager, _runs(personas)) == {
        "rep", "rep2", "office", "sibling"}


def test_company_roles_see_the_whole_company(personas):
    runs = _runs(personas)
    assert _visible(personas.finance, runs) == set(runs)
    assert _visible(personas.admin, runs) == set(runs)


def test_nobody_unplaced_anonymous_or_inactive_sees_anything(personas):
    runs = _runs(personas)
    assert _visible(UserFactory(), runs) == set()
    assert not JobRun.objects.for_user(AnonymousUser()).exists()
    personas.manager.is_active = False
    assert _visible(personas.manager, runs) == set()


def test_two_memberships_see_the_union(personas):
    org = personas.org
    services.membership_grant(user=personas.manager, node=org.other_office,
                              role=Role.OFFICE_MANAGER)
    fresh = User.objects.get(pk=personas.manager.pk)
    assert _visible(fresh, _runs(personas)) == {"rep", "rep2", "office", "other_region"}


def test_a_rep_sees_only_themselves_among_users(personas):
    assert list(User.objects.for_user(personas.rep)) == [personas.rep]


def test_a_manager_sees_the_people_of_their_office_only(personas):
    visible = set(User.objects.for_user(personas.manager))
    assert {personas.rep, personas.rep2, personas.manager, personas.clerk} <= visible
    assert personas.sibling_rep not in visible and personas.finance not in visible


def test_nodes_in_scope_are_the_subtree_of_the_membership(personas):
    org = personas.org
    assert set(OrgNode.objects.for_user(personas.manager)) == {org.office, org.area, org.area2}
    assert set(Membership.objects.for_user(personas.rep)) == {
        Membership.objects.get(user=personas.rep)}


def test_scoping_loads_memberships_once_per_user(personas, django_assert_num_queries):
    user = User.objects.get(pk=personas.regional_manager.pk)
    with django_assert_num_queries(2):  # memberships once, then the query itself
        list(JobRun.objects.for_user(user))
    with django_assert_num_queries(1):
        list(OrgNode.objects.for_user(user))
