"""Retailer export: the import layout, scoped, streaming, formula-proof; exporting and
importing back changes nothing."""

import zipfile
from decimal import Decimal
from io import BytesIO

import pytest
from django.forms.models import model_to_dict
from django.utils import translation
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from accounts.models import User
from kehu.exports import retailer_export
from kehu.imports import services
from kehu.imports.columns import EXPORT_HEADERS
from kehu.models import ImportBatch, KeyPerson, PersonalDataRead, Retailer, RetailerAssignment
from tests.factories import make_retailer
from tests.kehu.xlsx_files import media_root, upload  # noqa: F401 - autouse fixture

URL = "/api/kehu/retailers/export.xlsx"


@pytest.fixture(autouse=True)
def english(personas):
    User.objects.update(language="en")
    with translation.override("en"):
        yield


@pytest.fixture
def cards(personas):
    area = personas.org.area
    return [
        make_retailer(area, personas.rep, code="00123", name="华联超市（鼓楼店）",
                      licence_no="320106100123", business_type="supermarket",
                      trade_area="school", address="中山北路100号",
                      latitude=Decimal("32.061234"), longitude=Decimal("118.781234"),
                      status="suspended", credit_limit=Decimal("1234567890.12"),
                      order_channel="app", e_settlement=True, duplicate_reason="楼上另一家"),
        make_retailer(area, None, code="R2", name="小卖部", credit_limit=Decimal("0.10")),
        make_retailer(personas.org.area2, personas.rep2, code="R3", name="=HYPERLINK(\"x\")",
                      address="+86 电话", licence_no=""),
        make_retailer(personas.org.sibling_area, personas.sibling_rep, code="S1", name="苏州店"),
    ]


def export_rows(client) -> list[tuple]:
    response = client.get(URL)
    assert response.status_code == 200, response
    content = b"".join(response.streaming_content)
    return list(load_workbook(BytesIO(content)).active.values)


def snapshot() -> dict:
    return {
        "cards": {r.pk: (model_to_dict(r), r.search_keys, r.created_at, r.updated_at)
                  for r in Retailer.objects.all()},
        "history": Retailer.history.count(),
        "assignments": RetailerAssignment.objects.count(),
        "persons": KeyPerson.objects.count(),
    }


def test_the_export_is_in_the_import_layout(client_for, personas, cards):
    rows = export_rows(client_for(personas.clerk))

    assert list(rows[0]) == EXPORT_HEADERS
    first = dict(zip(EXPORT_HEADERS, rows[1], strict=True))
    with translation.override("zh-hans"):
        labels = (str(Retailer.BusinessType.SUPERMARKET.label),
                  str(Retailer.TradeArea.SCHOOL.label), str(Retailer.Status.SUSPENDED.label),
                  str(Retailer.OrderChannel.APP.label))
    assert (first["业态"], first["商圈"], first["状态"], first["订货渠道"]) == labels
    assert first["客户编码"] == "00123" and first["许可证号"] == "320106100123"
    assert first["片区编码"] == personas.org.area.code and first["客户经理账号"] == "rep_a"
    assert first["电子结算"] == "是" and first["重复确认原因"] == "楼上另一家"
    assert first["信用额度"] == 1234567890.12 and first["纬度"] == 32.061234


def test_money_is_a_number_shown_with_two_decimals(client_for, personas, cards):
    content = b"".join(client_for(personas.clerk).get(URL).streaming_content)
    sheet = load_workbook(BytesIO(content)).active

    credit = sheet["L3"]
    assert credit.value == 0.1 and credit.number_format == "0.00"
    assert sheet["I2"].number_format == "0.000000"


def test_the_export_is_scoped_to_the_user(client_for, personas, cards):
    clerk = [row[0] for row in export_rows(client_for(personas.clerk))[1:]]
    rep = [row[0] for row in export_rows(client_for(personas.rep))[1:]]
    sibling = [row[0] for row in export_rows(client_for(personas.sibling_manager))[1:]]

    assert clerk == ["00123", "R2", "R3"]
    assert rep == ["00123"]
    assert sibling == ["S1"]


def test_the_export_follows_the_list_filters(client_for, personas, cards):
    response = client_for(personas.clerk).get(URL, {"status": "suspended"})
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)

    assert [row[0] for row in rows[1:]] == ["00123"]


