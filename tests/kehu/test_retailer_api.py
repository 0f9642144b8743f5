from decimal import Decimal

from kehu.models import Retailer, RetailerAssignment
from tests.factories import make_retailer


def test_a_rep_lists_only_their_retailers(personas, client_for):
    mine = make_retailer(personas.org.area, personas.rep, name="华联超市")
    make_retailer(personas.org.area, personas.rep2, name="苏果便利")
    data = client_for(personas.rep).get("/api/kehu/retailers/").data
    assert [row["id"] for row in data["results"]] == [mine.pk]
    assert data["results"][0]["assigned_rep_name"] == personas.rep.name


def test_pinyin_initials_find_a_retailer(personas, client_for):
    hualian = make_retailer(personas.org.area, personas.rep, name="华联超市")
    make_retailer(personas.org.area, personas.rep, name="苏果便利")
    client = client_for(personas.rep)
    for query in ("hlcs", "hl", "HUALIAN", "华联", hualian.code):
        ids = [r["id"] for r in client.get("/api/kehu/retailers/", {"q": query}).data["results"]]
        assert ids == [hualian.pk], query
    assert client.get("/api/kehu/retailers/", {"q": "lcs"}).data["results"] == []


def test_filters_by_grade_business_type_and_level(personas, client_for):
    a = make_retailer(personas.org.area, personas.rep, grade="A", business_type="pharmacy",
                      relationship_level=2)
    make_retailer(personas.org.area, personas.rep, grade="B", business_type="pharmacy")
    client = client_for(personas.rep)
    rows = client.get("/api/kehu/retailers/", {"grade": "A", "business_type": "pharmacy",
                                               "relationship_level": 2}).data["results"]
    assert [r["id"] for r in rows] == [a.pk]


def test_creating_a_likely_duplicate_answers_409_with_the_candidates(personas, client_for):
    existing = make_retailer(personas.org.area, personas.rep, name="华联超市",
                             latitude=Decimal("32.058"), longitude=Decimal("118.796"))
    client = client_for(personas.rep)
    body = {"code": "NEW1", "name": "华联超市", "business_type": "supermarket",
            "area": personas.org.area.pk, "latitude": "32.058300", "longitude": "118.796100"}
    response = client.post("/api/kehu/retailers/", body, format="json")
    assert response.status_code == 409
    assert response.data["candidates"][0]["id"] == existing.pk
    assert not Retailer.objects.filter(code="NEW1").exists()
    response = client.post("/api/kehu/retailers/", {**body, "confirm_not_duplicate": True,
                                                    "duplicate_reason": "对面新开的分店"},
                           format="json")
    assert response.status_code == 201, response.data
    assert response.data["duplicate_reason"] == "对面新开的分店"


def test_a_rep_cannot_create_in_another_offices_area(personas, client_for):
    response = client_for(personas.rep).post(
        "/api/kehu/retailers/", {"code": "X1", "name": "越界", "business_type": "grocery",
                                 "area": personas.org.sibling_area.pk}, format="json")
    assert response.status_code == 400 and "area" in response.data
    assert not Retailer.objects.filter(code="X1").exists()


def test_a_duplicate_code_is_refused_naming_the_field(personas, client_for):
    make_retailer(personas.org.area, personas.rep, code="DUP1")
    response = client_for(personas.rep).post(
        "/api/kehu/retailers/", {"code": "DUP1", "name": "重复", "business_type": "grocery",
                                 "area": personas.org.area.pk}, format="json")
    assert response.status_code == 400 and "code" in response.data


def test_a_manager_reassigns_many_and_a_rep_cannot(personas, client_for):
    a = make_retailer(personas.org.area, personas.rep)
    b = make_retailer(personas.org.area, personas.rep)
    body = {"retailers": [a.pk, b.pk], "to_rep": personas.rep2.pk, "reason": "调整"}
    url = "/api/kehu/retailers/reassign/"
    assert client_for(personas.rep).post(url, body, format="json").status_code == 403
    response = client_for(personas.manager).post(url, body, format="json")
    assert response.status_code == 200 and response.data == {"reassigned": 2}
    assert RetailerAssignment.objects.filter(to_rep=personas.rep2).count() == 2


def test_a_manager_cannot_reassign_another_offices_retailer(personas, client_for):
    theirs = make_retailer(personas.org.sibling_area, personas.sibling_rep)
    response = client_for(personas.manager).post(
        "/api/kehu/retailers/reassign/",
        {"retailers": [theirs.pk], "to_rep": personas.rep2.pk}, format="json")
    assert response.status_code == 400 and "retailers" in response.data
    assert Retailer.objects.get(pk=theirs.pk).assigned_rep == personas.sibling_rep


def test_the_trend_has_twelve_months_with_gaps_as_zero(personas, client_for):
    from datetime import date

    from kehu.models import MonthlyFact
    from kehu.selectors import add_months, month_start

    retailer = make_retailer(personas.org.area, personas.rep)
    last = month_start(date.today())
    MonthlyFact.objects.create(retailer=retailer, month=add_months(last, -1),
                               purchase_amount=Decimal("1234.50"), purchase_quantity=10,
                               collected_amount=Decimal("1000.00"), order_success_rate=90,
                               e_settlement_rate=80)
    data = client_for(personas.rep).get(f"/api/kehu/retailers/{retailer.pk}/trend/").data
    assert len(data) == 12 and data[-1]["month"] == last.strftime("%Y-%m")
    assert data[-2]["purchase_amount"] == "1234.50" and data[0]["purchase_amount"] == "0.00"


def test_patching_a_card_keeps_history_and_refuses_unknown_values(personas, client_for):
    retailer = make_retailer(personas.org.area, personas.rep)
    client = client_for(personas.rep)
    url = f"/api/kehu/retailers/{retailer.pk}/"
    response = client.patch(url, {"address": "中山路1号", "status": "suspended"}, format="json")
    assert response.status_code == 200 and response.data["address"] == "中山路1号"
    response = client.patch(url, {"credit_limit": "-5"}, format="json")
    assert response.status_code == 400 and "credit_limit" in response.data
    assert Retailer.objects.get(pk=retailer.pk).history.count() >= 1


def test_ticks_flow_through_the_api(personas, client_for):
    from kehu.models import RelationshipCriterion

    retailer = make_retailer(personas.org.area, personas.rep)
    criterion = RelationshipCriterion.objects.filter(level=1).first()
    response = client_for(personas.rep).post(
        "/api/kehu/relationship-ticks/",
        {"retailer": retailer.pk, "criterion": criterion.pk, "evidence": "送过公司介绍"},
        format="json")
    assert response.status_code == 201, response.data
    tick_id = response.data["id"]
    assert client_for(personas.rep).post(
        f"/api/kehu/relationship-ticks/{tick_id}/confirm/").status_code == 403
    response = client_for(personas.manager).post(f"/api/kehu/relationship-ticks/{tick_id}/confirm/")
    assert response.status_code == 200 and response.data["status"] == "confirmed"
    checklist = client_for(personas.rep).get(f"/api/kehu/retailers/{retailer.pk}/checklist/").data
    assert len(checklist) == 17
    assert [row["tick"]["status"] for row in checklist if row["tick"]] == ["confirmed"]
