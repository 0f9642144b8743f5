"""Claim lines through the API: what a rep files, what is refused, and that a refusal writes
nothing."""

import uuid
from datetime import date
from pathlib import Path

import pytest

from expenses.models import ClaimLine, MonthlyStatement
from kehu.models import KeyPerson
from tests.expenses import factories as f
from tests.factories import make_retailer

URL = "/api/expenses/claim-lines/"


@pytest.fixture
def filed(personas, shop, clock, client_for):
    clock(date(2026, 9, 20))
    return client_for(personas.rep)


def body(shop, **changes):
    data = {"retailer": shop.r1.pk, "category": "gift", "product_line": shop.line.pk,
            "amount": "150.00", "spent_on": "2026-09-10", "note": "中秋礼盒",
            "receipt": f.receipt_file("IMG_0001.jpg")}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def stored_files(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()] if Path(media).exists() else []


def test_a_rep_files_a_line_with_a_receipt_photo(filed, shop, personas, media):
    response = filed.post(URL, body(shop), format="multipart")
    assert response.status_code == 201, response.data
    assert response.data["amount"] == "150.00" and response.data["month"] == "2026-09"
    line = ClaimLine.objects.get()
    assert (line.rep, line.area, line.retailer) == (personas.rep, personas.org.area, shop.r1)
    assert line.receipt.name.startswith(f"receipts/{personas.rep.pk}/2026/09/")
    assert "IMG_0001" not in line.receipt.name and line.receipt.name.endswith(".jpg")
    photo = filed.get(response.data["receipt_url"])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content) == Path(media, line.receipt.name).read_bytes()


def test_a_png_named_jpg_is_stored_by_its_real_format(filed, shop):
    upload = f.receipt_file("photo.jpg", fmt="PNG")
    response = filed.post(URL, body(shop, receipt=upload), format="multipart")
    assert response.status_code == 201
    assert ClaimLine.objects.get().receipt.name.endswith(".png")


