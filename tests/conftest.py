"""Shared fixtures: real-service checks, the org tree and its personas."""

import os
import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings

from accounts.models import OrgNode, Role, User
from tests.factories import make_node, make_person

REQUIRE_SERVICES = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = "/usr/bin/chromium"


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def pytest_sessionstart(session):
    """With CI=true a missing real service fails the run instead of skipping tests."""
    if not REQUIRE_SERVICES:
        return
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL does not point at PostgreSQL")
    if not redis_available():
        problems.append(f"Redis is not reachable at {settings.REDIS_URL or '(REDIS_URL unset)'}")
    if not shutil.which(CHROMIUM):
        problems.append(f"{CHROMIUM} is missing")
    if problems:
        pytest.exit("CI=true and a real service is missing: " + "; ".join(problems), returncode=3)


def require(condition: bool, reason: str) -> None:
    """Skip locally when a service is missing; under CI the session check already failed."""
    if not condition:
        pytest.skip(reason)


@dataclass
class Org:
    company: OrgNode
    region: OrgNode
    office: OrgNode
    area: OrgNode
    area2: OrgNode
    sibling_office: OrgNode
    sibling_area: OrgNode
    other_region: OrgNode
    other_office: OrgNode
    other_area: OrgNode


@dataclass
class Personas:
    org: Org
    rep: User  # two reps in one area
    rep2: User
    sibling_rep: User  # a rep in the sibling office
    manager: User  # office manager of rep and rep2
    sibling_manager: User  # office manager of the sibling office
    regional_manager: User
    clerk: User
    finance: User
    admin: User


@pytest.fixture(autouse=True)
def _fresh_working_day_calendar():
    """Each test reads the working-day calendar from its own database: the process keeps a
    snapshot (accounts.workdays) that a rolled-back transaction or a flush would not
    invalidate, since neither sends a signal."""
    from accounts import workdays

    workdays.clear_local_cache()
    yield
    workdays.clear_local_cache()


@pytest.fixture
def org(db) -> Org:
    company = make_node(None, OrgNode.Kind.COMPANY, "示范公司")
    region = make_node(company, OrgNode.Kind.REGION, "苏南大区")
    office = make_node(region, OrgNode.Kind.OFFICE, "南京办事处")
    area = make_node(office, OrgNode.Kind.AREA, "鼓楼片区")
    area2 = make_node(office, OrgNode.Kind.AREA, "玄武片区")
    sibling_office = make_node(region, OrgNode.Kind.OFFICE, "苏州办事处")
    sibling_area = make_node(sibling_office, OrgNode.Kind.AREA, "姑苏片区")
    other_region = make_node(company, OrgNode.Kind.REGION, "浙北大区")
    other_office = make_node(other_region, OrgNode.Kind.OFFICE, "杭州办事处")
    other_area = make_node(other_office, OrgNode.Kind.AREA, "西湖片区")
    return Org(company, region, OrgNode.objects.get(pk=office.pk), area, area2,
               sibling_office, sibling_area, other_region, other_office, other_area)


@pytest.fixture
def personas(org) -> Personas:
    return Personas(
        org=org,
        rep=make_person(org.area, Role.REP, "rep_a", name="张伟"),
        rep2=make_person(org.area, Role.REP, "rep_b", name="王芳"),
        sibling_rep=make_person(org.sibling_area, Role.REP, "rep_sibling", name="李强"),
        manager=make_person(org.office, Role.OFFICE_MANAGER, "manager", name="刘洋"),
        sibling_manager=make_person(org.sibling_office, Role.OFFICE_MANAGER, "manager_sibling",
                                    name="陈静"),
        regional_manager=make_person(org.region, Role.REGIONAL_MANAGER, "regional",
                                     name="杨磊"),
        clerk=make_person(org.office, Role.CLERK, "clerk", name="赵敏"),
        finance=make_person(org.company, Role.FINANCE, "finance", name="黄丽"),
        admin=make_person(org.company, Role.ADMIN, "admin", name="周杰"),
    )


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def client_for():
    """An API client logged in (session auth, CSRF enforced) as the given user."""
    from rest_framework.test import APIClient

    def make(user: User):
        client = APIClient(enforce_csrf_checks=False)
        client.force_login(user)
        return client

    return make


def _flushes_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction")
                                     or (marker.args and marker.args[0])))
    fixtures = set(getattr(item, "fixturenames", ()))
    return transactional or bool(fixtures & {"transactional_db", "live_server"})


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests that flush the database (transactional: browser, worker) run last.

    A flush also removes the rows data migrations seeded (relationship criteria, the
    working-day calendar), so every ordinary test must run before the first flush.
    Runs after every other reordering (pytest-playwright's browser parametrisation
    regroups tests).
    """
    items.sort(key=_flushes_the_database)
