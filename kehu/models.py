"""Retailers (零售客户): cards, key persons, monthly business facts, relationship levels."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import OrgNode, Role
from accounts.scoping import ScopedQuerySet

MONEY = {"max_digits": 12, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2,
           "validators": [MinValueValidator(0), MaxValueValidator(100)]}

licence_validator = RegexValidator(
    r"^[0-9A-Z\u4e00-\u9fa5-]{6,30}$",
    _("A licence number is 6–30 digits, capital letters or province characters."),
)


class RetailerQuerySet(ScopedQuerySet):
    pass


class Retailer(models.Model):
    """A retail customer's card (客户档案)."""

    class BusinessType(models.TextChoices):
        CONVENIENCE = "convenience", _("Convenience store")
        SUPERMARKET = "supermarket", _("Supermarket")
        TOBACCO_LIQUOR = "tobacco_liquor", _("Tobacco & liquor shop")
        GROCERY = "grocery", _("Grocery")
        RESTAURANT = "restaurant", _("Restaurant")
        KA = "ka", _("KA hypermarket")
        PHARMACY = "pharmacy", _("Pharmacy")
        CLINIC = "clinic", _("Clinic")
        BUILDING_MATERIALS = "building_materials", _("Building-materials shop")
        OTHER = "other", _("Other")

    class TradeArea(models.TextChoices):
        RESIDENTIAL = "residential", _("Residential")
        SCHOOL = "school", _("School")
        OFFICE = "office", _("Office district")
        COMMERCIAL = "commercial", _("Commercial street")
        TRANSPORT = "transport", _("Transport hub")
        RURAL = "rural", _("Rural market")
        INDUSTRIAL = "industrial", _("Industrial park")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    class OrderChannel(models.TextChoices):
        PHONE = "phone", _("Phone")
        ONLINE = "online", _("Online")
        APP = "app", _("App")
        VISIT = "visit", _("At the visit")

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"

    company = models.ForeignKey(
        OrgNode, verbose_name=_("company"), on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"depth": 1},
    )
    code = models.CharField(_("retailer code"), max_length=32)
    name = models.CharField(_("retailer name"), max_length=100)
    licence_no = models.CharField(
        _("licence number"), max_length=30, blank=True, validators=[licence_validator]
    )
    business_type = models.CharField(_("business type"), max_length=32,
                                     choices=BusinessType.choices)
    trade_area = models.CharField(_("trade area"), max_length=32, choices=TradeArea.choices,
                                  default=TradeArea.OTHER)
    address = models.CharField(_("address"), max_length=200, blank=True)
    area = models.ForeignKey(OrgNode, verbose_name=_("area"), on_delete=models.PROTECT,
                             related_name="retailers", limit_choices_to={"kind": "area"})
    # WGS-84 as phones report it; converted to GCJ-02 only for Chinese map tiles.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True, validators=[MinValueValidator(-90),
                                                           MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True, validators=[MinValueValidator(-180),
                                                            MaxValueValidator(180)])
    assigned_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned rep"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="retailers",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.ACTIVE)
    credit_limit = models.DecimalField(_("credit limit"), **MONEY, default=0,
                                       validators=[MinValueValidator(0)])
    order_channel = models.CharField(_("order channel"), max_length=16,
                                     choices=OrderChannel.choices, default=OrderChannel.PHONE)
    e_settlement = models.BooleanField(_("electronic settlement"), default=False)
    # Written by grading's services; kehu only stores it.
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    relationship_level = models.PositiveSmallIntegerField(_("relationship level"), default=0)
    # Pinyin initials and full pinyin (all readings of polyphones), space-led words,
    # so "starts a word" is a plain `contains(' ' + q)`.
    search_keys = models.TextField(_("search keys"), blank=True, editable=False)
    duplicate_reason = models.TextField(
        _("why this is not a duplicate"), blank=True,
        help_text=_("Kept when a likely duplicate was confirmed to be a different shop."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The history's user carries no database constraint and the copied foreign keys no
    # index (only the card's id is looked up): an Excel import writes 100,000 history rows
    # set-based, and each constraint is a check per row at COMMIT, each index a write
    # (bench/README.md, import section). The ORM still sets the user to NULL on delete.
    history = HistoricalRecords(excluded_fields=["search_keys", "updated_at"],
                                user_db_constraint=False,
                                no_db_index=["company", "area", "assigned_rep"])
    objects = RetailerQuerySet.as_manager()

    scope_path_lookup = "area__path"
    scope_owner_lookup = "assigned_rep_id"

    class Meta:
        verbose_name = _("retailer")
        verbose_name_plural = _("retailers")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "code"], name="retailer_code_unique_per_company",
                violation_error_message=_("This retailer code is already used."),
            ),
            models.UniqueConstraint(
                fields=["company", "licence_no"], condition=~Q(licence_no=""),
                name="retailer_licence_unique_per_company",
                violation_error_message=_("This licence number is already on another card."),
            ),
        ]
        # The list is ordered by (name, id): a rep's page walks the first, an area filter
        # the second, a manager's scope the third, 51 rows each (bench/README.md).
        indexes = [
            models.Index(fields=["assigned_rep", "name", "id"], name="retailer_rep_name_id"),
            models.Index(fields=["area", "name", "id"], name="retailer_area_name_id"),
            models.Index(fields=["name", "id"], name="retailer_name_id"),
            models.Index(fields=["latitude", "longitude"], name="retailer_lat_lng"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class KeyPerson(models.Model):
    """A key person (关键人) at a retailer. Phone, birthday and family are personal data."""

    class PersonRole(models.TextChoices):
        OWNER = "owner", _("Owner / decision maker")
        PURCHASER = "purchaser", _("Purchaser")
        STORE_MANAGER = "store_manager", _("Store manager")
        FINANCE = "finance", _("Finance contact")
        OTHER = "other", _("Other")

    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.CASCADE,
                                 related_name="key_persons")
    role = models.CharField(_("role"), max_length=32, choices=PersonRole.choices)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    # A lunar birthday is kept as lunar month/day; `birthday` then holds the birth year's
    # solar date when known.
    birthday_is_lunar = models.BooleanField(_("lunar birthday"), default=False)
    lunar_month = models.PositiveSmallIntegerField(
        _("lunar month"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)])
    lunar_day = models.PositiveSmallIntegerField(
        _("lunar day"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)])
    lunar_leap_month = models.BooleanField(_("leap month"), default=False)
    family = models.TextField(_("family"), blank=True)
    interests = models.TextField(_("interests"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["phone", "birthday", "family", "lunar_month",
                                                 "lunar_day", "lunar_leap_month", "interests",
                                                 "notes"])
    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "retailer__assigned_rep_id"

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        ordering = ["retailer_id", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class PersonalDataRead(models.Model):
    """Who read a key person's unmasked personal data, when (the assigned rep excepted)."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reader"),
                               on_delete=models.PROTECT, related_name="+")
    key_person = models.ForeignKey(KeyPerson, verbose_name=_("key person"),
                                   on_delete=models.CASCADE, related_name="reads")
    purpose = models.CharField(_("purpose"), max_length=50)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "key_person__retailer__area__path"
    scope_owner_lookup = "reader_id"

    class Meta:
        verbose_name = _("personal data read")
        verbose_name_plural = _("personal data reads")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reader} → {self.key_person_id}"


class MonthlyFact(models.Model):
    """Business facts of one retailer in one month, from the order system."""

    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.CASCADE,
                                 related_name="facts")
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    purchase_amount = models.DecimalField(_("purchase amount"), **MONEY,
                                          validators=[MinValueValidator(0)])
    purchase_quantity = models.DecimalField(_("purchase quantity"), max_digits=12,
                                            decimal_places=2, validators=[MinValueValidator(0)])
    collected_amount = models.DecimalField(_("collected amount"), **MONEY,
                                           validators=[MinValueValidator(0)])
    order_success_rate = models.DecimalField(_("order success rate (%)"), **PERCENT)
    e_settlement_rate = models.DecimalField(_("e-settlement rate (%)"), **PERCENT)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "retailer__assigned_rep_id"

    class Meta:
        verbose_name = _("monthly business fact")
        verbose_name_plural = _("monthly business facts")
        ordering = ["retailer_id", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["retailer", "month"], name="fact_unique_retailer_month",
                violation_error_message=_("This retailer already has facts for this month."),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="fact_month_is_first_day",
                                   violation_error_message=_("A month is its first day.")),
        ]
        indexes = [models.Index(fields=["month", "retailer"], name="fact_month_retailer")]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.month:%Y-%m}"


class RetailerAssignment(models.Model):
    """History of who served a retailer: every reassignment, one row.

    Like the simple_history tables, its foreign keys carry no database constraint: an
    Excel import writes one row per new card (100,000 at a time) and PostgreSQL checks
    each deferred constraint once per row at COMMIT — four checks a row, more than the
    card itself costs (bench/README.md, import section). The ORM still applies on_delete
    (cascade with the card, protect the users); `by` is not indexed (nothing looks it up
    but a user's deletion)."""

    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.CASCADE,
                                 related_name="assignments", db_constraint=False)
    from_rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("from"),
                                 on_delete=models.PROTECT, null=True, related_name="+",
                                 db_constraint=False)
    to_rep = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("to"),
                               on_delete=models.PROTECT, null=True, related_name="+",
                               db_constraint=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, related_name="+", db_constraint=False,
                           db_index=False)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "retailer__assigned_rep_id"

    class Meta:
        verbose_name = _("reassignment")
        verbose_name_plural = _("reassignments")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.retailer_id}: {self.from_rep_id} → {self.to_rep_id}"