def text_file(name="receipt.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"<html>not a photo</html>", content_type="image/jpeg")


BAD_INPUTS = [
    ("negative amount", {"amount": "-5.00"}, "amount"),
    ("zero amount", {"amount": "0"}, "amount"),
    ("over-precise amount", {"amount": "12.345"}, "amount"),
    ("amount not a number", {"amount": "十二元"}, "amount"),
    ("spend in the future", {"spent_on": "2026-09-21"}, "spent_on"),
    ("no receipt", {"receipt": None}, "receipt"),
    ("receipt that is not an image", {"receipt": "text"}, "receipt"),
    ("no product line on a gift", {"product_line": None}, "product_line"),
    ("new-customer expense without pre-approval", {"category": "new_customer",
                                                   "product_line": None}, "pre_approval"),
    ("unknown category", {"category": "bribe"}, "category"),
]


@pytest.mark.parametrize(("label", "changes", "field"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_a_bad_line_gets_a_field_named_400_and_writes_nothing(filed, shop, media, label,
                                                            changes, field):
    if changes.get("receipt") == "text":
        changes = {**changes, "receipt": text_file()}
    response = filed.post(URL, body(shop, **changes), format="multipart")
    assert response.status_code == 400, response.data
    assert field in response.data, response.data
    assert not ClaimLine.objects.exists() and stored_files(media) == []


def test_an_oversized_receipt_is_refused(filed, shop, settings, media):
    settings.EXPENSES_RECEIPT_MAX_BYTES = 100
    response = filed.post(URL, body(shop), format="multipart")
    assert response.status_code == 400 and "receipt" in response.data
    assert not ClaimLine.objects.exists() and stored_files(media) == []


def test_a_key_person_of_another_retailer_is_refused(filed, shop):
    other = KeyPerson.objects.create(retailer=shop.r2, role="owner", name="王老板")
    response = filed.post(URL, body(shop, key_person=other.pk), format="multipart")
    assert response.status_code == 400 and "key_person" in response.data
    assert not ClaimLine.objects.exists()


def test_the_messages_say_what_is_wrong(filed, shop, personas, english):
    english(personas.rep)
    negative = filed.post(URL, body(shop, amount="-1"), format="multipart")
    assert negative.data["amount"] == ["The amount must be greater than zero."]
    precise = filed.post(URL, body(shop, amount="1.005"), format="multipart")
    assert precise.data["amount"] == ["An amount has at most two decimals (fen)."]
    photo = filed.post(URL, body(shop, receipt=text_file()), format="multipart")
    assert photo.data["receipt"] == ["The receipt must be a photo (JPEG, PNG or WebP)."]


def test_a_retailer_outside_the_reps_scope_is_a_404_and_writes_nothing(filed, shop, personas,
                                                                       media):
    colleagues = make_retailer(personas.org.area, personas.rep2)
    next_door = make_retailer(personas.org.sibling_area, personas.sibling_rep)
    for retailer_id in (colleagues.pk, next_door.pk, 10**9):
        response = filed.post(URL, body(shop, retailer=retailer_id), format="multipart")
        assert response.status_code == 404, response.data
    assert not ClaimLine.objects.exists() and stored_files(media) == []


def test_a_double_clicked_submit_files_one_line(filed, shop):
    key = str(uuid.uuid4())
    first = filed.post(URL, body(shop), format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    again = filed.post(URL, body(shop), format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert again.data["id"] == first.data["id"] and again["Idempotent-Replayed"] == "true"
    assert ClaimLine.objects.count() == 1


def test_only_reps_file_lines(personas, shop, clock, client_for):
    clock(date(2026, 9, 20))
    response = client_for(personas.manager).post(URL, body(shop), format="multipart")
    assert response.status_code == 403 and not ClaimLine.objects.exists()


def test_the_payable_calculation_is_shown_to_the_rep(filed, shop):
    f.make_fact(shop.r1, date(2026, 9, 1))  # 10000.00 bought, 50 units, 8000.00 collected
    created = filed.post(URL, body(shop), format="multipart").data
    response = filed.get(f"{URL}{created['id']}/payable/")
    assert response.status_code == 200 and response.data["payable"] == "80.00"
    steps = {step["name"]: step for step in response.data["steps"]}
    assert steps["allowance"]["value"] == "100.00"
    assert steps["collection_rate"]["value"] == "80.00%"


def test_a_rep_edits_and_deletes_an_open_line(filed, shop, media,
                                             django_capture_on_commit_callbacks):
    created = filed.post(URL, body(shop), format="multipart").data
    changed = filed.patch(f"{URL}{created['id']}/", {"amount": "99.50"}, format="multipart")
    assert changed.status_code == 200 and changed.data["amount"] == "99.50"
    bad = filed.patch(f"{URL}{created['id']}/", {"amount": "-1"}, format="multipart")
    assert bad.status_code == 400 and ClaimLine.objects.get().amount == 99.5
    with django_capture_on_commit_callbacks(execute=True):
        assert filed.delete(f"{URL}{created['id']}/").status_code == 204
    assert not ClaimLine.objects.exists() and stored_files(media) == []


def test_lines_of_a_submitted_month_are_frozen_until_it_is_returned(filed, shop, personas,
                                                                    clock):
    clock(date(2026, 9, 3))  # August's statement is in review until 10 September
    line = f.make_line(personas.rep, shop.r1, spent_on=date(2026, 8, 10))
    statement = f.make_statement(personas.rep, personas.org.area, date(2026, 8, 1))
    new = filed.post(URL, body(shop, spent_on="2026-08-20"), format="multipart")
    assert new.status_code == 400 and "spent_on" in new.data
    assert filed.patch(f"{URL}{line.pk}/", {"amount": "1.00"},
                       format="multipart").status_code == 400
    assert filed.delete(f"{URL}{line.pk}/").status_code == 400
    assert ClaimLine.objects.count() == 1
    MonthlyStatement.objects.filter(pk=statement.pk).update(status="returned")
    assert filed.patch(f"{URL}{line.pk}/", {"amount": "1.00"},
                       format="multipart").status_code == 200


def test_receipts_and_lines_of_other_offices_are_404(filed, shop, personas, client_for):
    created = filed.post(URL, body(shop), format="multipart").data
    outsider = client_for(personas.sibling_manager)
    assert outsider.get(f"{URL}{created['id']}/").status_code == 404
    assert outsider.get(created["receipt_url"]).status_code == 404
    colleague = client_for(personas.rep2)
    assert colleague.get(created["receipt_url"]).status_code == 404
    assert client_for(personas.manager).get(created["receipt_url"]).status_code == 200


def test_spends_of_a_month_that_can_no_longer_be_filed_are_refused(filed, shop, clock):
    clock(date(2026, 10, 17))  # September's review deadline was Fri 16 October
    late = filed.post(URL, body(shop, spent_on="2026-09-30"), format="multipart")
    assert late.status_code == 400 and "spent_on" in late.data
    assert filed.post(URL, body(shop, spent_on="2026-10-01"),
                      format="multipart").status_code == 201
    clock(date(2027, 1, 5))  # December's deadlines lie in 2027, not entered yet
    uncovered = filed.post(URL, body(shop, spent_on="2026-12-30"), format="multipart")
    assert uncovered.status_code == 400 and "2027" in uncovered.data["spent_on"][0]
    assert ClaimLine.objects.count() == 1
