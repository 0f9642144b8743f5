import pytest
from django.utils import timezone

from tests.visits.factories import make_photo, make_plan, make_problem, make_visit

PAGES = ["visitpolicy", "visittemplate", "visittemplateversion", "visitplan", "dayroute",
         "visit", "photo", "problem", "missedvisit"]


@pytest.fixture
def staff_client(personas, client):
    personas.admin.is_staff = personas.admin.is_superuser = True
    personas.admin.save()
    client.force_login(personas.admin)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_every_visits_admin_list_opens(staff_client, page):
    assert staff_client.get(f"/admin/visits/{page}/").status_code == 200


def test_a_visit_opens_read_only_with_its_evidence(personas, shops, staff_client):
    today = timezone.localdate()
    visit = make_visit(personas.rep, shops.a, today)
    make_photo(visit)
    make_problem(shops.a, personas.rep, due=today)
    plan = make_plan(personas.rep, personas.org.area, today.replace(day=1),
                     stops=[(today, shops.a)])
    page = staff_client.get(f"/admin/visits/visit/{visit.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert staff_client.get(f"/admin/visits/visitplan/{plan.pk}/change/").status_code == 200
    assert staff_client.post(f"/admin/visits/visit/{visit.pk}/delete/").status_code == 403
