"""A large retailer import on PostgreSQL writes checked chunks on a second connection
while later rows are checked (kehu.imports.stream), in one transaction committed only
when the whole file is clean. These tests commit for real (transaction=True), with
chunks of two rows so a five-row file streams."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from accounts.models import User
from kehu.imports import base, services, stream
from kehu.models import ImportBatch, KeyPerson, Retailer, RetailerAssignment
from tests.factories import make_retailer
from tests.kehu.xlsx_files import (  # noqa: F401 - media_root is an autouse fixture
    RETAILER_HEADERS,
    media_root,
    retailer_row,
    retailers_file,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="streams on PostgreSQL only"),
]
PERSON_HEADERS = [*RETAILER_HEADERS, "关键人姓名", "关键人电话", "重复确认原因"]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch, personas):
    monkeypatch.setattr(base, "CHUNK_ROWS", 2)
    User.objects.update(language="en")
    with translation.override("en"):
        yield


@pytest.fixture
def sent(monkeypatch):
    """The chunks handed to the writer (row numbers of each)."""
    chunks: list[list[int]] = []
    original = stream.Writer.send

    def spy(self, item):
        chunks.append([plan["row"] for plan in item])
        original(self, item)

    monkeypatch.setattr(stream.Writer, "send", spy)
    return chunks


def submit(personas, rows, headers=PERSON_HEADERS) -> ImportBatch:
    return services.import_batch_submit(actor=personas.clerk, kind="retailers",
                                        upload=retailers_file(rows, headers))


def test_a_clean_file_is_written_chunk_by_chunk_with_history_assignments_and_persons(
        personas, sent):
    area = personas.org.area.code
    rows = [[*retailer_row(f"N{n}", area, name=f"店{n}", rep="rep_a" if n % 2 else ""),
             f"老板{n}" if n < 3 else "", f"1380013800{n}" if n < 3 else "", ""]
            for n in range(5)]

    batch = submit(personas, rows)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert sent == [[2, 3], [4, 5], [6]]
    assert batch.counts == {"created": 5, "updated": 0, "unchanged": 0, "key_persons": 3}
    cards = Retailer.objects.filter(code__startswith="N").order_by("code")
    assert [c.code for c in cards] == ["N0", "N1", "N2", "N3", "N4"]
    assert all(c.history.get().history_type == "+" for c in cards)
    assert all(c.history.get().history_user_id == personas.clerk.pk for c in cards)
    assigned = RetailerAssignment.objects.filter(retailer__code__startswith="N")
    assert sorted(a.retailer.code for a in assigned) == ["N1", "N3"]
    assert {(a.from_rep_id, a.to_rep_id, a.by_id, a.reason) for a in assigned} == {
        (None, personas.rep.pk, personas.clerk.pk, "created")}
    persons = KeyPerson.objects.order_by("retailer__code")
    assert [(p.retailer.code, p.name, p.phone) for p in persons] == [
        ("N0", "老板0", "13800138000"), ("N1", "老板1", "13800138001"),
        ("N2", "老板2", "13800138002")]
    assert all(p.history.get().history_type == "+" for p in persons)


def test_a_bad_last_row_rolls_back_the_chunks_already_written(personas, sent):
    area = personas.org.area.code
    rows = [[*retailer_row(f"N{n}", area, name=f"店{n}"), "", "", ""] for n in range(5)]
    rows[4][6] = "ARE99999"

    batch = submit(personas, rows)

    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [(6, "片区编码")]
    assert sent == [[2, 3], [4, 5]]  # written ahead, then rolled back
    assert not Retailer.objects.filter(code__startswith="N").exists()
    assert not Retailer.history.filter(code__startswith="N").exists()


def test_every_error_is_reported_after_streaming_stopped(personas, sent):
    area = personas.org.area.code
    rows = [[*retailer_row(f"N{n}", area, name=f"店{n}"), "", "", ""] for n in range(6)]
    rows[2][7] = "nobody"
    rows[5][7] = "nobody either"

    batch = submit(personas, rows)

    assert [(e["row"], e["column"]) for e in batch.errors] == [
        (4, "客户经理账号"), (7, "客户经理账号")]
    assert sent == [[2, 3]]
    assert not Retailer.objects.filter(code__startswith="N").exists()


def test_likely_duplicates_across_chunks_and_in_the_database_are_judged(personas, sent):
    area = personas.org.area.code
    make_retailer(personas.org.area, personas.rep, code="R1", name="华联超市",
                  latitude=Decimal("32.050000"), longitude=Decimal("118.780000"))
    rows = [
        [*retailer_row("N0", area, name="苏果便利", lat=31.0, lng=118.0), "", "", ""],
        [*retailer_row("N1", area, name="店1"), "", "", ""],
        [*retailer_row("N2", area, name="苏果便利店", lat=31.0002, lng=118.0001), "", "", ""],
        [*retailer_row("N3", area, name="华联超市", lat=32.0502, lng=118.7801), "", "", ""],
        [*retailer_row("N4", area, name="华联超市", lat=32.0502, lng=118.7801), "", "",
         "楼上另一家"],
    ]

    batch = submit(personas, rows)

    assert [(e["row"], e["message"][:30]) for e in batch.errors] == [
        (4, "This looks like row 2 of this "), (5, "This looks like R1 华联超市 (simil")]
    assert not Retailer.objects.filter(code__startswith="N").exists()


def test_a_code_taken_while_the_file_was_checked_is_a_conflict(personas, monkeypatch):
    area = personas.org.area.code
    rows = [[*retailer_row(f"N{n}", area, name=f"店{n}"), "", "", ""] for n in range(5)]
    original = stream.Writer.send

    def send(self, item):  # someone else commits N4 just before the file's last chunk
        if item[0]["code"] == "N4":
            make_retailer(personas.org.area, personas.rep, code="N4", name="别人的店")
        original(self, item)

    monkeypatch.setattr(stream.Writer, "send", send)
    batch = submit(personas, rows)

    assert batch.status == ImportBatch.Status.FAILED
    assert "changed by someone else" in batch.errors[0]["message"]
    assert list(Retailer.objects.filter(code__startswith="N").values_list("name", flat=True)) \
        == ["别人的店"]


def test_known_codes_in_a_streamed_file_update_their_cards_at_the_end(personas, sent):
    area = personas.org.area.code
    card = make_retailer(personas.org.area, None, code="R1", name="旧名字")
    rows = [[*retailer_row(f"N{n}", area, name=f"店{n}"), "", "", ""] for n in range(4)]
    rows.insert(1, [*retailer_row("R1", area, name="新名字", rep="rep_a"), "", "", ""])

    batch = submit(personas, rows)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert batch.counts == {"created": 4, "updated": 1, "unchanged": 0, "key_persons": 0}
    assert sent == [[2], [4, 5], [6]]  # new cards only; the update is written at commit
    card.refresh_from_db()
    assert (card.name, card.assigned_rep_id) == ("新名字", personas.rep.pk)
    assert [h.history_type for h in card.history.order_by("history_id")] == ["+", "~"]
    moved = RetailerAssignment.objects.get(retailer=card)
    assert (moved.from_rep_id, moved.to_rep_id, moved.by_id, moved.reason) == (
        None, personas.rep.pk, personas.clerk.pk, "reassigned by import")
    assert Retailer.objects.filter(code__startswith="N").count() == 4


def test_streamed_cards_have_the_audit_rows_of_a_card_made_by_hand(personas, sent):
    from tests.kehu.audit_rows import assert_same_audit_rows, card_by_hand, import_row

    area = personas.org.area.code
    by_hand = card_by_hand(personas, "M1")
    rows = [[*retailer_row(f"N{n}", area, name=f"店{n}", lat=31.0 + n, lng=118.0), "", "", ""]
            for n in range(4)]
    rows.append(import_row("N9", area, retailer_row))

    batch = submit(personas, rows)

    assert batch.status == ImportBatch.Status.SUCCEEDED, batch.errors
    assert sent == [[2, 3], [4, 5], [6]]
    assert_same_audit_rows(Retailer.objects.get(code="N9"), by_hand, actor=personas.clerk,
                           batch_id=batch.pk)


def test_chunks_sent_while_the_writer_is_busy_are_written_together():
    import threading

    gate, written = threading.Event(), []
    writer = stream.Writer(start=lambda cursor: gate.wait(10),
                           chunk=lambda cursor, item: written.append(item),
                           finish=lambda cursor, item: item,
                           merge=lambda items: [n for item in items for n in item])
    for n in range(10):
        writer.send([n])
    gate.set()

    assert writer.commit("done") == "done"
    assert written == [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9]]  # at most MERGE_MAX at a time


def test_the_gil_switch_interval_is_shortened_while_a_writer_runs_and_restored_after():
    import sys

    before = sys.getswitchinterval()
    first = stream.Writer(start=lambda cursor: None, chunk=lambda cursor, item: None,
                          finish=lambda cursor, item: None)
    second = stream.Writer(start=lambda cursor: None, chunk=lambda cursor, item: None,
                           finish=lambda cursor, item: None)
    assert sys.getswitchinterval() == min(stream.SWITCH_INTERVAL, before)
    first.commit(None)
    assert sys.getswitchinterval() == min(stream.SWITCH_INTERVAL, before)  # second runs
    second.abandon()
    second.abandon()
    assert sys.getswitchinterval() == before


def test_an_importer_holding_its_writer_is_freed_without_the_cyclic_gc():
    import gc
    import weakref

    class Owner:  # like the importer: holds the writer, whose callables hold it
        def write(self, cursor, item=None):
            return item

    owner = Owner()
    owner.writer = stream.Writer(start=owner.write, chunk=owner.write, finish=owner.write)
    owner.writer.commit(None)
    gone = weakref.ref(owner)
    gc.disable()
    try:
        del owner
        assert gone() is None
    finally:
        gc.enable()
