"""The import API: upload (inline or queued), status and errors, error report,
templates; the import page."""

from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import User
from kehu.imports.columns import FACT_COLUMNS, retailer_columns
from kehu.models import ImportBatch, MonthlyFact
from tests.factories import make_retailer
from tests.kehu.xlsx_files import (  # noqa: F401 - media_root is an autouse fixture
    fact_row,
    facts_file,
    media_root,
    upload,
)

URL = "/api/kehu/imports/"


@pytest.fixture(autouse=True)
def english(personas):
    User.objects.update(language="en")
    with translation.override("en"):
        yield


@pytest.fixture
def shop(personas):
    return make_retailer(personas.org.area, personas.rep, code="R1")


def post(client, file, kind="facts"):
    return client.post(URL, {"kind": kind, "file": file}, format="multipart")


def test_a_small_file_is_imported_in_the_request(client_for, personas, shop):
    response = post(client_for(personas.clerk), facts_file([fact_row("R1")]))

    assert response.status_code == 201, response.data
    assert response.data["status"] == "succeeded" and response.data["finished"] is True
    assert response.data["counts"] == {"facts": 1, "added": 1, "replaced": 0}
    assert (response.data["progress_done"], response.data["progress_total"]) == (1, 1)
    assert MonthlyFact.objects.count() == 1


def test_a_refused_file_answers_with_every_error_and_the_report_link(client_for, personas,
                                                                     shop):
    client = client_for(personas.clerk)
    response = post(client, facts_file([fact_row("R1", amount="x"), fact_row("R7")]))

    assert response.status_code == 201
    assert response.data["status"] == "invalid" and response.data["error_count"] == 2
    assert response.data["errors"] == [
        {"row": 2, "column": "采购金额", "message": "“x” is not a number."},
        {"row": 3, "column": "客户编码", "message": "Unknown retailer code “R7”."},
    ]
    report = client.get(response.data["error_report_url"])
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(BytesIO(b"".join(report.streaming_content))).active.values)
    assert rows[1][-1] == "采购金额：“x” is not a number."


def test_status_and_progress_can_be_followed(client_for, personas, shop):
    client = client_for(personas.clerk)
    created = post(client, facts_file([fact_row("R1")])).data

    response = client.get(f"{URL}{created['id']}/")

    assert response.status_code == 200
    assert response.data["id"] == created["id"] and response.data["status"] == "succeeded"
    assert response.data["error_report_url"] is None


def test_a_large_file_is_accepted_and_queued(client_for, personas, shop, settings, monkeypatch,
                                             django_capture_on_commit_callbacks):
    settings.KEHU_IMPORT_INLINE_ROWS = 1
    sent = []
    monkeypatch.setattr("kehu.tasks.import_batch_process.apply_async",
                        lambda args, **options: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(personas.clerk),
                        facts_file([fact_row("R1"), fact_row("R1", month="2026-11")]))

    assert response.status_code == 202
    assert response.data["status"] == "queued" and response.data["finished"] is False
    assert response.data["progress_total"] == 2
    assert sent == [[response.data["id"]]]


def test_a_rep_is_refused(client_for, personas, shop):
    response = post(client_for(personas.rep), facts_file([fact_row("R1")]))

    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_a_renamed_file_is_refused_as_not_excel(client_for, personas, shop):
    response = post(client_for(personas.clerk), upload(b"%PDF-1.4 not a workbook", "a.xlsx"))

    assert response.status_code == 400
    assert "not an Excel workbook" in response.data["file"][0]


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(client_for, personas, shop,
                                                              settings):
    settings.KEHU_IMPORT_MAX_BYTES = 10
    response = post(client_for(personas.clerk), facts_file([fact_row("R1")] * 2000))

    assert response.status_code == 400
    assert "the limit is 10" in response.data["file"][0]


def test_an_unknown_kind_is_a_field_error(client_for, personas, shop):
    response = post(client_for(personas.clerk), facts_file([fact_row("R1")]), kind="visits")

    assert response.status_code == 400 and "kind" in response.data


def test_another_offices_batches_are_invisible(client_for, personas, shop):
    created = post(client_for(personas.clerk), facts_file([fact_row("R1")])).data
    outsider = client_for(personas.sibling_manager)

    assert outsider.get(f"{URL}{created['id']}/").status_code == 404
    assert outsider.get(f"{URL}{created['id']}/error-report/").status_code == 404
    assert outsider.get(URL).data["results"] == []
    assert [b["id"] for b in client_for(personas.manager).get(URL).data["results"]] == [
        created["id"]]


@pytest.mark.parametrize(("kind", "columns"), [("facts", FACT_COLUMNS),
                                               ("retailers", retailer_columns())])
def test_the_template_has_the_headers_and_an_example_row(client_for, personas, kind, columns):
    response = client_for(personas.clerk).get(f"/api/kehu/import-templates/{kind}.xlsx")

    assert response.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.worksheets[0].values)
    assert list(rows[0]) == [c.header for c in columns]
    assert len(rows) == 2 and rows[1][0] == "R0000001"
    assert len(list(workbook.worksheets[1].values)) == len(columns) + 1


def test_the_template_imports_as_it_is(client_for, personas):
    make_retailer(personas.org.area, personas.rep, code="R0000001")
    template = client_for(personas.clerk).get("/api/kehu/import-templates/facts.xlsx")

    response = post(client_for(personas.clerk),
                    upload(b"".join(template.streaming_content), "template.xlsx"))

    assert response.data["status"] == "succeeded", response.data["errors"]


def test_an_unknown_template_is_not_found(client_for, personas):
    assert client_for(personas.clerk).get("/api/kehu/import-templates/x.xlsx").status_code == 404


def test_the_import_page_is_for_importers_only(client, personas):
    client.force_login(personas.clerk)
    page = client.get("/kehu/import/")
    client.force_login(personas.rep)

    assert page.status_code == 200
    assert b'data-testid="import-file"' in page.content
    assert b"/api/kehu/import-templates/facts.xlsx" in page.content
    assert b"<script type=\"module\"" in page.content and b"import.js" in page.content
    assert client.get("/kehu/import/").status_code == 403
