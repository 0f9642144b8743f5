"""Every write to retailers, key persons, facts and relationship levels."""

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgNode, Role, User
from accounts.services import audit_record
from kehu.geo import bounding_box, haversine_m
from kehu.models import (
    KeyPerson,
    RelationshipCriterion,
    RelationshipTick,
    Retailer,
    RetailerAssignment,
)
from kehu.pinyin import search_keys
from kehu.validation import normalise_licence, normalise_phone

DUPLICATE_RADIUS_M = 100
NAME_SIMILARITY = 0.75


@dataclass(frozen=True)
class DuplicateCandidate:
    retailer: Retailer
    reasons: tuple[str, ...]


def _similar(a: str, b: str) -> bool:
    return SequenceMatcher(None, a, b).ratio() >= NAME_SIMILARITY


def _name_key(name: str) -> str:
    keys = search_keys(name).split()
    return keys[1] if len(keys) > 1 else name  # full pinyin of the first reading


def find_likely_duplicates(
    *, company: OrgNode, name: str, licence_no: str = "", phones: Iterable[str] = (),
    latitude=None, longitude=None, exclude_pk: int | None = None,
) -> list[DuplicateCandidate]:
    """Cards that are probably the same shop: same licence, same key-person phone, or a
    similar name (characters or pinyin) within 100 m."""
    found: dict[int, set[str]] = {}
    base = Retailer.objects.filter(company=company).exclude(pk=exclude_pk)
    if licence_no:
        for pk in base.filter(licence_no=licence_no).values_list("pk", flat=True):
            found.setdefault(pk, set()).add("licence")
    phones = [p for p in phones if p]
    if phones:
        same_phone = KeyPerson.objects.filter(retailer__in=base, phone__in=phones,
                                              erased_at__isnull=True)
        for pk in same_phone.values_list("retailer_id", flat=True):
            found.setdefault(pk, set()).add("phone")
    if latitude is not None and longitude is not None:
        lat, lng = float(latitude), float(longitude)
        min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, DUPLICATE_RADIUS_M)
        nearby = base.filter(latitude__range=(min_lat, max_lat),
                             longitude__range=(min_lng, max_lng))
        name_key = _name_key(name)
        for pk, other_name, other_lat, other_lng in nearby.values_list(
                "pk", "name", "latitude", "longitude"):
            close = haversine_m(lat, lng, float(other_lat), float(other_lng)) <= DUPLICATE_RADIUS_M
            if close and (_similar(name, other_name) or _similar(name_key, _name_key(other_name))):
                found.setdefault(pk, set()).add("name_nearby")
    retailers = Retailer.objects.in_bulk(list(found))
    return [DuplicateCandidate(retailers[pk], tuple(sorted(reasons)))
            for pk, reasons in sorted(found.items())]


class LikelyDuplicate(ValidationError):
    """Raised when a card looks like an existing shop and nobody confirmed it is not."""

    def __init__(self, candidates: list[DuplicateCandidate]):
        self.candidates = candidates
        super().__init__({"duplicates": _(
            "This looks like a retailer that already exists. Compare them and, if it is a "
            "different shop, confirm with a reason.")})


def _check_rep(rep: User | None, area: OrgNode) -> None:
    if rep is None:
        return
    company_path = area.path[: OrgNode.steplen]
    is_rep = Membership.objects.filter(user=rep, role=Role.REP,
                                       node__path__startswith=company_path).exists()
    if not is_rep:
        raise ValidationError({"assigned_rep": _("This person is not a rep of the company.")})


def _guard_duplicates(retailer: Retailer, phones: list[str], confirm: bool, reason: str) -> None:
    candidates = find_likely_duplicates(
        company=retailer.company, name=retailer.name, licence_no=retailer.licence_no,
        phones=phones, latitude=retailer.latitude, longitude=retailer.longitude,
        exclude_pk=retailer.pk,
    )
    if not candidates:
        return
    if any("licence" in c.reasons for c in candidates):
        raise ValidationError({"licence_no": _("This licence number is already on another card.")})
    if not confirm:
        raise LikelyDuplicate(candidates)
    if not reason.strip():
        raise ValidationError({"duplicate_reason": _(
            "Say why this is a different shop from the likely duplicate.")})
    retailer.duplicate_reason = reason.strip()


