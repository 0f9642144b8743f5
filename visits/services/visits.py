"""Writes to visits: check-in, the on-site form, check-out, photos.

Exactly once: every object a phone creates carries its client-generated UUID under a
unique constraint. Sending the same id again returns the first object instead of a
second one (the API says so with 200 instead of 201), even when two copies race.
"""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import DateField, F, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from kehu.geo import haversine_m
from kehu.models import Retailer
from visits import template_schema
from visits.models import (
    Photo,
    PlanStop,
    PriceCheck,
    RetailerLastVisit,
    StockLine,
    Visit,
    VisitPlan,
)
from visits.photos import process_photo
from visits.selectors.common import month_start, policy_for_node, template_version_for

Kind = Visit.Kind
NOTE_FIELDS = ("communication_notes", "promotion_notes", "competitor_info",
               "consumer_feedback", "retailer_requests")


def _clock(*, device_time: datetime | None, device_sent_at: datetime | None,
           now: datetime) -> tuple[datetime, datetime, int | None]:
    """(phone time, best estimate of the real time, clock offset in seconds).

    The phone sends its clock's reading at send time in a header; the difference from
    the server's clock is the phone's offset, which corrects the moment it recorded
    (possibly hours earlier, offline). Without that header the phone's time is taken
    as it is.
    """
    device_time = device_time or now
    if device_sent_at is None:
        return device_time, device_time, None
    offset = now - device_sent_at
    return device_time, device_time + offset, round(offset.total_seconds())


def _distance_m(retailer: Retailer, latitude, longitude) -> int | None:
    if None in (latitude, longitude, retailer.latitude, retailer.longitude):
        return None
    return round(haversine_m(float(latitude), float(longitude), float(retailer.latitude),
                             float(retailer.longitude)))


def _later(column: str, day):
    """The column's date or `day`, whichever is later (NULL counts as earlier)."""
    return Greatest(Coalesce(F(column), Value(day)), Value(day), output_field=DateField())


def _note_last_visit(*, retailer_id: int, day, on_site: bool) -> None:
    """Move the retailer's last-visit days forward (never back: a visit synced late from
    an older day leaves a newer one in place). One UPDATE when the row exists (it does
    from the retailer's first visit on); safe under concurrent check-ins (the UPDATE's
    row lock orders them and each compares with the value the other committed)."""
    changes = {"last_contact_date": _later("last_contact_date", day)}
    if on_site:
        changes["last_on_site_date"] = _later("last_on_site_date", day)
    rows = RetailerLastVisit.objects.filter(retailer_id=retailer_id)
    if rows.update(**changes):
        return
    RetailerLastVisit.objects.bulk_create([RetailerLastVisit(retailer_id=retailer_id)],
                                          ignore_conflicts=True)
    rows.update(**changes)


def _existing(model, client_id: UUID, **same):
    """The object already made with this client id, if it is the same request's."""
    found = model.objects.filter(client_id=client_id).first()
    if found is None:
        return None
    if any(getattr(found, field) != value for field, value in same.items()):
        raise ValidationError({"client_id": _("This id is already used by another record.")})
    return found


