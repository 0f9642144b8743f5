"""Visits test data, written straight to the tables (the services are what tests test)."""

import io
import uuid
from datetime import date, datetime, time

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from visits.models import (
    MissedVisit,
    Photo,
    PlanStop,
    Problem,
    Visit,
    VisitPlan,
    VisitTemplate,
    VisitTemplateVersion,
)
from visits.services.visits import _note_last_visit as note_last_visit


def make_plan(rep, area, month: date, *, stops=(), status=VisitPlan.Status.APPROVED,
              version: int = 1, created_by=None, starts_on: date | None = None) -> VisitPlan:
    """A plan with stops given as (date, retailer) or (date, retailer, fixed_time)."""
    plan = VisitPlan.objects.create(rep=rep, area=area, month=month,
                                    starts_on=starts_on or month, version=version,
                                    status=status, created_by=created_by or rep)
    for position, stop in enumerate(stops):
        day, retailer, *fixed = stop
        PlanStop.objects.create(plan=plan, date=day, retailer=retailer, position=position,
                                fixed_time=fixed[0] if fixed else None)
    return plan


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_visit(rep, retailer, day: date, *, kind=Visit.Kind.ON_SITE, hour: int = 10,
               completed: bool = True, **fields) -> Visit:
    start = at(day, hour)
    end = at(day, hour, 30) if completed else None
    visit = Visit.objects.create(
        client_id=uuid.uuid4(), rep=rep, retailer=retailer, kind=kind, visit_date=day,
        started_at=start, device_started_at=start, received_at=start, ended_at=end,
        device_ended_at=end, duration_s=1800 if completed else None,
        status=Visit.Status.COMPLETED if completed else Visit.Status.IN_PROGRESS, **fields)
    note_last_visit(retailer_id=retailer.pk, day=day, on_site=kind == Visit.Kind.ON_SITE)
    return visit


def jpeg_bytes(color=(200, 30, 30), size=(64, 48), fmt="JPEG", exif_time: str | None = None,
               gps: bool = False) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if exif_time:
        exif[0x0132] = exif_time
        exif.get_ifd(0x8769)[0x9003] = exif_time
    if gps:
        exif.get_ifd(0x8825)[2] = (31.0, 14.0, 0.0)
        exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"exif": exif} if exif_time or gps else {}))
    return buffer.getvalue()


def make_photo(visit, *, sha256: str | None = None, uploaded_by=None) -> Photo:
    data = jpeg_bytes()
    name = uuid.uuid4().hex
    photo = Photo(client_id=uuid.uuid4(), visit=visit, sha256=sha256 or uuid.uuid4().hex * 2,
                  original_type="image/jpeg", original_size=len(data),
                  uploaded_by=uploaded_by or visit.rep)
    photo.image.save(f"{name}.jpg", ContentFile(data), save=False)
    photo.thumbnail.save(f"{name}_t.jpg", ContentFile(data), save=False)
    photo.save()
    return photo


def make_problem(retailer, raised_by, *, due: date, status=Problem.Status.OPEN,
                 owner=None) -> Problem:
    solved = status == Problem.Status.SOLVED
    return Problem.objects.create(
        client_id=uuid.uuid4(), retailer=retailer, category=Problem.Category.LATE_DELIVERY,
        description="送货晚了两天", owner=owner or raised_by, due_date=due, status=status,
        raised_by=raised_by, resolution="已补货" if solved else "",
        solved_at=timezone.now() if solved else None)


def make_missed(rep, retailer, day: date, reason=MissedVisit.Reason.CLOSED) -> MissedVisit:
    return MissedVisit.objects.create(client_id=uuid.uuid4(), rep=rep, retailer=retailer,
                                      date=day, reason=reason, recorded_by=rep,
                                      note="" if reason != MissedVisit.Reason.OTHER else "其他")


PHARMACY_STEPS = [
    {"key": "price", "kind": "price_check", "title": "价格维护",
     "products": [{"code": "P01", "name": "板蓝根颗粒", "guide_price": "12.50"}]},
    {"key": "gsp", "kind": "questions", "title": "药店检查",
     "questions": [{"key": "gsp_cert", "label": "GSP 证书有效", "type": "yes_no",
                    "required": True},
                   {"key": "shelf", "label": "陈列位置", "type": "choice",
                    "options": ["eye_level", "top", "bottom"]}]},
]


def make_template(node, created_by, *, business_type="pharmacy", steps=None) -> VisitTemplate:
    template = VisitTemplate.objects.create(node=node, business_type=business_type,
                                            name="药店拜访", current_version=1)
    VisitTemplateVersion.objects.create(template=template, number=1,
                                        steps=steps or PHARMACY_STEPS, created_by=created_by)
    return template