class RelationshipCriterion(models.Model):
    """One checklist item of a relationship level (客情关系等级 1–4)."""

    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    code = models.CharField(_("code"), max_length=32, unique=True)
    text = models.CharField(_("criterion"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("relationship criterion")
        verbose_name_plural = _("relationship criteria")
        ordering = ["level", "position"]

    def __str__(self) -> str:
        return f"L{self.level} {self.label}"

    @property
    def label(self) -> str:
        from kehu.criteria import LABELS

        return str(LABELS.get(self.code, self.text))


class RelationshipTick(models.Model):
    """A rep's tick of one criterion for one retailer, confirmed or rejected by a manager."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    retailer = models.ForeignKey(Retailer, verbose_name=_("retailer"), on_delete=models.CASCADE,
                                 related_name="relationship_ticks")
    criterion = models.ForeignKey(RelationshipCriterion, verbose_name=_("criterion"),
                                  on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PENDING)
    evidence = models.CharField(_("evidence"), max_length=300)
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ticked by"),
                                  on_delete=models.PROTECT, related_name="+")
    ticked_at = models.DateTimeField(_("ticked at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "retailer__area__path"
    scope_owner_lookup = "retailer__assigned_rep_id"

    class Meta:
        verbose_name = _("relationship tick")
        verbose_name_plural = _("relationship ticks")
        ordering = ["retailer_id", "criterion__level", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["retailer", "criterion"], name="tick_unique_retailer_criterion",
                violation_error_message=_("This criterion is already ticked for this retailer."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.retailer_id} {self.criterion_id} {self.status}"


# Which roles see key persons' personal data unmasked. The assigned rep always does;
# everyone else's unmasked reads are logged (see kehu.privacy).
PERSONAL_DATA_ROLES = frozenset({Role.OFFICE_MANAGER})


class ImportBatch(models.Model):
    """One uploaded Excel file and what became of it: imported whole, or refused with
    every bad row listed (nothing written). Progress lives on its JobRun."""

    class Kind(models.TextChoices):
        FACTS = "facts", _("Monthly business facts")
        RETAILERS = "retailers", _("Retailers")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        INVALID = "invalid", _("Refused: the file has errors")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.QUEUED)
    company = models.ForeignKey(OrgNode, verbose_name=_("company"), on_delete=models.PROTECT,
                                related_name="+")
    # The importer's node: who else may see the batch (and its rows' scope).
    scope = models.ForeignKey(OrgNode, verbose_name=_("scope"), on_delete=models.PROTECT,
                              related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                   on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to="kehu/imports/%Y/%m/", max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # The first errors as [{row, column, message}]; all of them are in the error report.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_report = models.FileField(_("error report"), upload_to="kehu/import-errors/%Y/%m/",
                                    max_length=255, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    job_run = models.OneToOneField("accounts.JobRun", verbose_name=_("job run"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_path_lookup = "scope__path"
    scope_owner_lookup = "created_by_id"

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name} ({self.get_status_display()})"