def _guard_gps(kind: str, latitude, longitude) -> None:
    if kind == Kind.ON_SITE and (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Send both latitude and longitude, or neither.")})


def _guard_one_open_visit(open_visit: Visit | None) -> None:
    if open_visit is not None:
        raise ValidationError({"non_field_errors": [
            _("Check out of %(retailer)s first.") % {"retailer": open_visit.retailer.name}]})


def _same_or_open(actor: User, client_id: UUID, kind: str) -> tuple[Visit | None, Visit | None]:
    """(the visit already made with this client id, the rep's open on-site visit that is
    not it) in one query: both are looked up at every check-in."""
    wanted = Q(client_id=client_id)
    if kind == Kind.ON_SITE:
        wanted |= Q(rep=actor, kind=Kind.ON_SITE, status=Visit.Status.IN_PROGRESS)
    same, open_visit = None, None
    # Newest first (the model's order): "check out first" names the latest open visit.
    for visit in Visit.objects.filter(wanted).select_related("retailer"):
        if visit.client_id == client_id:
            same = visit
        elif open_visit is None:
            # A twin of this very request that committed a moment ago has this client
            # id: it is `same`, not "another" open visit.
            open_visit = visit
    return same, open_visit


def _stop_objective(actor: User, retailer: Retailer, day) -> str:
    """The objective of the retailer's stop on the day in the rep's approved plan."""
    objective = (PlanStop.objects
                 .filter(plan__rep=actor, plan__month=month_start(day),
                         plan__status=VisitPlan.Status.APPROVED, date=day, retailer=retailer)
                 .order_by("-plan__version").values_list("objective", flat=True).first())
    return objective or ""


def visit_check_in(
    *, actor: User, retailer: Retailer, client_id: UUID, kind: str = Kind.ON_SITE,
    device_time: datetime | None = None, device_sent_at: datetime | None = None,
    latitude: Decimal | None = None, longitude: Decimal | None = None,
    accuracy_m: int | None = None, gps_error: str = "", now: datetime | None = None,
) -> tuple[Visit, bool]:
    """Start a visit; returns (visit, created). Phone visits and care calls keep no GPS.

    An on-site check-in without a position is accepted and flagged (`gps_missing`);
    one farther from the store than the policy's radius is flagged (`far_from_store`).

    The reads and rules come first, outside a transaction of their own (at READ
    COMMITTED they would see the same inside one); the writes (the visit and the
    retailer's last-visit row) then run together in the caller's transaction if there
    is one (the Idempotency-Key's), else in their own. Only the INSERT has a savepoint:
    it catches a twin with the same client id.
    """
    existing, open_visit = _same_or_open(actor, client_id, kind)
    if existing is not None:
        if existing.rep_id != actor.pk or existing.retailer_id != retailer.pk:
            raise ValidationError({"client_id": _("This id is already used by another "
                                                  "record.")})
        return existing, False
    if retailer.status == Retailer.Status.CLOSED:
        raise ValidationError({"retailer": _("This retailer is closed.")})
    _guard_gps(kind, latitude, longitude)
    _guard_one_open_visit(open_visit)
    now = now or timezone.now()
    policy = policy_for_node(retailer.area)
    device, started, offset = _clock(device_time=device_time, device_sent_at=device_sent_at,
                                     now=now)
    skew = offset if offset is not None else (now - device).total_seconds()
    suspect = abs(skew) > policy.clock_skew_minutes * 60 or started > now
    started = min(started, now)
    visit = Visit(client_id=client_id, rep=actor, retailer=retailer, kind=kind,
                  device_started_at=device, started_at=started, received_at=now,
                  clock_offset_s=offset, clock_suspect=suspect,
                  visit_date=timezone.localdate(started),
                  template_version=template_version_for(retailer))
    if kind == Kind.ON_SITE:
        _place_check_in(visit, retailer, policy, latitude, longitude, accuracy_m, gps_error)
    visit.objective = _stop_objective(actor, retailer, visit.visit_date)
    visit.full_clean(exclude=["rep", "retailer", "template_version"],
                     validate_unique=False, validate_constraints=False)
    with transaction.atomic(savepoint=False):
        try:
            with transaction.atomic():
                visit.save()
        except IntegrityError:  # the same client id raced us and won: answer with its visit
            return _existing(Visit, client_id, rep_id=actor.pk, retailer_id=retailer.pk), False
        _note_last_visit(retailer_id=retailer.pk, day=visit.visit_date,
                         on_site=kind == Kind.ON_SITE)
    return visit, True


def _place_check_in(visit: Visit, retailer: Retailer, policy, latitude, longitude,
                    accuracy_m, gps_error: str) -> None:
    visit.radius_m = policy.checkin_radius_m
    if latitude is None:
        visit.gps_missing = True
        visit.gps_error = gps_error or Visit.GpsError.UNAVAILABLE
        return
    visit.checkin_latitude, visit.checkin_longitude = latitude, longitude
    visit.checkin_accuracy_m = accuracy_m
    visit.checkin_distance_m = _distance_m(retailer, latitude, longitude)
    visit.far_from_store = (visit.checkin_distance_m or 0) > visit.radius_m


def _locked_own(visit: Visit, actor: User) -> Visit:
    visit = (Visit.objects.select_for_update(of=("self",))
             .select_related("retailer__area", "template_version").get(pk=visit.pk))
    if visit.rep_id != actor.pk:
        raise ValidationError({"non_field_errors": [
            _("Only the rep who made the visit records it.")]})
    return visit


def _steps(visit: Visit) -> list:
    return visit.template_version.steps if visit.template_version else \
        template_schema.DEFAULT_STEPS


def _price_lines(visit: Visit, lines: list[dict], tolerance: Decimal) -> list[PriceCheck]:
    products = template_schema.guide_prices(_steps(visit))
    checks = []
    for position, line in enumerate(lines):
        product = products.get(line.get("product_code") or "")
        guide = Decimal(str(product["guide_price"])) if product else line.get("guide_price")
        if guide is None:
            raise ValidationError({f"price_checks.{position}.guide_price": [
                _("Give the guide price of a product that is not in the template.")]})
        observed = line["observed_price"]
        allowed = guide * tolerance / 100
        checks.append(PriceCheck(
            visit=visit, position=position, product_code=line.get("product_code", ""),
            product_name=product["name"] if product else line.get("product_name", ""),
            guide_price=guide, observed_price=observed,
            compliant=abs(observed - guide) <= allowed))
    for number, check in enumerate(checks):
        if not check.product_name:
            raise ValidationError({f"price_checks.{number}.product_name": [
                _("Name the product.")]})
    return checks


def _apply_form(visit: Visit, *, answers=None, price_checks=None, stock_lines=None,
                **notes) -> None:
    if answers is not None:
        visit.answers = template_schema.validate_answers(_steps(visit), answers, complete=False)
    for field, value in notes.items():
        if field not in NOTE_FIELDS:
            raise TypeError(field)
        setattr(visit, field, value.strip())
    if price_checks is not None:
        policy = policy_for_node(visit.retailer.area)
        checks = _price_lines(visit, price_checks, policy.price_tolerance_pct)
        visit.price_checks.all().delete()
        PriceCheck.objects.bulk_create(checks)
    if stock_lines is not None:
        visit.stock_lines.all().delete()
        StockLine.objects.bulk_create(
            StockLine(visit=visit, position=i, product_code=line.get("product_code", ""),
                      product_name=line["product_name"], on_hand=line["on_hand"],
                      suggested_order=line.get("suggested_order") or 0)
            for i, line in enumerate(stock_lines))


@transaction.atomic
def visit_record(*, visit: Visit, actor: User, **form) -> Visit:
    """Save the on-site form of a visit in progress (answers against its template
    version, notes, price checks, stock and suggested order). Lists replace the old."""
    visit = _locked_own(visit, actor)
    if visit.status == Visit.Status.COMPLETED:
        raise ValidationError({"non_field_errors": [
            _("This visit is checked out: it can no longer be changed.")]})
    _apply_form(visit, **form)
    visit.save()
    return visit


@transaction.atomic
def visit_check_out(
    *, visit: Visit, actor: User, device_time: datetime | None = None,
    device_sent_at: datetime | None = None, latitude: Decimal | None = None,
    longitude: Decimal | None = None, accuracy_m: int | None = None,
    now: datetime | None = None, **form,
) -> Visit:
    """End a visit (with the last of its form); every required question must be answered.
    Checking out again with the same phone time returns the visit unchanged."""
    visit = _locked_own(visit, actor)
    now = now or timezone.now()
    device, ended, _offset = _clock(device_time=device_time, device_sent_at=device_sent_at,
                                    now=now)
    if visit.status == Visit.Status.COMPLETED:
        if device_time is not None and visit.device_ended_at == device_time:
            return visit
        raise ValidationError({"non_field_errors": [_("This visit is already checked out.")]})
    if device < visit.device_started_at:
        raise ValidationError({"device_time": [
            _("Check-out (%(out)s) cannot be before check-in (%(in)s).")
            % {"out": timezone.localtime(device).strftime("%H:%M"),
               "in": timezone.localtime(visit.device_started_at).strftime("%H:%M")}]})
    _guard_gps(visit.kind, latitude, longitude)
    _apply_form(visit, **form)
    # The template's required questions are the store audit: a phone visit or care call
    # may answer them but cannot be held to them.
    template_schema.validate_answers(_steps(visit), visit.answers,
                                     complete=visit.kind == Kind.ON_SITE)
    visit.status, visit.device_ended_at, visit.checkout_received_at = (
        Visit.Status.COMPLETED, device, now)
    visit.ended_at = max(min(ended, now), visit.started_at)
    visit.duration_s = round((visit.ended_at - visit.started_at).total_seconds())
    if visit.kind == Kind.ON_SITE and latitude is not None:
        visit.checkout_latitude, visit.checkout_longitude = latitude, longitude
        visit.checkout_accuracy_m = accuracy_m
        visit.checkout_distance_m = _distance_m(visit.retailer, latitude, longitude)
        if visit.radius_m and (visit.checkout_distance_m or 0) > visit.radius_m:
            visit.far_from_store = True
    visit.save()
    return visit


def photo_add(*, actor: User, visit: Visit, client_id: UUID, upload, kind: str = "display",
              device_taken_at: datetime | None = None) -> tuple[Photo, bool]:
    """Attach a photo to a visit; returns (photo, created). The image is checked and
    re-encoded before any row is written; a photo already used on another visit is
    accepted and flagged (`reused_from`)."""
    existing = _existing(Photo, client_id, visit_id=visit.pk)
    if existing is not None:
        return existing, False
    if visit.rep_id != actor.pk:
        raise ValidationError({"visit": _("Only the rep who made the visit adds its photos.")})
    processed = process_photo(upload)  # slow work outside the transaction
    return _photo_save(actor=actor, visit=visit, client_id=client_id, kind=kind,
                       processed=processed, device_taken_at=device_taken_at)


@transaction.atomic
def _photo_save(*, actor, visit, client_id, kind, processed, device_taken_at):
    same = Photo.objects.filter(visit=visit, sha256=processed.sha256).first() or \
        _existing(Photo, client_id, visit_id=visit.pk)
    if same is not None:
        if same.client_id == client_id:  # a twin of this request got in first
            return same, False
        raise ValidationError({"image": _("This photo is already on this visit.")})
    taken_at, source = processed.taken_at, Photo.TakenAtSource.EXIF
    if taken_at is None:
        taken_at = device_taken_at
        source = Photo.TakenAtSource.DEVICE if taken_at else Photo.TakenAtSource.NONE
    photo = Photo(client_id=client_id, visit=visit, kind=kind, sha256=processed.sha256,
                  original_type=processed.original_type,
                  original_size=processed.original_size, width=processed.width,
                  height=processed.height, taken_at=taken_at,
                  taken_at_source=source, uploaded_by=actor,
                  reused_from=Photo.objects.filter(sha256=processed.sha256)
                  .exclude(visit=visit).order_by("uploaded_at", "id").first())
    photo.full_clean(exclude=["image", "thumbnail", "visit", "uploaded_by", "reused_from"],
                     validate_unique=False, validate_constraints=False)
    photo.image.save(processed.image.name, processed.image, save=False)
    photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    try:
        with transaction.atomic():
            photo.save()
    except IntegrityError:
        _delete_files(photo)
        again = _existing(Photo, client_id, visit_id=visit.pk)
        if again is not None:
            return again, False
        raise ValidationError({"image": _("This photo is already on this visit.")}) from None
    return photo, True


def _delete_files(photo: Photo) -> None:
    for field in (photo.image, photo.thumbnail):
        if field.name:
            field.storage.delete(field.name)
