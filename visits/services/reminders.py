"""Care reminders (客情维护提醒): the nightly generation, and the rep's done / skip.

What the nightly run creates, office by office (the company's `ReminderPolicy`; defaults
in brackets):

- **care_call** — phone care by grade: A every month, B and C (and ungraded) every three
  months, so everyone hears from us at least four times a year. Periods are calendar
  months, or blocks of months counted from January. Within a period each retailer's call
  falls on a fixed day (`retailer id mod days in the period`), which spreads the calls
  over the period instead of piling them on its first day. No reminder when a care call
  to the retailer is already logged in the period.
- **birthday** — a key person's birthday, solar or lunar (`visits.care_calendar`: a leap
  month or day 30 that the year lacks falls back to the nearest existing date), due on
  the day, created `notice_days` [3] ahead.
- **holiday** — the festivals the policy lists [Spring Festival, Dragon Boat, Mid-Autumn,
  National Day] for retailers of `holiday_grades` [A and B — gifts and events go to A and
  B], due `holiday_lead_days` [3] before the festival.
- **follow_up** — one call within `follow_up_days` [7] after an on-site visit to an A
  retailer ("big customers get a call within a week to hear their opinion"), unless a
  call (care call or phone visit) to it was logged since.
- **rewards_due** — "points/rewards due": 客情费 is payable only once the retailer's
  purchases are paid (回款). When a month's facts show the purchases fully collected
  (collected ≥ purchase amount > 0), the reward for that month has become payable, and
  the rep is reminded to tell the retailer and arrange it — for the grades that get
  gifts, events and rewards (`holiday_grades` [A and B]). Looked at for the last two
  months (facts arrive after the month ends); one reminder per retailer and month.

Reminders are due on a day (`due_date`); the rep's "today" is every open reminder due
today or earlier. Each kind is one `INSERT … SELECT … ON CONFLICT DO NOTHING` built from
ORM querysets (so it runs on PostgreSQL and SQLite alike); (kind, retailer, occasion) is
unique, so a rerun of the night creates nothing twice. Before inserting, open reminders
follow their retailer to its current rep, and open care calls and follow-ups that a
logged call has answered are closed as done.
"""

from datetime import date, datetime, timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OrgNode, User
from accounts.services import job_run_recorded
from kehu.models import KeyPerson, MonthlyFact, Retailer
from visits.care_calendar import HOLIDAYS, holiday_date, lunar_birthdays_on, solar_birthdays_on
from visits.models import Reminder, ReminderPolicy, Visit
from visits.services.visits import visit_check_in

Kind = Reminder.Kind
CALLS = (Visit.Kind.CARE_CALL, Visit.Kind.PHONE)
# A night that did not run is caught up by the next one within this many days.
CATCH_UP_DAYS = 7
COLUMNS = ("kind", "rep_id", "retailer_id", "key_person_id", "occasion", "detail", "due_date",
           "event_date", "source_visit_id", "status", "skip_reason", "note", "created_at")


def reminder_policy_for(company: OrgNode) -> ReminderPolicy:
    """The company's reminder policy, or an unsaved one holding the defaults."""
    return ReminderPolicy.objects.filter(company=company).first() or \
        ReminderPolicy(company=company)


# The nightly generation ------------------------------------------------------------------

