"""Retailer cards from Excel: new codes make cards, known codes update them, likely
duplicates need a reason, and nothing is written while any row is wrong."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.models import User
from kehu.imports import services
from kehu.imports.columns import zh_labels
from kehu.models import ImportBatch, KeyPerson, Retailer, RetailerAssignment
from kehu.pinyin import search_keys
from tests.factories import make_retailer
from tests.kehu.audit_rows import assert_same_audit_rows, card_by_hand, import_row
from tests.kehu.xlsx_files import (  # noqa: F401 - media_root is an autouse fixture
    RETAILER_HEADERS,
    media_root,
    retailer_row,
    retailers_file,
)

PERSON_HEADERS = [*RETAILER_HEADERS, "关键人姓名", "关键人电话", "重复确认原因"]


@pytest.fixture(autouse=True)
def english(personas):
    User.objects.update(language="en")
    with translation.override("en"):
        yield


@pytest.fixture
def area(personas):
    return personas.org.area.code


def submit(personas, rows, headers=RETAILER_HEADERS, actor=None) -> ImportBatch:
    return services.import_batch_submit(actor=actor or personas.clerk, kind="retailers",
                                        upload=retailers_file(rows, headers))


def errors_of(batch) -> list[tuple]:
    return [(e["row"], e["column"], e["message"]) for e in batch.errors]


def test_new_codes_become_cards_with_search_keys_history_and_assignment(personas, area):
    batch = submit(personas, [retailer_row("N1", area, name="华联超市", rep="rep_a",
                                           licence="320106100123", lat=32.05, lng=118.78,
                                           credit=5000.5, e_settlement="是")])

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.counts == {"created": 1, "updated": 0, "unchanged": 0, "key_persons": 0}
    card = Retailer.objects.get(code="N1")
    assert (card.name, card.licence_no, card.business_type, card.trade_area) == (
        "华联超市", "320106100123", "supermarket", "residential")
    assert card.company == personas.org.company and card.area == personas.org.area
    assert card.assigned_rep == personas.rep and card.e_settlement is True
    assert card.credit_limit == Decimal("5000.50")
    assert card.latitude == Decimal("32.050000")
    assert card.search_keys == search_keys("华联超市") and " hlcs" in card.search_keys
    history = card.history.get()
    assert history.history_type == "+" and history.history_user == personas.clerk
    assignment = RetailerAssignment.objects.get(retailer=card)
    assert (assignment.from_rep, assignment.to_rep, assignment.by) == (
        None, personas.rep, personas.clerk)


def test_a_new_cards_audit_rows_equal_those_of_a_card_made_by_hand(personas, area):
    by_hand = card_by_hand(personas, "M1")

    batch = submit(personas, [import_row("N1", area, retailer_row)], headers=PERSON_HEADERS)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert_same_audit_rows(Retailer.objects.get(code="N1"), by_hand, actor=personas.clerk,
                           batch_id=batch.pk)


def test_a_known_code_updates_its_card_and_keeps_history(personas, area):
    card = make_retailer(personas.org.area, personas.rep, code="R1", name="旧名字")

    batch = submit(personas, [retailer_row("R1", area, name="新名字", rep="rep_b",
                                           status=Retailer.Status.SUSPENDED.label)])

    assert batch.counts["updated"] == 1 and batch.counts["created"] == 0
    card.refresh_from_db()
    assert (card.name, card.status, card.assigned_rep) == ("新名字", "suspended", personas.rep2)
    assert card.search_keys == search_keys("新名字")
    assert card.history.filter(history_type="~").count() == 1
    moved = RetailerAssignment.objects.get(retailer=card)
    assert (moved.from_rep, moved.to_rep) == (personas.rep, personas.rep2)


def test_an_unchanged_row_does_not_touch_its_card(personas, area):
    card = make_retailer(personas.org.area, personas.rep, code="R1", name="华联超市",
                         business_type="supermarket", trade_area="residential",
                         address="中山北路100号", credit_limit=5000, e_settlement=True)
    Retailer.objects.filter(pk=card.pk).update(updated_at=timezone.now() - timedelta(days=3))
    before = Retailer.objects.get(pk=card.pk).updated_at

    batch = submit(personas, [retailer_row("R1", area, name="华联超市", rep="rep_a")])

    assert batch.counts == {"created": 0, "updated": 0, "unchanged": 1, "key_persons": 0}
    assert Retailer.objects.get(pk=card.pk).updated_at == before
    assert not card.history.filter(history_type="~").exists()


def test_an_empty_cell_leaves_the_cards_value_alone(personas, area):
    card = make_retailer(personas.org.area, personas.rep, code="R1", licence_no="320106100999",
                         address="老地址", status="suspended")
    row = retailer_row("R1", area, name=card.name, address=None, licence=None)
    row[10] = None  # 状态

    submit(personas, [row])

    card.refresh_from_db()
    assert (card.licence_no, card.address, card.status) == ("320106100999", "老地址",
                                                            "suspended")


def test_choice_codes_are_accepted_as_well_as_labels(personas, area):
    row = retailer_row("N1", area)
    row[3], row[4], row[10], row[12] = "pharmacy", "school", "closed", "app"

    submit(personas, [row])

    card = Retailer.objects.get(code="N1")
    assert (card.business_type, card.trade_area, card.status, card.order_channel) == (
        "pharmacy", "school", "closed", "app")


def test_optional_columns_may_be_left_out(personas, area):
    headers = ["客户编码", "客户名称", "业态", "片区编码"]
    batch = submit(personas, [["N1", "小店", "便利店", area]], headers=headers)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    card = Retailer.objects.get(code="N1")
    assert (card.status, card.trade_area, card.credit_limit, card.assigned_rep) == (
        "active", "other", Decimal("0.00"), None)


def test_a_key_person_is_created_with_a_new_card(personas, area):
    batch = submit(personas, [[*retailer_row("N1", area), "王老板", 13800138000.0, ""]],
                   headers=PERSON_HEADERS)

    assert batch.counts["key_persons"] == 1
    person = KeyPerson.objects.get(retailer__code="N1")
    assert (person.name, person.phone, person.role) == ("王老板", "13800138000", "owner")
    assert person.history.get().history_type == "+"


@pytest.mark.parametrize(("row_values", "column", "message"), [
    pytest.param({"code": None}, "客户编码", "This cell must not be empty.", id="empty code"),
    pytest.param({"area": "ARE99999"}, "片区编码", "Unknown area code “ARE99999”.",
                 id="unknown area"),
    pytest.param({"rep": "nobody"}, "客户经理账号", "Unknown rep username “nobody”.",
                 id="unknown rep"),
    pytest.param({"rep": "manager"}, "客户经理账号", "Unknown rep username “manager”.",
                 id="a manager is not a rep"),
    pytest.param({"business": "小卖部"}, "业态", "Unknown value “小卖部”; use one of: "
                 + "、".join(label for _code, label in zh_labels(Retailer.BusinessType)) + ".",
                 id="unknown business type"),
    pytest.param({"credit": "很多"}, "信用额度", "“很多” is not a number.", id="text in money"),
    pytest.param({"lat": 32.05}, "经度", "Give both latitude and longitude, or neither.",
                 id="latitude alone"),
    pytest.param({"lat": 95, "lng": 118.0}, "纬度", "Must be at most 90 (this is 95).",
                 id="latitude out of range"),
    pytest.param({"licence": "12"}, "许可证号",
                 "A licence number is 6–30 digits, capital letters or province characters.",
                 id="bad licence"),
    pytest.param({"e_settlement": "也许"}, "电子结算", "Write 是 or 否 (this is “也许”).",
                 id="bad yes/no"),
    pytest.param({"name": "店" * 101}, "客户名称", "At most 100 characters (this one has 101).",
                 id="name too long"),
    pytest.param({"name": "   "}, "客户名称", "This cell must not be empty.",
                 id="name only spaces"),
    pytest.param({"code": 12345.0, "name": " 乙店 "}, None, None, id="numeric code, padded name"),
])
def test_each_bad_cell_names_its_row_and_column(personas, area, row_values, column, message):
    values = {"area": area, **row_values}
    code = values.pop("code", "N2")
    area_code = values.pop("area")
    values.setdefault("name", "乙店")
    rows = [retailer_row("N1", area, name="甲店"), retailer_row(code, area_code, **values)]
    with translation.override("zh-hans"):
        batch = submit(personas, rows)

    if column is None:  # accepted, as text
        assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
        assert Retailer.objects.get(code="12345").name == "乙店"
        return
    assert errors_of(batch) == [(3, column, message)]
    assert not Retailer.objects.exists()


def test_a_code_twice_in_the_file_is_an_error(personas, area):
    batch = submit(personas, [retailer_row("N1", area, name="甲店"),
                              retailer_row("N1", area, name="乙店")])

    assert errors_of(batch) == [(3, "客户编码", "Code N1 is on row 2 already.")]


def test_a_licence_twice_in_the_file_or_on_another_card_is_an_error(personas, area):
    make_retailer(personas.org.area, personas.rep, code="R1", licence_no="320106100001")

    batch = submit(personas, [
        retailer_row("N1", area, name="甲店", licence="320106100002"),
        retailer_row("N2", area, name="乙店", licence="320106100002"),
        retailer_row("N3", area, name="丙店", licence="320106100001"),
    ])

    assert errors_of(batch) == [
        (3, "许可证号", "Licence number 320106100002 is on row 2 already."),
        (4, "许可证号", "This licence number is already on another card."),
    ]


def test_another_offices_card_code_cannot_be_used_and_is_not_revealed(personas, area):
    make_retailer(personas.org.sibling_area, personas.sibling_rep, code="S1", name="苏州店")

    batch = submit(personas, [retailer_row("S1", area, name="新店")])

    assert errors_of(batch) == [(2, "客户编码", "Retailer code “S1” cannot be used: it is not "
                                 "one of the retailers you manage.")]
    assert "苏州" not in str(batch.errors)
    assert Retailer.objects.get(code="S1").name == "苏州店"


def test_an_area_of_another_office_is_an_unknown_area(personas):
    batch = submit(personas, [retailer_row("N1", personas.org.sibling_area.code)])

    assert errors_of(batch) == [(2, "片区编码", f"Unknown area code "
                                 f"“{personas.org.sibling_area.code}”.")]


def test_a_rep_of_another_office_is_an_unknown_rep(personas, area):
    batch = submit(personas, [retailer_row("N1", area, rep="rep_sibling")])

    assert errors_of(batch) == [(2, "客户经理账号", "Unknown rep username “rep_sibling”.")]


def test_bad_key_person_phone_and_phone_without_name_are_errors(personas, area):
    batch = submit(personas, [
        [*retailer_row("N1", area, name="甲店"), "王老板", "12345", ""],
        [*retailer_row("N2", area, name="乙店"), "", "13800138000", ""],
    ], headers=PERSON_HEADERS)

    assert errors_of(batch) == [
        (2, "关键人电话", "“12345” is not a valid phone number."),
        (3, "关键人姓名", "Give the key person's name with the phone."),
    ]


def test_a_likely_duplicate_nearby_needs_a_reason(personas, area):
    make_retailer(personas.org.area, personas.rep, code="R1", name="华联超市",
                  latitude=Decimal("32.050000"), longitude=Decimal("118.780000"))
    row = retailer_row("N1", area, name="华联超市", lat=32.0502, lng=118.7801)

    refused = submit(personas, [[*row, "", "", ""]], headers=PERSON_HEADERS)
    accepted = submit(personas, [[*row, "", "", "楼上另一家，老板不同"]], headers=PERSON_HEADERS)

    assert errors_of(refused) == [(2, "客户名称", "This looks like R1 华联超市 (similar name "
                                   "within 100 m). If it is a different shop, say why in the "
                                   "重复确认原因 column.")]
    assert accepted.status == ImportBatch.Status.SUCCEEDED, accepted.errors
    assert Retailer.objects.get(code="N1").duplicate_reason == "楼上另一家，老板不同"


def test_a_new_card_with_a_known_key_person_phone_is_a_likely_duplicate(personas, area):
    card = make_retailer(personas.org.area, personas.rep, code="R1", name="老店")
    KeyPerson.objects.create(retailer=card, role="owner", name="王", phone="13800138000")

    batch = submit(personas, [[*retailer_row("N1", area, name="新店"), "王", "13800138000",
                               ""]], headers=PERSON_HEADERS)

    assert errors_of(batch) == [(2, "关键人电话", "This looks like R1 老店 (same key-person "
                                 "phone). If it is a different shop, say why in the 重复确认原因 "
                                 "column.")]


def test_two_similar_new_shops_side_by_side_in_one_file_need_a_reason(personas, area):
    batch = submit(personas, [retailer_row("N1", area, name="苏果便利", lat=32.05, lng=118.78),
                              retailer_row("N2", area, name="苏果便利店", lat=32.0503,
                                           lng=118.7802)])

    assert errors_of(batch) == [(3, "客户名称", "This looks like row 2 of this file (similar "
                                 "name within 100 m). If it is a different shop, say why in "
                                 "the 重复确认原因 column.")]


def test_one_bad_row_among_many_writes_nothing(personas, area):
    rows = [retailer_row(f"N{n}", area, name=f"店{n}") for n in range(30)]
    rows[17][7] = "nobody"

    batch = submit(personas, rows)

    assert batch.status == ImportBatch.Status.INVALID and batch.error_count == 1
    assert not Retailer.objects.exists() and not Retailer.history.exists()
    assert not RetailerAssignment.objects.exists()
