"""`manage.py demo`: the demo company, its people, idempotence and the printed logins."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import translation

from accounts import demo
from accounts.models import AuditEvent, Membership, OrgNode, Role, User

EXPECTED_NODES = {
    OrgNode.Kind.COMPANY: 1,
    OrgNode.Kind.REGION: 2,
    OrgNode.Kind.OFFICE: 4,
    OrgNode.Kind.AREA: 8,
}
EXPECTED_MEMBERSHIPS = {
    Role.REP: 40,
    Role.CLERK: 4,
    Role.OFFICE_MANAGER: 4,
    Role.REGIONAL_MANAGER: 2,
    Role.FINANCE: 1,
    Role.ADMIN: 1,
}


@pytest.fixture(autouse=True)
def few_retailers(monkeypatch):
    """These tests are about the org and its people: two shops per rep keep them quick
    (tests/kehu/test_demo_retailers.py covers the retailers)."""
    monkeypatch.setattr("kehu.demo.RETAILERS_PER_REP", 2)


# A table row: role label, username, password, who; columns are separated by 2+ spaces.
LOGIN_ROW = re.compile(
    r"^(?P<role>\S.*?)\s{2,}(?P<username>[a-z0-9]+)\s{2,}(?P<password>\S+)\s{2,}"
)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> list[tuple[str, str, str]]:
    return [
        (m["role"], m["username"], m["password"])
        for line in output.splitlines()
        if (m := LOGIN_ROW.match(line)) and m["username"] != "username"
    ]


def counts() -> dict:
    return {
        "nodes": {kind: OrgNode.objects.filter(kind=kind).count() for kind in OrgNode.Kind},
        "memberships": {
            role: Membership.objects.filter(role=role).count() for role in Role
        },
        "users": User.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def can_log_in(username: str, password: str) -> bool:
    request = RequestFactory().post("/login/")
    return authenticate(request, username=username, password=password) is not None


@pytest.mark.django_db
def test_demo_builds_one_company_with_two_regions_four_offices_and_eight_areas():
    run_demo()

    assert counts()["nodes"] == EXPECTED_NODES
    company = OrgNode.objects.get(kind=OrgNode.Kind.COMPANY)
    assert OrgNode.objects.get_descendant_count(company) == 14
    for office in OrgNode.objects.filter(kind=OrgNode.Kind.OFFICE):
        assert OrgNode.objects.get_children(office).filter(kind=OrgNode.Kind.AREA).count() == 2
    assert {n.name for n in OrgNode.objects.filter(kind=OrgNode.Kind.OFFICE)} == {
        "南京办事处", "苏州办事处", "杭州办事处", "宁波办事处",
    }


@pytest.mark.django_db
def test_demo_places_forty_reps_five_per_area_and_every_other_seat_once():
    run_demo()

    assert counts()["memberships"] == EXPECTED_MEMBERSHIPS
    assert User.objects.count() == sum(EXPECTED_MEMBERSHIPS.values())
    for area in OrgNode.objects.filter(kind=OrgNode.Kind.AREA):
        assert area.memberships.filter(role=Role.REP).count() == 5
    for office in OrgNode.objects.filter(kind=OrgNode.Kind.OFFICE):
        assert set(office.memberships.values_list("role", flat=True)) == {
            Role.CLERK, Role.OFFICE_MANAGER,
        }
    for region in OrgNode.objects.filter(kind=OrgNode.Kind.REGION):
        assert list(region.memberships.values_list("role", flat=True)) == [
            Role.REGIONAL_MANAGER
        ]
    assert sorted(User.objects.filter(memberships__role=Role.REP)
                  .values_list("username", flat=True)) == [f"rep{n:02d}" for n in range(1, 41)]


@pytest.mark.django_db
def test_demo_people_have_chinese_names_and_the_admin_can_use_django_admin():
    run_demo()

    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", u.name) for u in User.objects.all())
    assert len(set(User.objects.values_list("name", flat=True))) == User.objects.count()
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.exclude(pk=admin.pk).filter(is_superuser=True).exists()


@pytest.mark.django_db
def test_running_demo_twice_creates_nothing_twice():
    run_demo()
    first = counts()
    names = dict(User.objects.values_list("username", "name"))

    output = run_demo()

    assert counts() == first
    assert dict(User.objects.values_list("username", "name")) == names
    assert "0 created" in output


@pytest.mark.django_db
def test_every_printed_login_authenticates_with_the_printed_password():
    output = run_demo()

    logins = printed_logins(output)
    assert [username for _role, username, _pw in logins] == [
        "rep01", "clerk1", "om1", "rm1", "finance", "admin",
    ]
    for _role, username, password in logins:
        assert password == demo.DEFAULT_PASSWORD
        assert can_log_in(username, password), username
    assert not can_log_in("rep01", "wrong-password-1")


@pytest.mark.django_db
def test_every_demo_user_shares_the_demo_password():
    run_demo()

    assert all(u.check_password(demo.DEFAULT_PASSWORD) for u in User.objects.all())


@pytest.mark.django_db
def test_printed_output_names_the_url_and_each_of_the_six_roles_in_chinese_and_english():
    output = run_demo("--url", "http://crm.example.test:9000/")

    assert "http://crm.example.test:9000/" in output
    roles_printed = [role for role, _user, _pw in printed_logins(output)]
    with translation.override("en"):
        expected = [f"{demo.ROLE_LABEL_ZH[role]} / {role.label}" for role in Role]
    assert roles_printed == expected
    for zh in ("客户经理", "销售文员", "办事处经理", "大区经理", "财务", "系统管理员"):
        assert zh in output


@pytest.mark.django_db
def test_password_option_sets_and_prints_the_given_password_even_on_a_second_run():
    run_demo()

    output = run_demo("--password", "another-demo-pass-9")

    logins = printed_logins(output)
    assert {pw for _role, _user, pw in logins} == {"another-demo-pass-9"}
    for _role, username, password in logins:
        assert can_log_in(username, password)
    assert not User.objects.get(username="rep01").check_password(demo.DEFAULT_PASSWORD)


@pytest.mark.django_db
def test_a_password_the_validators_reject_stops_the_command_before_writing_anything():
    with pytest.raises(CommandError, match="8"):
        run_demo("--password", "1234")

    assert OrgNode.objects.count() == 0
    assert User.objects.count() == 0


def test_the_same_seed_draws_the_same_names():
    first = demo.DemoContext(password=demo.DEFAULT_PASSWORD, seed=7)
    second = demo.DemoContext(password=demo.DEFAULT_PASSWORD, seed=7)

    assert [first.person_name() for _ in range(20)] == [second.person_name() for _ in range(20)]


def test_default_password_passes_the_configured_validators():
    validate_password(demo.DEFAULT_PASSWORD)
    for username in ("rep01", "clerk1", "om1", "rm1", "finance", "admin"):
        validate_password(demo.DEFAULT_PASSWORD, User(username=username))