def reminders_generate(*, company: OrgNode, today: date, node: OrgNode | None = None,
                       now: datetime | None = None) -> dict:
    """Create the reminders of the company's retailers (under `node`, default: all) for
    the night before `today`; returns counts per kind (rows inserted, 0 on a rerun), plus
    `reassigned` and `auto_done`."""
    policy = reminder_policy_for(company)
    now = now or timezone.now()
    node = node or company
    # The areas as a list, so each statement reads the office's retailers through the
    # area index instead of scanning every retailer of the company.
    areas = list(OrgNode.objects.filter(path__startswith=node.path, kind=OrgNode.Kind.AREA)
                 .values_list("pk", flat=True))
    retailers = Retailer.objects.filter(_reminded(company, areas))
    with transaction.atomic():
        if connection.vendor == "postgresql":  # JIT would compile these queries for seconds
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        counts = {"reassigned": _follow_reassignments(areas),
                  "auto_done": _close_answered(areas, now)}
        counts[Kind.CARE_CALL] = _insert(_care_calls(retailers, policy, today), now)
        counts[Kind.BIRTHDAY] = _insert(_birthdays(company, areas, policy, today), now) \
            if policy.birthdays else 0
        counts[Kind.HOLIDAY] = sum(_insert(qs, now) for qs in _holidays(retailers, policy, today))
        counts[Kind.FOLLOW_UP] = _insert(_follow_ups(company, areas, policy, today), now)
        counts[Kind.REWARDS_DUE] = _insert(_rewards_due(company, areas, policy, today), now) \
            if policy.rewards_due else 0
    return counts


def _row(queryset: QuerySet, *, kind: str, rep, retailer, occasion, due, key_person=None,
         detail: str = "", event=None, source_visit=None) -> QuerySet:
    """The queryset's rows shaped as reminder columns (aliases c_<column>), unordered (a
    model's default ordering would sort the rows before the INSERT for nothing)."""
    null_id = Cast(Value(None), output_field=BigIntegerField())
    as_date = {"output_field": DateField()}
    return queryset.annotate(
        c_kind=Value(kind), c_rep_id=rep, c_retailer_id=retailer,
        c_key_person_id=key_person if key_person is not None else null_id,
        c_occasion=occasion, c_detail=Value(detail),
        c_due_date=due if hasattr(due, "resolve_expression") else Value(due, **as_date),
        c_event_date=event if event is not None else Cast(Value(None), **as_date),
        c_source_visit_id=source_visit if source_visit is not None else null_id,
        c_status=Value(Reminder.Status.OPEN), c_skip_reason=Value(""), c_note=Value(""),
    ).order_by().values_list(*(f"c_{c}" for c in COLUMNS if c != "created_at"))


def _insert(queryset: QuerySet, now: datetime) -> int:
    """INSERT the rows of a `_row` queryset; existing (kind, retailer, occasion) stay."""
    sql, params = queryset.query.sql_with_params()
    names = ", ".join(f"src.c_{c}" for c in COLUMNS if c != "created_at")
    table = connection.ops.quote_name(Reminder._meta.db_table)
    statement = (
        f"INSERT INTO {table} ({', '.join(COLUMNS)}) "
        f"SELECT {names}, %s FROM ({sql}) src WHERE 1 = 1 "
        "ON CONFLICT (kind, retailer_id, occasion) DO NOTHING")
    created = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(statement, (created, *params))
        return max(cursor.rowcount, 0)


def _reminded(company: OrgNode, areas: list[int], via: str = "") -> Q:
    """The retailers reminders are for — active, assigned, in the areas — as a condition
    on the retailer reached through `via` (e.g. "retailer__"), so a statement over key
    persons, visits or facts joins the retailer table once, with the office's filter on
    it (`retailer__in=<queryset>` plus the rep through the relation joined it twice, the
    second time over every retailer of the company)."""
    return Q(**{f"{via}company": company, f"{via}status": Retailer.Status.ACTIVE,
                f"{via}assigned_rep__isnull": False, f"{via}area_id__in": areas})


def _grade_q(grade: str, via: str = "") -> Q:
    return Q(**{f"{via}grade": grade}) if grade in ("A", "B") else \
        ~Q(**{f"{via}grade__in": ["A", "B"]})