def test_cells_that_look_like_formulas_stay_text(client_for, personas, cards):
    content = b"".join(client_for(personas.clerk).get(URL).streaming_content)
    sheet = load_workbook(BytesIO(content)).active

    name, address = sheet["B4"], sheet["F4"]
    assert name.value == '=HYPERLINK("x")' and name.data_type == "s" and name.quotePrefix
    assert address.value == "+86 电话" and address.quotePrefix
    with zipfile.ZipFile(BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_exporting_and_importing_back_changes_nothing(client_for, personas, cards):
    client = client_for(personas.clerk)
    content = b"".join(client.get(URL).streaming_content)
    before = snapshot()

    batch = services.import_batch_submit(actor=personas.clerk, kind="retailers",
                                         upload=upload(content, "export.xlsx"))

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.counts == {"created": 0, "updated": 0, "unchanged": 3, "key_persons": 0}
    assert snapshot() == before


def test_an_edited_export_updates_only_the_edited_card(client_for, personas, cards):
    content = b"".join(client_for(personas.clerk).get(URL).streaming_content)
    workbook = load_workbook(BytesIO(content))
    workbook.active["L3"] = 2000  # R2's credit limit
    buffer = BytesIO()
    workbook.save(buffer)

    batch = services.import_batch_submit(actor=personas.clerk, kind="retailers",
                                         upload=upload(buffer.getvalue(), "edited.xlsx"))

    assert batch.counts == {"created": 0, "updated": 1, "unchanged": 2, "key_persons": 0}
    assert Retailer.objects.get(code="R2").credit_limit == Decimal("2000.00")
    assert Retailer.objects.get(code="00123").credit_limit == Decimal("1234567890.12")


def test_the_exporter_streams_rows_from_the_database_in_chunks(personas, cards,
                                                              django_assert_num_queries):
    queryset = Retailer.objects.for_user(personas.clerk)
    with django_assert_num_queries(1):
        handle = retailer_export(queryset)
    with handle:
        assert zipfile.is_zipfile(handle)


def test_anonymous_users_cannot_export(api_client, personas, cards):
    assert api_client.get(URL).status_code in (401, 403)


class TestKeyPersonExport:
    URL = "/api/kehu/key-persons/export.xlsx"

    @pytest.fixture
    def people(self, personas):
        retailer = make_retailer(personas.org.area, personas.rep, code="KP1", name="华联超市")
        owner = KeyPerson.objects.create(retailer=retailer, role="owner", name="王建国",
                                         phone="13812345678", family="=HYPERLINK(1)",
                                         birthday_is_lunar=True, lunar_month=8, lunar_day=15)
        KeyPerson.objects.create(retailer=retailer, role="purchaser", name="（已删除）",
                                 erased_at="2026-01-01T00:00:00Z")
        return owner

    @staticmethod
    def rows(response):
        content = b"".join(response.streaming_content)
        return CalamineWorkbook.from_filelike(BytesIO(content)).get_sheet_by_index(0).to_python()

    def test_an_office_manager_exports_unmasked_and_each_person_is_logged(self, people, personas,
                                                                         client_for):
        response = client_for(personas.manager).get(self.URL)
        assert response.status_code == 200
        rows = self.rows(response)
        assert rows[0][:5] == ["客户编码", "客户名称", "关键人角色", "姓名", "电话"]
        assert len(rows) == 2  # the erased person is not exported
        assert rows[1][3:5] == ["王建国", "13812345678"] and rows[1][6] == "8月15日"
        assert rows[1][7] == "=HYPERLINK(1)"  # kept as text, never a formula
        read = PersonalDataRead.objects.get()
        assert (read.reader, read.key_person, read.purpose) == (personas.manager, people,
                                                               "export")

    def test_the_assigned_rep_exports_their_own_without_a_log_entry(self, people, personas,
                                                                   client_for):
        response = client_for(personas.rep).get(self.URL)
        assert response.status_code == 200 and len(self.rows(response)) == 2
        assert not PersonalDataRead.objects.exists()
        sibling = client_for(personas.sibling_rep).get(self.URL)
        assert len(self.rows(sibling)) == 1  # headers only: nothing of another office

    @pytest.mark.parametrize("who", ["clerk", "regional_manager", "finance", "admin"])
    def test_roles_that_see_masked_data_cannot_export_it(self, people, personas, client_for,
                                                         who):
        response = client_for(getattr(personas, who)).get(self.URL)
        assert response.status_code == 403