@transaction.atomic
def retailer_create(
    *, actor: User, area: OrgNode, code: str, name: str, business_type: str,
    key_persons: list[dict] | None = None, confirm_not_duplicate: bool = False,
    duplicate_reason: str = "", **fields,
) -> Retailer:
    """Create a card; refuses a likely duplicate unless confirmed with a reason."""
    if area.kind != OrgNode.Kind.AREA:
        raise ValidationError({"area": _("A retailer belongs to an area.")})
    retailer = Retailer(
        company=area.company(), area=area, code=code.strip(), name=name.strip(),
        business_type=business_type, **fields,
    )
    retailer.licence_no = normalise_licence(retailer.licence_no)
    if retailer.assigned_rep is None and Membership.objects.filter(
            user=actor, role=Role.REP).exists():
        retailer.assigned_rep = actor
    _check_rep(retailer.assigned_rep, area)
    if Retailer.objects.filter(company=retailer.company, code=retailer.code).exists():
        raise ValidationError({"code": _("This retailer code is already used.")})
    key_persons = [{**person, "phone": normalise_phone(person.get("phone", ""), field="phone")}
                   for person in (key_persons or [])]
    _guard_duplicates(retailer, [p["phone"] for p in key_persons], confirm_not_duplicate,
                      duplicate_reason)
    retailer.search_keys = search_keys(retailer.name)
    retailer.full_clean()
    retailer.save()
    for person in key_persons:
        key_person_create(retailer=retailer, **person)
    if retailer.assigned_rep:
        RetailerAssignment.objects.create(retailer=retailer, to_rep=retailer.assigned_rep,
                                          by=actor, reason=_("created"))
    return retailer


EDITABLE_FIELDS = {
    "name", "licence_no", "business_type", "trade_area", "address", "latitude", "longitude",
    "status", "credit_limit", "order_channel", "e_settlement",
}


@transaction.atomic
def retailer_update(*, retailer: Retailer, actor: User, confirm_not_duplicate: bool = False,
                    duplicate_reason: str = "", **changes) -> Retailer:
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in unknown})
    retailer = Retailer.objects.select_for_update().get(pk=retailer.pk)
    for field, value in changes.items():
        setattr(retailer, field, value)
    retailer.licence_no = normalise_licence(retailer.licence_no)
    identity_changed = {"name", "licence_no", "latitude", "longitude"} & set(changes)
    if identity_changed:
        _guard_duplicates(retailer, [], confirm_not_duplicate, duplicate_reason)
    retailer.search_keys = search_keys(retailer.name)
    retailer.full_clean()
    retailer.save()
    return retailer


@transaction.atomic
def retailer_reassign(*, retailers: Iterable[Retailer], to_rep: User, actor: User,
                      reason: str = "") -> int:
    """Give retailers to another rep: one UPDATE, one history row per retailer moved."""
    retailers = list(retailers)
    if not retailers:
        raise ValidationError({"retailers": _("Choose at least one retailer.")})
    for area in {r.area for r in retailers}:
        _check_rep(to_rep, area)
    locked = list(Retailer.objects.select_for_update().filter(
        pk__in=[r.pk for r in retailers]).exclude(assigned_rep=to_rep).only("pk", "assigned_rep"))
    RetailerAssignment.objects.bulk_create(
        RetailerAssignment(retailer_id=r.pk, from_rep_id=r.assigned_rep_id, to_rep=to_rep,
                           by=actor, reason=reason)
        for r in locked
    )
    Retailer.objects.filter(pk__in=[r.pk for r in locked]).update(
        assigned_rep=to_rep, updated_at=timezone.now())
    return len(locked)


PERSON_FIELDS = {"role", "name", "phone", "birthday", "birthday_is_lunar", "lunar_month",
                 "lunar_day", "lunar_leap_month", "family", "interests", "notes"}


def _clean_lunar(person: KeyPerson) -> None:
    from lunardate import LunarDate

    if not person.birthday_is_lunar:
        person.lunar_month = person.lunar_day = None
        person.lunar_leap_month = False
        return
    if not (person.lunar_month and person.lunar_day):
        raise ValidationError({"lunar_month": _("A lunar birthday needs its month and day.")})
    if person.birthday:
        try:
            LunarDate.from_solar_date(person.birthday.year, person.birthday.month,
                                      person.birthday.day)
        except ValueError as exc:
            raise ValidationError({"birthday": _("Not a valid date.")}) from exc