def care_call_period(day: date, months: int) -> tuple[date, date]:
    """The care-call period containing `day`: blocks of `months` counted from January."""
    index = (day.month - 1) // months * months
    start = date(day.year, index + 1, 1)
    end_index = index + months
    end = date(day.year + end_index // 12, end_index % 12 + 1, 1) - timedelta(days=1) \
        if end_index < 12 else date(day.year, 12, 31)
    return start, end


def care_call_due(retailer_id: int, day: date, months: int) -> date:
    """The day a retailer's care call of the period containing `day` falls due."""
    start, end = care_call_period(day, months)
    return start + timedelta(days=retailer_id % ((end - start).days + 1))


def _care_calls(retailers: QuerySet, policy: ReminderPolicy, today: date) -> QuerySet:
    first, last = today - timedelta(days=CATCH_UP_DAYS), today + timedelta(days=policy.notice_days)
    due, start, occasion, spans, in_window = [], [], [], set(), Q(pk__in=[])
    for grade in ("A", "B", "C"):
        months = policy.care_call_months(grade)
        begin, end = care_call_period(today, months)
        span = (end - begin).days + 1
        spans.add(span)
        start.append(When(_grade_q(grade), then=Value(begin)))
        occasion.append(When(_grade_q(grade), then=Value(f"{begin:%Y-%m}/{months}")))
        offsets = range(max(0, (first - begin).days), min(span - 1, (last - begin).days) + 1)
        for offset in offsets:
            due.append(When(_grade_q(grade) & Q(**{f"m{span}": offset}),
                            then=Value(begin + timedelta(days=offset))))
        if offsets:
            in_window |= _grade_q(grade) & Q(**{f"m{span}__in": list(offsets)})
    if not due:
        return Reminder.objects.none().values_list("pk")
    called = Visit.objects.filter(retailer_id=OuterRef("pk"), kind=Visit.Kind.CARE_CALL,
                                  visit_date__gte=OuterRef("period_start"),
                                  visit_date__lte=today)
    # The retailers due in the window are filtered by `in_window` (the day numbers as
    # IN lists), not by `due IS NOT NULL`: PostgreSQL takes a CASE for "almost every
    # row", and for some offices then hashed every care call of the company (a 20M-row
    # scan, 9 s) instead of looking up the few retailers due (~1 in 7) by index.
    rows = (retailers.annotate(**{f"m{span}": F("id") % span for span in spans})
            .filter(in_window)
            .annotate(due=Case(*due, default=None, output_field=DateField()),
                      period_start=Case(*start, output_field=DateField()))
            .filter(~Exists(called)))
    return _row(rows, kind=Kind.CARE_CALL, rep=F("assigned_rep_id"), retailer=F("pk"),
                occasion=Case(*occasion, output_field=CharField()), due=F("due"),
                event=F("period_start"))


def _birthdays(company: OrgNode, areas: list[int], policy: ReminderPolicy,
               today: date) -> QuerySet:
    due, suffix, any_day = [], [], Q(pk__in=[])
    for offset in range(policy.notice_days + 1):
        day = today + timedelta(days=offset)
        on_day = Q(pk__in=[])
        for month, dom in solar_birthdays_on(day):
            on_day |= Q(birthday_is_lunar=False, birthday__month=month, birthday__day=dom)
        for month, dom, leap in lunar_birthdays_on(day):
            on_day |= Q(birthday_is_lunar=True, lunar_month=month, lunar_day=dom,
                        lunar_leap_month=leap)
        due.append(When(on_day, then=Value(day)))
        suffix.append(When(on_day, then=Value(f":{day}")))
        any_day |= on_day
    # Filtered by the birthdays' own columns, not by `due IS NOT NULL` (a CASE the
    # planner takes for "almost every row", see _care_calls).
    people = (KeyPerson.objects.filter(_reminded(company, areas, "retailer__"),
                                       erased_at__isnull=True)
              .filter(any_day)
              .annotate(due=Case(*due, default=None, output_field=DateField())))
    return _row(people, kind=Kind.BIRTHDAY, rep=F("retailer__assigned_rep_id"),
                retailer=F("retailer_id"), key_person=F("pk"), due=F("due"), event=F("due"),
                occasion=Concat(Value("kp"), Cast("pk", CharField()),
                                Case(*suffix, output_field=CharField()),
                                output_field=CharField()))


def holiday_occasions(policy: ReminderPolicy, today: date) -> list[tuple[str, date, date]]:
    """(festival code, festival date, due date) of the festivals whose care is due in the
    generation window (and that are not past)."""
    first, last = today - timedelta(days=CATCH_UP_DAYS), today + timedelta(days=policy.notice_days)
    found = []
    for code in policy.holidays:
        if code not in HOLIDAYS:
            continue
        for year in (today.year, today.year + 1):
            event = holiday_date(code, year)
            due = event - timedelta(days=policy.holiday_lead_days)
            if first <= due <= last and event >= today:
                found.append((code, event, due))
    return found


def _gift_grades(policy: ReminderPolicy, via: str = "") -> Q:
    """The grades that get gifts, events and rewards (A and B)."""
    condition = Q(pk__in=[])
    for grade in sorted({g for g in policy.holiday_grades.upper() if g in "ABC"}):
        condition |= _grade_q(grade, via)
    return condition


def _holidays(retailers: QuerySet, policy: ReminderPolicy, today: date) -> list[QuerySet]:
    graded = retailers.filter(_gift_grades(policy))
    return [_row(graded, kind=Kind.HOLIDAY, rep=F("assigned_rep_id"), retailer=F("pk"),
                 occasion=Value(f"{code}:{event}"), detail=code, due=due,
                 event=Value(event, output_field=DateField()))
            for code, event, due in holiday_occasions(policy, today)]


def _follow_ups(company: OrgNode, areas: list[int], policy: ReminderPolicy,
               today: date) -> QuerySet:
    days = policy.follow_up_days
    first = today - timedelta(days=days)
    called = Visit.objects.filter(retailer_id=OuterRef("retailer_id"), kind__in=CALLS,
                                  visit_date__gte=OuterRef("visit_date"),
                                  started_at__gt=OuterRef("started_at"))
    visits = (Visit.objects.filter(_reminded(company, areas, "retailer__"),
                                   retailer__grade="A", kind=Visit.Kind.ON_SITE,
                                   visit_date__range=(first, today))
              .filter(~Exists(called)))
    due = Case(*(When(visit_date=first + timedelta(days=n),
                      then=Value(first + timedelta(days=n + days)))
                 for n in range((today - first).days + 1)), output_field=DateField())
    return _row(visits, kind=Kind.FOLLOW_UP, rep=F("retailer__assigned_rep_id"),
                retailer=F("retailer_id"), due=due, event=F("visit_date"),
                source_visit=F("pk"),
                occasion=Concat(Value("visit:"), Cast("pk", CharField()),
                                output_field=CharField()))


def _rewards_due(company: OrgNode, areas: list[int], policy: ReminderPolicy,
                 today: date) -> QuerySet:
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    before = (last - timedelta(days=1)).replace(day=1)
    facts = MonthlyFact.objects.filter(
        _reminded(company, areas, "retailer__"), _gift_grades(policy, "retailer__"),
        month__in=[before, last], purchase_amount__gt=0,
        collected_amount__gte=F("purchase_amount"))
    occasion = Case(*(When(month=m, then=Value(f"fact:{m:%Y-%m}")) for m in (before, last)),
                    output_field=CharField())
    return _row(facts, kind=Kind.REWARDS_DUE, rep=F("retailer__assigned_rep_id"),
                retailer=F("retailer_id"), due=today, event=F("month"), occasion=occasion)


def office_retailer_ids(areas: list[int]) -> str:
    """SQL after a retailer id column: the retailer is in one of the areas (integers from
    the org tree, spelled out so the area index finds them).

    For a nightly part's statements over rows that pile up for every office (open
    reminders, a month's scorecards): they must start from the office's retailers and
    look their rows up by retailer through an index. A plain join leaves the order to
    PostgreSQL's statistics, which are stale while a night fills the table, and it
    walked every open reminder of the company for each office (534 s for 33 offices at
    1M retailers). An array computed once (`= ANY(ARRAY(…))`) is looked up element by
    element whatever the statistics say; SQLite gets the plain `IN (SELECT …)`."""
    table = connection.ops.quote_name(Retailer._meta.db_table)
    ids = ", ".join(str(int(pk)) for pk in areas) or "0"
    retailers = f"SELECT id FROM {table} WHERE area_id IN ({ids})"
    if connection.vendor == "postgresql":
        return f"= ANY(ARRAY({retailers}))"
    return f"IN ({retailers})"


def _follow_reassignments(areas: list[int]) -> int:
    """Open reminders move to the retailer's current rep."""
    reminders = connection.ops.quote_name(Reminder._meta.db_table)
    retailers = connection.ops.quote_name(Retailer._meta.db_table)
    statement = (
        f"UPDATE {reminders} SET rep_id = r.assigned_rep_id FROM {retailers} r "
        f"WHERE {reminders}.retailer_id {office_retailer_ids(areas)} "
        f"AND {reminders}.status = %s AND r.id = {reminders}.retailer_id "
        f"AND r.assigned_rep_id IS NOT NULL AND {reminders}.rep_id <> r.assigned_rep_id")
    with connection.cursor() as cursor:
        cursor.execute(statement, [Reminder.Status.OPEN])
        return max(cursor.rowcount, 0)


def _close_answered(areas: list[int], now: datetime) -> int:
    """Open care-call and follow-up reminders answered by a call (care call or phone
    visit) to the retailer on or after their event day — the period's first day (a
    reminder exists only while the period had no call) or the day of the visit — are
    done, with the latest such call."""
    reminders = connection.ops.quote_name(Reminder._meta.db_table)
    visits = connection.ops.quote_name(Visit._meta.db_table)
    calls = (f"FROM {visits} v WHERE v.retailer_id = {reminders}.retailer_id "
             f"AND v.kind IN (%s, %s) AND v.visit_date >= {reminders}.event_date")
    statement = (
        f"UPDATE {reminders} SET status = %s, closed_at = %s, done_visit_id = "
        f"(SELECT v.id {calls} ORDER BY v.started_at DESC, v.id DESC LIMIT 1) "
        f"WHERE {reminders}.retailer_id {office_retailer_ids(areas)} "
        f"AND {reminders}.status = %s AND {reminders}.kind IN (%s, %s) "
        f"AND EXISTS (SELECT 1 {calls})")
    params = [Reminder.Status.DONE, connection.ops.adapt_datetimefield_value(now), *CALLS,
              Reminder.Status.OPEN, Kind.CARE_CALL, Kind.FOLLOW_UP, *CALLS]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


# The nightly step (named by string in grading.nightly.STEPS) -----------------------------

JOB_NAME = "visits.reminders"


def nightly_parts(company: OrgNode, business_date: date) -> list[dict]:
    """One part per office (the company itself when it has none)."""
    offices = OrgNode.objects.filter(path__startswith=company.path, kind=OrgNode.Kind.OFFICE)
    return [{"node_id": pk} for pk in offices.order_by("path").values_list("pk", flat=True)] \
        or [{"node_id": company.pk}]


def nightly_run_part(*, business_date: date, node_id: int) -> int | None:
    """The reminders of one office's retailers for `business_date` (the day the reps
    start), recorded as a JobRun; returns its id (None: the office is gone)."""
    node = OrgNode.objects.filter(pk=node_id).first()
    if node is None:
        return None
    with job_run_recorded(name=JOB_NAME, scope=node, business_date=business_date) as run:
        run.counts = reminders_generate(company=node.company(), node=node,
                                        today=business_date)
    return run.pk


# The rep's actions ---------------------------------------------------------------------

def _locked_own(reminder: Reminder, actor: User) -> Reminder:
    reminder = (Reminder.objects.select_for_update(of=("self",))
                .select_related("retailer", "done_visit").get(pk=reminder.pk))
    if reminder.rep_id != actor.pk:
        raise ValidationError({"non_field_errors": [
            _("Only the rep the reminder is for can close it.")]})
    return reminder


def _log_care_call(*, actor: User, retailer: Retailer, client_id: UUID, note: str,
                   now: datetime) -> Visit:
    """A completed care call (情感电话) to the retailer, made now."""
    visit, _created = visit_check_in(actor=actor, retailer=retailer, client_id=client_id,
                                     kind=Visit.Kind.CARE_CALL, now=now)
    if visit.kind != Visit.Kind.CARE_CALL:
        raise ValidationError({"client_id": _("This id is already used by another record.")})
    if visit.status == Visit.Status.IN_PROGRESS:
        visit.status, visit.ended_at = Visit.Status.COMPLETED, visit.started_at
        visit.device_ended_at, visit.checkout_received_at = visit.device_started_at, now
        visit.duration_s = 0
        visit.communication_notes = note.strip()
        visit.save(update_fields=["status", "ended_at", "device_ended_at",
                                  "checkout_received_at", "duration_s", "communication_notes",
                                  "updated_at"])
    return visit


@transaction.atomic
def reminder_complete(*, reminder: Reminder, actor: User, client_id: UUID | None = None,
                      note: str = "", visit: Visit | None = None,
                      now: datetime | None = None) -> Reminder:
    """Mark a reminder done: with a visit the rep already logged to the retailer, or by
    logging a care call now (`client_id`, so a retried request logs it once)."""
    reminder = _locked_own(reminder, actor)
    if reminder.status == Reminder.Status.DONE and reminder.done_visit is not None and (
            reminder.done_visit == visit or reminder.done_visit.client_id == client_id):
        return reminder  # the same request again
    if reminder.status != Reminder.Status.OPEN:
        raise ValidationError({"non_field_errors": [_("This reminder is already closed.")]})
    now = now or timezone.now()
    if visit is not None:
        if visit.rep_id != actor.pk or visit.retailer_id != reminder.retailer_id:
            raise ValidationError({"visit": _("Choose one of your visits to this retailer.")})
    elif client_id is None:
        raise ValidationError({"client_id": _("This field is required.")})
    else:
        visit = _log_care_call(actor=actor, retailer=reminder.retailer, client_id=client_id,
                               note=note, now=now)
    reminder.status, reminder.done_visit = Reminder.Status.DONE, visit
    reminder.note, reminder.closed_at, reminder.closed_by = note.strip(), now, actor
    reminder.save(update_fields=["status", "done_visit", "note", "closed_at", "closed_by"])
    return reminder


@transaction.atomic
def reminder_skip(*, reminder: Reminder, actor: User, reason: str, note: str = "",
                  now: datetime | None = None) -> Reminder:
    """Skip a reminder with a reason ("other" needs a note); skipping again with the same
    reason changes nothing."""
    reminder = _locked_own(reminder, actor)
    if reason not in Reminder.SkipReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if reason == Reminder.SkipReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Say why.")})
    if reminder.status == Reminder.Status.SKIPPED and reminder.skip_reason == reason:
        return reminder
    if reminder.status != Reminder.Status.OPEN:
        raise ValidationError({"non_field_errors": [_("This reminder is already closed.")]})
    reminder.status, reminder.skip_reason, reminder.note = (
        Reminder.Status.SKIPPED, reason, note.strip())
    reminder.closed_at, reminder.closed_by = now or timezone.now(), actor
    reminder.save(update_fields=["status", "skip_reason", "note", "closed_at", "closed_by"])
    return reminder


POLICY_FIELDS = {"care_call_months_a", "care_call_months_b", "care_call_months_c",
                 "notice_days", "holiday_lead_days", "holiday_grades", "holidays",
                 "follow_up_days", "birthdays", "rewards_due"}


@transaction.atomic
def reminder_policy_update(*, company: OrgNode, actor: User, **fields) -> ReminderPolicy:
    """Change the company's reminder policy (its versions are kept)."""
    unknown = set(fields) - POLICY_FIELDS
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in unknown})
    policy, _created = ReminderPolicy.objects.select_for_update().get_or_create(company=company)
    for field, value in fields.items():
        setattr(policy, field, value)
    policy.holiday_grades = "".join(sorted(set(policy.holiday_grades.upper())))
    bad = [code for code in policy.holidays if code not in HOLIDAYS]
    if bad or any(g not in "ABC" for g in policy.holiday_grades):
        raise ValidationError({"holidays" if bad else "holiday_grades": _("Not a valid choice.")})
    policy.updated_by = actor
    policy.full_clean()
    policy.save()
    return policy

