import pytest

from kehu.models import KeyPerson, PersonalDataRead
from kehu.privacy import mask_phone
from tests.factories import make_retailer


@pytest.fixture
def owner(personas):
    retailer = make_retailer(personas.org.area, personas.rep)
    return KeyPerson.objects.create(retailer=retailer, role="owner", name="王建国",
                                    phone="13812345678", family="女儿在南京读书",
                                    birthday="1975-03-08")


def test_masking_keeps_the_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == "" and mask_phone("12345") == "****"


def test_the_assigned_rep_sees_everything_and_is_not_logged(owner, personas, client_for):
    data = client_for(personas.rep).get(f"/api/kehu/key-persons/{owner.pk}/").data
    assert (data["phone"], data["birthday"], data["masked"]) == ("13812345678", "1975-03-08",
                                                                 False)
    assert not PersonalDataRead.objects.exists()


def test_the_office_manager_sees_everything_and_each_read_is_logged(owner, personas,
                                                                    client_for):
    client = client_for(personas.manager)
    card = client.get(f"/api/kehu/retailers/{owner.retailer_id}/").data
    assert card["key_persons"][0]["phone"] == "13812345678"
    client.get(f"/api/kehu/key-persons/?retailer={owner.retailer_id}")
    reads = list(PersonalDataRead.objects.order_by("id"))
    assert [(r.reader, r.key_person, r.purpose) for r in reads] == [
        (personas.manager, owner, "retailer:retrieve"),
        (personas.manager, owner, "key_person:list"),
    ]


@pytest.mark.parametrize("who", ["clerk", "regional_manager", "finance", "admin"])
def test_other_roles_see_masked_values_and_are_not_logged(owner, personas, client_for, who):
    data = client_for(getattr(personas, who)).get(f"/api/kehu/key-persons/{owner.pk}/").data
    assert data["phone"] == "138****5678"
    assert data["birthday"] is None and data["family"] == "****" and data["masked"] is True
    assert data["name"] == "王建国"
    assert not PersonalDataRead.objects.exists()


def test_a_rep_of_another_office_gets_404(owner, personas, client_for):
    response = client_for(personas.sibling_rep).get(f"/api/kehu/key-persons/{owner.pk}/")
    assert response.status_code == 404


def test_only_an_admin_can_erase_and_must_give_a_reason(owner, personas, client_for):
    url = f"/api/kehu/key-persons/{owner.pk}/erase/"
    assert client_for(personas.manager).post(url, {"reason": "x"}).status_code == 403
    admin = client_for(personas.admin)
    response = admin.post(url, {}, format="json")
    assert response.status_code == 400 and "reason" in response.data
    response = admin.post(url, {"reason": "本人要求"}, format="json")
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.phone == "" and owner.erased_at is not None


def test_an_admin_erases_from_the_administration(owner, personas, client):
    personas.admin.is_staff = personas.admin.is_superuser = True
    personas.admin.save()
    client.force_login(personas.admin)
    response = client.post("/admin/kehu/keyperson/", {
        "action": "erase_on_request", "_selected_action": [owner.pk]}, follow=True)
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.erased_at is not None and owner.phone == "" and owner.family == ""
    from accounts.models import AuditEvent

    assert AuditEvent.objects.get(action="erase").actor == personas.admin
