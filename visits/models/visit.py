"""Visits (拜访) with their evidence: check-in/out, answers, price and stock lines, photos."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.scoping import ScopedQuerySet
from kehu.models import Retailer

MONEY = {"max_digits": 12, "decimal_places": 2}
COORDINATE = {"max_digits": 9, "decimal_places": 6, "null": True, "blank": True}


def visit_scope(membership, user, prefix: str) -> Q:
    """Visits under the membership's node. A rep (like everywhere: by ownership alone, no
    org-tree join) sees the visits they made and every visit to the retailers assigned to
    them (a predecessor's or a manager's visit is part of the shop's history)."""
    if membership.role == Role.REP:
        # A subquery rather than a join in the OR, so each side can use its own index.
        theirs = Retailer.objects.filter(assigned_rep_id=user.pk).values("pk")
        return Q(**{f"{prefix}rep_id": user.pk}) | Q(**{f"{prefix}retailer_id__in": theirs})
    return Q(**{f"{prefix}retailer__area__path__startswith": membership.node.path})


class Visit(models.Model):
    """One visit of a rep to a retailer (on site, by phone, or a care call).

    Times: `device_*` are what the phone's clock said; `*_received_at` is when the server
    got the request; `started_at`/`ended_at` are the best estimate of the real moments
    (the phone's time corrected by its clock offset, measured when it sent the request).
    """

    class Kind(models.TextChoices):
        ON_SITE = "on_site", _("On-site visit")
        PHONE = "phone", _("Phone visit")
        CARE_CALL = "care_call", _("Care call")

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    class GpsError(models.TextChoices):
        NONE = "", _("None")
        DENIED = "denied", _("Permission denied")
        UNAVAILABLE = "unavailable", _("Position unavailable")
        TIMEOUT = "timeout", _("Timed out")

    client_id = models.UUIDField(_("client id"), unique=True)
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rep"),
                            on_delete=models.PROTECT, related_name="visits")
    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.PROTECT,
                                 related_name="visits")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices,
                            default=Kind.ON_SITE)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.IN_PROGRESS)
    visit_date = models.DateField(_("visit date"))
    objective = models.CharField(_("objective"), max_length=200, blank=True)

    started_at = models.DateTimeField(_("checked in at"))
    device_started_at = models.DateTimeField(_("phone time at check-in"))
    received_at = models.DateTimeField(_("server time at check-in"))
    clock_offset_s = models.IntegerField(_("phone clock offset (s)"), null=True, blank=True)
    clock_suspect = models.BooleanField(_("phone clock off"), default=False)
    checkin_latitude = models.DecimalField(_("check-in latitude"), **COORDINATE)
    checkin_longitude = models.DecimalField(_("check-in longitude"), **COORDINATE)
    checkin_accuracy_m = models.PositiveIntegerField(_("check-in accuracy (m)"), null=True,
                                                     blank=True)
    gps_error = models.CharField(_("GPS problem"), max_length=16, choices=GpsError.choices,
                                 blank=True)
    checkin_distance_m = models.PositiveIntegerField(_("distance to the store (m)"), null=True,
                                                     blank=True)
    radius_m = models.PositiveIntegerField(_("allowed radius (m)"), null=True, blank=True)
    gps_missing = models.BooleanField(_("no GPS"), default=False)
    far_from_store = models.BooleanField(_("far from the store"), default=False)

    ended_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    device_ended_at = models.DateTimeField(_("phone time at check-out"), null=True, blank=True)
    checkout_received_at = models.DateTimeField(_("server time at check-out"), null=True,
                                                blank=True)
    checkout_latitude = models.DecimalField(_("check-out latitude"), **COORDINATE)
    checkout_longitude = models.DecimalField(_("check-out longitude"), **COORDINATE)
    checkout_accuracy_m = models.PositiveIntegerField(_("check-out accuracy (m)"), null=True,
                                                      blank=True)
    checkout_distance_m = models.PositiveIntegerField(_("check-out distance (m)"), null=True,
                                                      blank=True)
    duration_s = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)

    template_version = models.ForeignKey(
        "visits.VisitTemplateVersion", verbose_name=_("template version"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    communication_notes = models.TextField(_("communication"), blank=True)
    promotion_notes = models.TextField(_("brand promotion"), blank=True)
    competitor_info = models.TextField(_("competitor information"), blank=True)
    consumer_feedback = models.TextField(_("consumer feedback"), blank=True)
    retailer_requests = models.TextField(_("retailer's requests"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "rep_id"

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="visit_checkout_after_checkin",
                violation_error_message=_("Check-out cannot be before check-in.")),
            models.CheckConstraint(
                condition=Q(status="in_progress", ended_at__isnull=True)
                | Q(status="completed", ended_at__isnull=False),
                name="visit_completed_has_checkout",
                violation_error_message=_("A completed visit has a check-out time.")),
        ]
        indexes = [
            models.Index(fields=["rep", "visit_date"], name="visit_rep_date"),
            models.Index(fields=["retailer", "visit_date"], name="visit_retailer_date"),
            models.Index(fields=["visit_date"], name="visit_date"),
            # "Check out first": a rep's open visit without reading their whole log
            # (at 20M visits a rep has ~60,000; the rep index alone read them all).
            models.Index(fields=["rep"], condition=Q(status="in_progress"),
                         name="visit_in_progress_rep"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_date} {self.retailer_id} ({self.get_kind_display()})"

    @classmethod
    def scope_filter(cls, membership, user) -> Q:
        return visit_scope(membership, user, "")

    @property
    def skew_s(self) -> int:
        """Server receive time minus phone time at check-in, in seconds."""
        return round((self.received_at - self.device_started_at).total_seconds())


class PriceCheck(models.Model):
    """Observed shelf price against the guide price of one product (价格维护)."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE,
                              related_name="price_checks")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    product_code = models.CharField(_("product code"), max_length=50, blank=True)
    product_name = models.CharField(_("product"), max_length=100)
    guide_price = models.DecimalField(_("guide price"), **MONEY,
                                      validators=[MinValueValidator(0)])
    observed_price = models.DecimalField(_("observed price"), **MONEY,
                                         validators=[MinValueValidator(0)])
    compliant = models.BooleanField(_("compliant"))

    class Meta:
        verbose_name = _("price check")
        verbose_name_plural = _("price checks")
        ordering = ["visit_id", "position"]

    def __str__(self) -> str:
        return f"{self.product_name}: {self.observed_price} / {self.guide_price}"


class StockLine(models.Model):
    """Stock on hand of one product and the order suggested to the retailer (指导订货)."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE,
                              related_name="stock_lines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    product_code = models.CharField(_("product code"), max_length=50, blank=True)
    product_name = models.CharField(_("product"), max_length=100)
    on_hand = models.DecimalField(_("on hand"), max_digits=10, decimal_places=2,
                                  validators=[MinValueValidator(0)])
    suggested_order = models.DecimalField(_("suggested order"), max_digits=10,
                                          decimal_places=2, default=0,
                                          validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("stock line")
        verbose_name_plural = _("stock lines")
        ordering = ["visit_id", "position"]

    def __str__(self) -> str:
        return f"{self.product_name}: {self.on_hand} (+{self.suggested_order})"


class Photo(models.Model):
    """A photo taken at a visit: re-encoded without EXIF, thumbnailed, fingerprinted."""

    class Kind(models.TextChoices):
        DISPLAY = "display", _("Display")
        SHELF = "shelf", _("Shelf")
        PRICE_LABEL = "price_label", _("Price label")
        STOREFRONT = "storefront", _("Storefront")
        OTHER = "other", _("Other")

    class TakenAtSource(models.TextChoices):
        EXIF = "exif", _("From the photo")
        DEVICE = "device", _("From the phone")
        NONE = "", _("Unknown")

    client_id = models.UUIDField(_("client id"), unique=True)
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.PROTECT,
                              related_name="photos")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices,
                            default=Kind.DISPLAY)
    # Files written by visits.photos after checking and re-encoding (JPEG, no EXIF).
    image = models.FileField(_("image"), upload_to="visits/photos/%Y/%m/", max_length=255)
    thumbnail = models.FileField(_("thumbnail"), upload_to="visits/thumbs/%Y/%m/",
                                 max_length=255)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    # SHA-256 of the bytes the phone sent: the same file on two visits is a reuse.
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    original_type = models.CharField(_("uploaded type"), max_length=32)
    original_size = models.PositiveIntegerField(_("uploaded size (bytes)"))
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    taken_at_source = models.CharField(_("taken-at source"), max_length=8,
                                       choices=TakenAtSource.choices, blank=True)
    reused_from = models.ForeignKey("self", verbose_name=_("same photo as"),
                                    on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "visit__retailer__area__path"
    scope_owner_lookup = "visit__rep_id"

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["visit_id", "uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "sha256"], name="photo_unique_per_visit",
                violation_error_message=_("This photo is already on this visit.")),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.get_kind_display()} {self.sha256[:8]}"

    @classmethod
    def scope_filter(cls, membership, user) -> Q:
        return visit_scope(membership, user, "visit__")


class RetailerLastVisit(models.Model):
    """The last day each retailer was visited on site and contacted at all, kept by the
    visit services so "overdue" is one indexed read, not a scan of the visit log."""

    retailer = models.OneToOneField(Retailer, verbose_name=_("retailer"), primary_key=True,
                                    on_delete=models.CASCADE, related_name="last_visit")
    last_on_site_date = models.DateField(_("last on-site visit"), null=True, blank=True,
                                         db_index=True)
    last_contact_date = models.DateField(_("last contact"), null=True, blank=True)

    class Meta:
        verbose_name = _("retailer's last visit")
        verbose_name_plural = _("retailers' last visits")

    def __str__(self) -> str:
        return f"{self.retailer_id}: {self.last_on_site_date}"
