import pytest

from accounts import services
from accounts.models import Membership, OrgNode, Role, User
from tests.factories import make_node, make_person


@pytest.fixture
def other_company_admin(org):
    company = make_node(None, OrgNode.Kind.COMPANY, "别家公司")
    region = make_node(company, OrgNode.Kind.REGION, "别家大区")
    admin = make_person(company, Role.ADMIN, "other_admin")
    admin.other_region = region
    return admin


def test_anonymous_is_refused_everywhere(api_client, personas):
    for url in ("/api/accounts/nodes/", "/api/accounts/users/", "/api/accounts/me/"):
        assert api_client.get(url).status_code in (401, 403)


def test_admin_creates_an_office_under_a_region(personas, client_for):
    response = client_for(personas.admin).post(
        "/api/accounts/nodes/",
        {"parent": personas.org.region.pk, "code": "WX", "name": "无锡办事处", "kind": "office"},
        format="json",
    )
    assert response.status_code == 201, response.data
    node = OrgNode.objects.get(code="WX")
    assert OrgNode.objects.get_parent(node) == personas.org.region
    assert response.data["parent_id"] == personas.org.region.pk


def test_a_wrong_level_is_refused_naming_the_parent_field(personas, client_for):
    response = client_for(personas.admin).post(
        "/api/accounts/nodes/",
        {"parent": personas.org.region.pk, "code": "BAD", "name": "错层", "kind": "area"},
        format="json", HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400 and "parent" in response.data
    assert "片区" in str(response.data["parent"])  # translated, with the kind's label
    assert not OrgNode.objects.filter(code="BAD").exists()


def test_an_office_manager_cannot_change_the_org_tree(personas, client_for):
    response = client_for(personas.manager).post(
        "/api/accounts/nodes/",
        {"parent": personas.org.office.pk, "code": "A9", "name": "新片区", "kind": "area"},
        format="json",
    )
    assert response.status_code == 403
    assert not OrgNode.objects.filter(code="A9").exists()


def test_another_companys_admin_cannot_create_under_our_region(personas, client_for,
                                                               other_company_admin):
    response = client_for(other_company_admin).post(
        "/api/accounts/nodes/",
        {"parent": personas.org.region.pk, "code": "X1", "name": "入侵", "kind": "office"},
        format="json",
    )
    assert response.status_code == 400 and "parent" in response.data
    assert not OrgNode.objects.filter(code="X1").exists()


def test_another_companys_admin_cannot_move_their_node_into_ours(personas, client_for,
                                                                 other_company_admin):
    office = make_node(other_company_admin.other_region, OrgNode.Kind.OFFICE, "别家办")
    client = client_for(other_company_admin)
    response = client.post(f"/api/accounts/nodes/{office.pk}/move/",
                           {"parent": personas.org.region.pk}, format="json")
    assert response.status_code == 400 and "parent" in response.data
    assert OrgNode.objects.get(pk=office.pk).path.startswith(
        other_company_admin.other_region.path)
    # and our own nodes are a 404 to them
    response = client.post(f"/api/accounts/nodes/{personas.org.office.pk}/move/",
                           {"parent": other_company_admin.other_region.pk}, format="json")
    assert response.status_code == 404


def test_admin_moves_an_office_with_its_subtree(personas, client_for):
    org = personas.org
    response = client_for(personas.admin).post(
        f"/api/accounts/nodes/{org.office.pk}/move/", {"parent": org.other_region.pk},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert OrgNode.objects.get(pk=org.area.pk).path.startswith(
        OrgNode.objects.get(pk=org.other_region.pk).path)


def test_a_new_user_is_created_with_a_first_membership(personas, client_for):
    response = client_for(personas.admin).post(
        "/api/accounts/users/",
        {"username": "newrep", "name": "新人", "password": "long-enough-pass-9",
         "node": personas.org.area.pk, "role": "rep"},
        format="json",
    )
    assert response.status_code == 201, response.data
    user = User.objects.get(username="newrep")
    assert user.check_password("long-enough-pass-9")
    assert Membership.objects.filter(user=user, node=personas.org.area, role="rep").exists()
    assert "password" not in response.data


def test_a_user_without_node_or_role_is_refused_and_not_created(personas, client_for):
    response = client_for(personas.admin).post(
        "/api/accounts/users/", {"username": "nobody", "password": "long-enough-pass-9"},
        format="json",
    )
    assert response.status_code == 400 and {"node", "role"} <= set(response.data)
    assert not User.objects.filter(username="nobody").exists()


def test_a_rep_at_an_office_is_refused_and_nothing_is_written(personas, client_for):
    response = client_for(personas.admin).post(
        "/api/accounts/users/",
        {"username": "misplaced", "password": "long-enough-pass-9",
         "node": personas.org.office.pk, "role": "rep"},
        format="json",
    )
    assert response.status_code == 400 and "node" in response.data
    assert not User.objects.filter(username="misplaced").exists()


def test_me_shows_memberships_and_saves_the_language(personas, client_for):
    client = client_for(personas.rep)
    data = client.get("/api/accounts/me/").data
    assert data["username"] == "rep_a" and data["memberships"][0]["role"] == "rep"
    assert client.patch("/api/accounts/me/", {"language": "en"}, format="json").status_code == 200
    assert User.objects.get(pk=personas.rep.pk).language == "en"
    response = client.patch("/api/accounts/me/", {"language": "fr"}, format="json")
    assert response.status_code == 400 and "language" in response.data


def test_node_list_queries_do_not_grow_with_the_tree(personas, client_for,
                                                     django_assert_max_num_queries):
    client = client_for(personas.admin)
    with django_assert_max_num_queries(8) as small:
        assert client.get("/api/accounts/nodes/").status_code == 200
    for i in range(20):
        services.node_create(parent=personas.org.office, code=f"Q{i}", name=f"片区{i}",
                             kind=OrgNode.Kind.AREA)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get("/api/accounts/nodes/").data["results"]) > 20


def test_user_list_queries_do_not_grow_with_the_people(personas, client_for,
                                                       django_assert_max_num_queries):
    client = client_for(personas.admin)
    with django_assert_max_num_queries(10) as small:
        client.get("/api/accounts/users/")
    for i in range(15):
        make_person(personas.org.area2, Role.REP, f"more{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/accounts/users/").data["count"] >= 24