@transaction.atomic
def key_person_create(*, retailer: Retailer, **fields) -> KeyPerson:
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in unknown})
    fields["phone"] = normalise_phone(fields.get("phone", ""), field="phone")
    person = KeyPerson(retailer=retailer, **fields)
    _clean_lunar(person)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def key_person_update(*, key_person: KeyPerson, **changes) -> KeyPerson:
    unknown = set(changes) - PERSON_FIELDS
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in unknown})
    if key_person.erased_at:
        raise ValidationError(_("This person's data was erased on request."))
    if "phone" in changes:
        changes["phone"] = normalise_phone(changes["phone"], field="phone")
    for field, value in changes.items():
        setattr(key_person, field, value)
    _clean_lunar(key_person)
    key_person.full_clean()
    key_person.save()
    return key_person


@transaction.atomic
def key_person_erase(*, key_person: KeyPerson, actor: User, reason: str) -> KeyPerson:
    """Erase a person's personal data on request; the retailer's history stays."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say whose request this erasure answers.")})
    person = KeyPerson.objects.select_for_update().get(pk=key_person.pk)
    person.name = _("(erased)")
    person.phone = ""
    person.birthday = None
    person.birthday_is_lunar = False
    person.lunar_month = person.lunar_day = None
    person.lunar_leap_month = False
    person.family = person.interests = person.notes = ""
    person.erased_at = timezone.now()
    person.save()
    # The historical copies kept the name: wipe it there too.
    person.history.update(name=_("(erased)"))
    audit_record(actor=actor, node=person.retailer.area, obj=person, action="erase",
                 reason=reason)
    return person


def level_from_ticks(confirmed_criterion_ids: set[int]) -> int:
    """The highest level L whose criteria, and those of every level below, are confirmed."""
    level = 0
    for candidate in (1, 2, 3, 4):
        needed = set(RelationshipCriterion.objects.filter(level=candidate)
                     .values_list("pk", flat=True))
        if not needed or not needed <= confirmed_criterion_ids:
            break
        level = candidate
    return level


def _refresh_level(retailer: Retailer) -> int:
    confirmed = set(RelationshipTick.objects.filter(
        retailer=retailer, status=RelationshipTick.Status.CONFIRMED,
    ).values_list("criterion_id", flat=True))
    level = level_from_ticks(confirmed)
    if level != retailer.relationship_level:
        retailer.relationship_level = level
        retailer.save(update_fields=["relationship_level", "updated_at"])
    return level


@transaction.atomic
def tick_criterion(*, retailer: Retailer, criterion: RelationshipCriterion, evidence: str,
                   actor: User) -> RelationshipTick:
    """A rep ticks a criterion with a short evidence note; it waits for a manager."""
    if not evidence.strip():
        raise ValidationError({"evidence": _("Say briefly what shows this criterion is met.")})
    retailer = Retailer.objects.select_for_update().get(pk=retailer.pk)
    tick, created = RelationshipTick.objects.get_or_create(
        retailer=retailer, criterion=criterion,
        defaults={"evidence": evidence.strip(), "ticked_by": actor},
    )
    if not created:  # ticking again after a rejection starts a new review
        tick.evidence, tick.ticked_by = evidence.strip(), actor
        tick.status, tick.reviewed_by, tick.reviewed_at, tick.review_note = (
            RelationshipTick.Status.PENDING, None, None, "")
        tick.save()
    _refresh_level(retailer)
    return tick


@transaction.atomic
def tick_review(*, tick: RelationshipTick, actor: User, confirm: bool,
                note: str = "") -> RelationshipTick:
    """A manager confirms or rejects a tick; the retailer's level follows."""
    tick = RelationshipTick.objects.select_for_update().get(pk=tick.pk)
    if tick.ticked_by_id == actor.pk:
        raise ValidationError(_("Nobody confirms their own tick."))
    if not confirm and not note.strip():
        raise ValidationError({"note": _("Say why the tick is rejected.")})
    old = tick.status
    tick.status = RelationshipTick.Status.CONFIRMED if confirm else \
        RelationshipTick.Status.REJECTED
    tick.reviewed_by, tick.reviewed_at, tick.review_note = actor, timezone.now(), note.strip()
    tick.save()
    retailer = Retailer.objects.select_for_update().get(pk=tick.retailer_id)
    _refresh_level(retailer)
    audit_record(actor=actor, node=retailer.area, obj=tick, action="review",
                 from_state=old, to_state=tick.status, reason=note)
    return tick


__all__ = [
    "DuplicateCandidate",
    "LikelyDuplicate",
    "find_likely_duplicates",
    "key_person_create",
    "key_person_erase",
    "key_person_update",
    "level_from_ticks",
    "retailer_create",
    "retailer_reassign",
    "retailer_update",
    "tick_criterion",
    "tick_review",
]
