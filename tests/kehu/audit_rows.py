"""The audit rows an import writes for a new card, compared field by field with those
`kehu.services.retailer_create` writes for the same card typed in by hand."""

from decimal import Decimal

from kehu.models import KeyPerson, Retailer, RetailerAssignment
from kehu.services import retailer_create
from tests.factories import make_retailer

# Fields that differ between any two cards, or between the import and a hand-made card
# by design (the import names its batch as the reason and its user explicitly).
IDENTITY = {"id", "code", "history_id", "history_date", "history_change_reason",
            "history_user_id", "created_at", "updated_at", "at", "retailer_id"}


REASON = "楼上另一家"


def card_by_hand(personas, code: str):
    """The reference card: what `import_row` below imports, through the service; a
    confirmed likely duplicate of a shop at the same place (as the import's will be of
    both), so that its reason is kept too."""
    make_retailer(personas.org.area, None, code=f"{code}-0", name="华联超市",
                  latitude=Decimal("32.050000"), longitude=Decimal("118.780000"))
    return retailer_create(
        actor=personas.clerk, area=personas.org.area, code=code, name="华联超市",
        business_type="supermarket", licence_no="", trade_area="residential",
        address="中山北路100号", latitude=Decimal("32.050000"), longitude=Decimal("118.780000"),
        assigned_rep=personas.rep, status="active", credit_limit=Decimal("5000.50"),
        order_channel="phone", e_settlement=True, confirm_not_duplicate=True,
        duplicate_reason=REASON,
        key_persons=[{"role": "owner", "name": "王老板", "phone": "13800138000"}])


def import_row(code: str, area_code: str, retailer_row) -> list:
    """The imported twin of `card_by_hand` (rows with PERSON_HEADERS)."""
    return [*retailer_row(code, area_code, name="华联超市", rep="rep_a", lat=32.05, lng=118.78,
                          credit=5000.5, e_settlement="是"), "王老板", "13800138000", REASON]


def _values(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields
            if f.attname not in IDENTITY}


def assert_same_audit_rows(imported: Retailer, by_hand: Retailer, *, actor, batch_id) -> None:
    """Card, history row, assignment row, key person and its history row of `imported`
    equal those of `by_hand` in every field but identities and times; the history rows
    copy their card (key person) exactly, stamped with the card's creation time, the
    importing user and the batch."""
    assert _values(imported) == _values(by_hand)
    history = imported.history.get()
    reference = by_hand.history.get()
    assert _values(history) == _values(reference)
    tracked = {f.attname for f in Retailer._meta.concrete_fields}
    for field in type(history)._meta.concrete_fields:
        if field.attname in tracked:
            assert getattr(history, field.attname) == getattr(imported, field.attname), \
                field.attname
    assert history.history_type == "+" and history.history_user_id == actor.pk
    assert history.history_change_reason == f"Excel import #{batch_id}"
    assert history.history_date == imported.created_at == imported.updated_at

    assignment = RetailerAssignment.objects.get(retailer=imported)
    assert _values(assignment) == _values(RetailerAssignment.objects.get(retailer=by_hand))
    assert (assignment.from_rep_id, assignment.by_id, assignment.reason) == (
        None, actor.pk, "created")
    assert assignment.at == imported.created_at

    person = KeyPerson.objects.get(retailer=imported)
    assert _values(person) == _values(KeyPerson.objects.get(retailer=by_hand))
    person_history = person.history.get()
    assert _values(person_history) == _values(
        KeyPerson.objects.get(retailer=by_hand).history.get())
    tracked = {f.attname for f in KeyPerson._meta.concrete_fields}
    for field in type(person_history)._meta.concrete_fields:
        if field.attname in tracked:
            assert getattr(person_history, field.attname) == getattr(person, field.attname), \
                field.attname
    assert (person_history.history_type, person_history.history_user_id) == ("+", actor.pk)
    assert person_history.history_change_reason == f"Excel import #{batch_id}"
    assert person.created_at == imported.created_at
