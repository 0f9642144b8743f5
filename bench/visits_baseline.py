"""The baselines the visits endpoints are measured against: hand-written SQL.

Plain Django views (same middleware, same session login) that answer with the same JSON
as the app's endpoint for the same user, computed with a few hand-written SQL
statements and plain dicts: no DRF, no ORM querysets, no serializers. The benchmark
scripts check that app and baseline return equal documents before loading them.

- `/bench/visits/today/?date=` — the rep's own day (`/api/visits/day-routes/today/`):
  plan, route, stops in route order with their visit and missed reason, and per stop
  the preparation (card, key persons, last visit, open problems, objective, three
  months of facts, the template's steps): 6 statements.
- `/bench/visits/team/summary/?period=&date=` — a manager's team
  (`/api/visits/team/summary/`): one statement with a CTE per measure.
- `/bench/visits/team/overdue/` — first page of overdue retailers with the count
  (`/api/visits/team/overdue/`): 2 statements.
"""

import json
from datetime import date, datetime, timedelta

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from rest_framework.utils.urls import replace_query_param

from accounts.workdays import month_end
from kehu.models import KeyPerson, Retailer
from kehu.selectors import add_months
from visits import template_schema
from visits.api.serializers import point
from visits.models import MissedVisit, Problem, Visit, VisitPlan
from visits.selectors.team import REASONS

BUSINESS_TYPES = {k: str(v) for k, v in Retailer.BusinessType.choices}
KEY_PERSON_ROLES = {k: str(v) for k, v in KeyPerson.PersonRole.choices}
KINDS = {k: str(v) for k, v in Visit.Kind.choices}
CATEGORIES = {k: str(v) for k, v in Problem.Category.choices}
PLAN_STATUSES = {k: str(v) for k, v in VisitPlan.Status.choices}
MISS_REASONS = {k: str(v) for k, v in MissedVisit.Reason.choices}
PAGE = 50


def _rows(sql: str, params) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _day(request) -> date:
    raw = request.GET.get("date")
    return date.fromisoformat(raw) if raw else timezone.localdate()


def _utc(value: datetime | None) -> str | None:
    """As DRF's JSON encoder writes a datetime it is given as is."""
    if value is None:
        return None
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _local(value: datetime | None) -> str | None:
    """As a DRF DateTimeField writes it (in the current time zone)."""
    return None if value is None else timezone.localtime(value).isoformat()


# --- the rep's day -------------------------------------------------------------------

PLAN_SQL = """
SELECT id, version, status, area_id FROM visits_visitplan
WHERE rep_id = %(rep)s AND month = %(month)s
  AND status IN ('approved', 'draft', 'submitted', 'returned')
ORDER BY status = 'approved' DESC, id LIMIT 1"""

ROUTE_SQL = """
SELECT id, rep_id, date, start_latitude, start_longitude, retailer_order, distance_m,
       optimised_at, updated_at
FROM visits_dayroute WHERE rep_id = %(rep)s AND date = %(day)s"""

# Stops in route order with the shop's card, today's visit (the latest) and miss reason.
STOPS_SQL = """
SELECT s.id, s.retailer_id, s.fixed_time, s.objective,
       r.code, r.name, r.address, r.business_type, r.grade, r.status AS retailer_status,
       r.relationship_level, r.latitude, r.longitude, a.path AS area_path,
       v.id AS visit_id, v.status AS visit_status, v.kind AS visit_kind, v.started_at,
       v.ended_at, v.gps_missing OR v.far_from_store OR v.clock_suspect AS flagged,
       m.id AS missed_id, m.reason, m.note
FROM visits_planstop s
JOIN kehu_retailer r ON r.id = s.retailer_id
JOIN accounts_orgnode a ON a.id = r.area_id
LEFT JOIN LATERAL (
    SELECT (o.n - 1)::int AS rank FROM jsonb_array_elements(%(order)s::jsonb)
        WITH ORDINALITY AS o(retailer, n)
    WHERE o.retailer = to_jsonb(s.retailer_id) ORDER BY o.n DESC LIMIT 1) AS o ON true
LEFT JOIN LATERAL (
    SELECT * FROM visits_visit v
    WHERE v.rep_id = %(rep)s AND v.visit_date = %(day)s AND v.retailer_id = s.retailer_id
    ORDER BY v.started_at DESC, v.id DESC LIMIT 1) AS v ON true
LEFT JOIN visits_missedvisit m
       ON m.rep_id = %(rep)s AND m.date = %(day)s AND m.retailer_id = s.retailer_id
WHERE s.plan_id = %(plan)s AND s.date = %(day)s
ORDER BY coalesce(o.rank, %(unranked)s), s.position, s.id"""

# The last visit the reader may see (a rep: theirs, or to their shops) per retailer.
LAST_VISITS_SQL = """
SELECT ids.id AS retailer_id, v.id, v.visit_date, v.kind, v.status, v.duration_s,
       v.communication_notes, v.competitor_info, v.consumer_feedback, v.retailer_requests
FROM unnest(%(ids)s::bigint[]) AS ids(id)
CROSS JOIN LATERAL (
    SELECT * FROM visits_visit v
    WHERE v.retailer_id = ids.id
      AND (v.rep_id = %(rep)s OR v.retailer_id IN (
               SELECT id FROM kehu_retailer WHERE assigned_rep_id = %(rep)s))
    ORDER BY v.started_at DESC, v.id DESC LIMIT 1) AS v"""

PROBLEMS_SQL = """
SELECT p.id, p.retailer_id, p.category, p.description, p.due_date, p.status,
       coalesce(nullif(u.name, ''), u.username) AS owner
FROM visits_problem p JOIN accounts_user u ON u.id = p.owner_id
WHERE p.retailer_id = ANY(%(ids)s) AND p.status IN ('open', 'in_progress')
  AND (p.retailer_id IN (SELECT id FROM kehu_retailer WHERE assigned_rep_id = %(rep)s)
       OR p.owner_id = %(rep)s OR p.raised_by_id = %(rep)s)
ORDER BY p.due_date, p.id"""

FACTS_SQL = """
SELECT retailer_id, month, purchase_amount, collected_amount, order_success_rate
FROM kehu_monthlyfact WHERE retailer_id = ANY(%(ids)s) AND month >= %(since)s
ORDER BY month DESC"""

PERSONS_SQL = """
SELECT retailer_id, name, role FROM kehu_keyperson
WHERE retailer_id = ANY(%(ids)s) AND erased_at IS NULL ORDER BY id"""

# The current version of each business type's template at the deepest node above the
# area (one statement for all the day's business types and areas).
TEMPLATES_SQL = """
SELECT DISTINCT ON (t.business_type, a.path) t.business_type, a.path AS area_path,
       ver.id, ver.number, t.name, ver.steps
FROM unnest(%(paths)s::text[]) AS a(path)
JOIN accounts_orgnode n ON a.path LIKE n.path || '%%'
JOIN visits_visittemplate t ON t.node_id = n.id AND t.business_type = ANY(%(types)s)
JOIN visits_visittemplateversion ver ON ver.template_id = t.id
                                    AND ver.number = t.current_version
ORDER BY t.business_type, a.path, n.depth DESC"""


def _prep(row, last, persons, problems, facts, template, today: date) -> dict:
    return {
        "retailer": {
            "id": row["retailer_id"], "code": row["code"], "name": row["name"],
            "address": row["address"], "business_type": row["business_type"],
            "business_type_label": BUSINESS_TYPES.get(row["business_type"], ""),
            "grade": row["grade"] or "C", "graded": bool(row["grade"]),
            "status": row["retailer_status"], "relationship_level": row["relationship_level"],
            "location": point(row["latitude"], row["longitude"]),
        },
        "key_persons": [{"name": p["name"], "role": p["role"],
                         "role_label": KEY_PERSON_ROLES.get(p["role"], "")} for p in persons],
        "objective": row["objective"],
        "last_visit": None if last is None else {
            "id": last["id"], "visit_date": last["visit_date"].isoformat(),
            "kind": last["kind"], "kind_label": KINDS[last["kind"]], "status": last["status"],
            "duration_s": last["duration_s"],
            "communication_notes": last["communication_notes"],
            "competitor_info": last["competitor_info"],
            "consumer_feedback": last["consumer_feedback"],
            "retailer_requests": last["retailer_requests"],
        },
        "open_problems": [{
            "id": p["id"], "category": p["category"],
            "category_label": CATEGORIES[p["category"]], "description": p["description"],
            "owner": p["owner"], "due_date": p["due_date"].isoformat(), "status": p["status"],
            "overdue": p["due_date"] < today} for p in problems],
        "facts": [{"month": f["month"].strftime("%Y-%m"),
                   "purchase_amount": str(f["purchase_amount"]),
                   "collected_amount": str(f["collected_amount"]),
                   "order_success_rate": str(f["order_success_rate"])} for f in facts],
        "template": template,
    }


def _grouped(rows: list[dict], key: str = "retailer_id") -> dict:
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(row[key], []).append(row)
    return grouped


def today(request):
    if not request.user.is_authenticated:
        return _json({"detail": "login"}, 403)
    rep, day = request.user.pk, _day(request)
    plans = _rows(PLAN_SQL, {"rep": rep, "month": day.replace(day=1)})
    plan = plans[0] if plans else None
    routes = _rows(ROUTE_SQL, {"rep": rep, "day": day})
    route = routes[0] if routes else None
    if route:  # Django has psycopg hand jsonb over as text
        route["retailer_order"] = json.loads(route["retailer_order"])
    order = route["retailer_order"] if route else []
    stops = [] if plan is None else _rows(STOPS_SQL, {
        "rep": rep, "day": day, "plan": plan["id"], "order": _jsonb(order),
        "unranked": len(set(order))})
    ids = [s["retailer_id"] for s in stops]
    last, problems, facts, persons, templates = {}, {}, {}, {}, {}
    if ids:
        last = {r["retailer_id"]: r for r in _rows(LAST_VISITS_SQL, {"ids": ids, "rep": rep})}
        problems = _grouped(_rows(PROBLEMS_SQL, {"ids": ids, "rep": rep}))
        facts = _grouped(_rows(FACTS_SQL, {"ids": ids,
                                           "since": add_months(day.replace(day=1), -3)}))
        persons = _grouped(_rows(PERSONS_SQL, {"ids": ids}))
        templates = {(t["business_type"], t["area_path"]): t for t in _rows(TEMPLATES_SQL, {
            "paths": sorted({s["area_path"] for s in stops}),
            "types": sorted({s["business_type"] for s in stops})})}
    out_stops = []
    for index, s in enumerate(stops):
        found = templates.get((s["business_type"], s["area_path"]))
        template = {"template_version": found["id"] if found else None,
                    "number": found["number"] if found else None,
                    "name": found["name"] if found else "",
                    "steps": json.loads(found["steps"]) if found
                    else template_schema.DEFAULT_STEPS}
        rid = s["retailer_id"]
        out_stops.append({
            "stop": s["id"], "position": index, "retailer": rid,
            "fixed_time": s["fixed_time"].isoformat() if s["fixed_time"] else None,
            "objective": s["objective"],
            "visit": None if s["visit_id"] is None else {
                "id": s["visit_id"], "status": s["visit_status"], "kind": s["visit_kind"],
                "started_at": _utc(s["started_at"]), "ended_at": _utc(s["ended_at"]),
                "flagged": s["flagged"]},
            "missed": None if s["missed_id"] is None else {
                "id": s["missed_id"], "reason": s["reason"],
                "reason_label": MISS_REASONS[s["reason"]], "note": s["note"]},
            "preparation": _prep(s, last.get(rid), persons.get(rid, []),
                                 problems.get(rid, []), facts.get(rid, []), template, day),
        })
    return _json({
        "date": day.isoformat(), "rep": rep,
        "plan": None if plan is None else {
            "id": plan["id"], "version": plan["version"], "status": plan["status"],
            "status_label": PLAN_STATUSES[plan["status"]]},
        "route": None if route is None else {
            "id": route["id"], "rep": route["rep_id"], "date": route["date"].isoformat(),
            "start_latitude": _decimal(route["start_latitude"]),
            "start_longitude": _decimal(route["start_longitude"]),
            "retailer_order": route["retailer_order"], "distance_m": route["distance_m"],
            "optimised_at": _local(route["optimised_at"]),
            "updated_at": _local(route["updated_at"])},
        "start": point(route["start_latitude"], route["start_longitude"]) if route else None,
        "stops": out_stops,
    })


def _jsonb(value) -> str:
    return json.dumps(value)


def _decimal(value) -> str | None:
    return None if value is None else str(value)


# --- the manager's team ---------------------------------------------------------------

SCOPE_SQL = """
SELECT m.role, n.path, left(n.path, %(step)s) AS company_path,
       p.interval_days_a, p.interval_days_b, p.interval_days_c
FROM accounts_membership m
JOIN accounts_orgnode n ON n.id = m.node_id
JOIN accounts_orgnode c ON c.path = left(n.path, %(step)s)
LEFT JOIN visits_visitpolicy p ON p.company_id = c.id
WHERE m.user_id = %(user)s ORDER BY m.id"""

TEAM_SQL = """
WITH areas AS (
    SELECT id FROM accounts_orgnode WHERE path LIKE %(path)s
), reps AS (
    SELECT u.id, coalesce(nullif(u.name, ''), u.username) AS name, u.name AS sort_name
    FROM accounts_user u
    WHERE u.id IN (SELECT m.user_id FROM accounts_membership m
                   JOIN accounts_orgnode n ON n.id = m.node_id
                   WHERE m.role = 'rep' AND n.path LIKE %(path)s)
), stops AS MATERIALIZED (  -- each stop's visit and reason looked up once
    SELECT p.rep_id, s.date,
           EXISTS (SELECT 1 FROM visits_visit v
                   WHERE v.rep_id = p.rep_id AND v.retailer_id = s.retailer_id
                     AND v.visit_date = s.date AND v.kind = 'on_site') AS done,
           (SELECT m.reason FROM visits_missedvisit m
            WHERE m.rep_id = p.rep_id AND m.retailer_id = s.retailer_id AND m.date = s.date
            LIMIT 1) AS reason
    FROM visits_visitplan p
    JOIN visits_planstop s ON s.plan_id = p.id
    WHERE p.status = 'approved' AND p.area_id IN (SELECT id FROM areas)
      AND s.date BETWEEN %(first)s AND %(last)s
), adherence AS (
    SELECT rep_id, count(*) AS planned, count(*) FILTER (WHERE done) AS done,
           count(*) FILTER (WHERE NOT done AND date < %(today)s) AS missed,
           count(*) FILTER (WHERE NOT done AND date >= %(today)s) AS pending,
           count(*) FILTER (WHERE NOT done AND date < %(today)s AND reason IS NULL)
               AS missed_none,
           {reason_counts}
    FROM stops GROUP BY rep_id
), visits AS (
    SELECT v.rep_id, count(*) AS visits, count(*) FILTER (WHERE v.kind = 'on_site') AS on_site
    FROM visits_visit v JOIN kehu_retailer r ON r.id = v.retailer_id
    WHERE r.area_id IN (SELECT id FROM areas) AND v.visit_date BETWEEN %(first)s AND %(last)s
    GROUP BY v.rep_id
), coverage AS (
    SELECT r.assigned_rep_id AS rep_id, count(*) AS a_total,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM visits_visit v WHERE v.retailer_id = r.id AND v.kind = 'on_site'
                 AND v.visit_date BETWEEN %(first)s AND %(last)s)) AS a_visited
    FROM kehu_retailer r
    WHERE r.area_id IN (SELECT id FROM areas) AND r.status = 'active' AND r.grade = 'A'
    GROUP BY r.assigned_rep_id
), overdue AS (
    SELECT r.assigned_rep_id AS rep_id, count(*) AS overdue
    FROM kehu_retailer r
    LEFT JOIN visits_retailerlastvisit l ON l.retailer_id = r.id
    WHERE r.area_id IN (SELECT id FROM areas) AND r.status = 'active'
      AND (l.last_on_site_date IS NULL
           OR r.grade = 'A' AND l.last_on_site_date < %(before_a)s
           OR r.grade = 'B' AND l.last_on_site_date < %(before_b)s
           OR r.grade NOT IN ('A', 'B') AND l.last_on_site_date < %(before_c)s)
    GROUP BY r.assigned_rep_id
), approved AS (
    SELECT DISTINCT p.rep_id FROM visits_visitplan p
    WHERE p.status = 'approved' AND p.area_id IN (SELECT id FROM areas)
      AND p.month BETWEEN %(month)s AND %(last)s
)
SELECT reps.id AS rep, reps.name, approved.rep_id IS NOT NULL AS has_approved_plan,
       coalesce(a.planned, 0) AS planned, coalesce(a.done, 0) AS done,
       coalesce(a.missed, 0) AS missed, coalesce(a.pending, 0) AS pending,
       coalesce(a.missed_none, 0) AS missed_none, {reason_columns},
       coalesce(v.visits, 0) AS visits, coalesce(v.on_site, 0) AS on_site,
       coalesce(c.a_total, 0) AS a_total, coalesce(c.a_visited, 0) AS a_visited,
       coalesce(o.overdue, 0) AS overdue
FROM reps
LEFT JOIN adherence a ON a.rep_id = reps.id
LEFT JOIN visits v ON v.rep_id = reps.id
LEFT JOIN coverage c ON c.rep_id = reps.id
LEFT JOIN overdue o ON o.rep_id = reps.id
LEFT JOIN approved ON approved.rep_id = reps.id
ORDER BY reps.sort_name, reps.id""".replace(
    "{reason_counts}", ",\n           ".join(
        f"count(*) FILTER (WHERE NOT done AND date < %(today)s AND reason = '{r}') "
        f"AS missed_{r}" for r in REASONS)).replace(
    "{reason_columns}", ", ".join(f"coalesce(a.missed_{r}, 0) AS missed_{r}" for r in REASONS))

SUMS = ("planned", "done", "missed", "pending", "visits", "on_site", "a_total", "a_visited",
        "overdue")


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _finish(row: dict) -> dict:
    row["adherence_pct"] = _rate(row["done"], row["done"] + row["missed"])
    row["a_coverage_pct"] = _rate(row["a_visited"], row["a_total"])
    row["missed_by_reason"] = {r: row.pop(f"missed_{r}") for r in REASONS}
    row["missed_by_reason"]["none"] = row.pop("missed_none")
    return row


def _scope(request) -> tuple[str, dict] | None:
    """The manager's node path and the policy's intervals (one membership benchmarked)."""
    from accounts.models import OrgNode

    rows = _rows(SCOPE_SQL, {"user": request.user.pk, "step": OrgNode.steplen})
    if not rows or rows[0]["role"] not in ("office_manager", "regional_manager"):
        return None
    row = rows[0]
    intervals = {g: row[f"interval_days_{g.lower()}"] or default
                 for g, default in (("A", 7), ("B", 14), ("C", 30))}
    return row["path"], intervals


def _conditions(today_: date, intervals: dict) -> dict:
    return {f"before_{g.lower()}": today_ - timedelta(days=days)
            for g, days in intervals.items()}


def team_summary(request):
    if not request.user.is_authenticated:
        return _json({"detail": "login"}, 403)
    scope = _scope(request)
    if scope is None:
        return _json({"detail": "managers only in this baseline"}, 400)
    path, intervals = scope
    today_ = timezone.localdate()
    day = _day(request)
    if request.GET.get("period", "month") == "today":
        first, last = day, day
    else:
        first, last = day.replace(day=1), month_end(day)
    rows = _rows(TEAM_SQL, {"path": path + "%", "first": first, "last": last, "today": today_,
                            "month": first.replace(day=1), **_conditions(today_, intervals)})
    totals = {key: sum(r[key] for r in rows) for key in (
        *SUMS, "missed_none", *(f"missed_{r}" for r in REASONS))}
    return _json({"first": first.isoformat(), "last": last.isoformat(),
                  "today": today_.isoformat(), "reps": [_finish(r) for r in rows],
                  "totals": _finish(totals)})


OVERDUE_WHERE = """
FROM kehu_retailer r
LEFT JOIN visits_retailerlastvisit l ON l.retailer_id = r.id
WHERE r.area_id IN (SELECT id FROM accounts_orgnode WHERE path LIKE %(path)s)
  AND r.status = 'active'
  AND (l.last_on_site_date IS NULL
       OR r.grade = 'A' AND l.last_on_site_date < %(before_a)s
       OR r.grade = 'B' AND l.last_on_site_date < %(before_b)s
       OR r.grade NOT IN ('A', 'B') AND l.last_on_site_date < %(before_c)s)"""

OVERDUE_PAGE_SQL = """
SELECT r.id, r.code, r.name, r.grade, r.assigned_rep_id,
       coalesce(nullif(u.name, ''), u.username) AS rep_name, l.last_on_site_date
""" + OVERDUE_WHERE.replace("FROM kehu_retailer r", """FROM kehu_retailer r
LEFT JOIN accounts_user u ON u.id = r.assigned_rep_id""") + """
ORDER BY l.last_on_site_date ASC NULLS FIRST, r.name, r.id LIMIT %(page)s"""


def team_overdue(request):
    if not request.user.is_authenticated:
        return _json({"detail": "login"}, 403)
    scope = _scope(request)
    if scope is None:
        return _json({"detail": "managers only in this baseline"}, 400)
    path, intervals = scope
    today_ = timezone.localdate()
    params = {"path": path + "%", "page": PAGE, **_conditions(today_, intervals)}
    count = _rows("SELECT count(*) AS n " + OVERDUE_WHERE, params)[0]["n"]
    results = []
    for row in _rows(OVERDUE_PAGE_SQL, params):
        interval = intervals.get(row["grade"], intervals["C"])
        last = row["last_on_site_date"]
        results.append({
            "id": row["id"], "code": row["code"], "name": row["name"], "grade": row["grade"],
            "assigned_rep": row["assigned_rep_id"], "assigned_rep_name": row["rep_name"],
            "last_on_site": last.isoformat() if last else None, "interval_days": interval,
            "days_overdue": None if last is None else (today_ - last).days - interval})
    # The page links of the document it mirrors: the app's endpoint, not this one.
    url = request.build_absolute_uri().replace(request.path, "/api/visits/team/overdue/", 1)
    return _json({"count": count,
                  "next": replace_query_param(url, "page", 2) if count > PAGE else None,
                  "previous": None, "results": results})


# --- visit create (check-in / check-out) with the Idempotency-Key ----------------------

CLAIM_SQL = """
INSERT INTO accounts_idempotencyrecord (user_id, key, request_hash, response_status,
                                        created_at)
VALUES (%(user)s, %(key)s, %(hash)s, 0, now())
ON CONFLICT (user_id, key) DO NOTHING RETURNING id"""

STORED_SQL = """
SELECT request_hash, response_status, response_body FROM accounts_idempotencyrecord
WHERE user_id = %(user)s AND key = %(key)s"""

STORE_SQL = """
UPDATE accounts_idempotencyrecord SET response_status = %(status)s, response_body = %(body)s
WHERE id = %(id)s"""

# The shop in the rep's scope, the company's radius, today's objective from the approved
# plan, and the rep's open on-site visit if any: one statement.
CHECKIN_CONTEXT_SQL = """
SELECT r.id, r.status, r.latitude, r.longitude,
       coalesce(p.checkin_radius_m, 200) AS radius,
       (SELECT s.objective FROM visits_visitplan vp
        JOIN visits_planstop s ON s.plan_id = vp.id
        WHERE vp.rep_id = %(user)s AND vp.month = %(month)s AND vp.status = 'approved'
          AND s.date = %(day)s AND s.retailer_id = r.id LIMIT 1) AS objective,
       (SELECT v.id FROM visits_visit v
        WHERE v.rep_id = %(user)s AND v.kind = 'on_site' AND v.status = 'in_progress'
          AND v.client_id <> %(client)s LIMIT 1) AS open_visit
FROM kehu_retailer r
JOIN accounts_orgnode c ON c.path = left((SELECT path FROM accounts_orgnode
                                          WHERE id = r.area_id), %(step)s)
LEFT JOIN visits_visitpolicy p ON p.company_id = c.id
WHERE r.id = %(retailer)s AND r.assigned_rep_id = %(user)s"""

INSERT_VISIT_SQL = """
INSERT INTO visits_visit (client_id, rep_id, retailer_id, kind, status, visit_date, objective,
    started_at, device_started_at, received_at, clock_offset_s, clock_suspect,
    checkin_latitude, checkin_longitude, checkin_accuracy_m, gps_error, checkin_distance_m,
    radius_m, gps_missing, far_from_store, answers, communication_notes, promotion_notes,
    competitor_info, consumer_feedback, retailer_requests, updated_at)
VALUES (%(client)s, %(user)s, %(retailer)s, 'on_site', 'in_progress', %(day)s, %(objective)s,
        %(started)s, %(device)s, %(now)s, %(offset)s, %(suspect)s, %(lat)s, %(lng)s,
        %(accuracy)s, '', %(distance)s, %(radius)s, false, %(far)s, '{}', '', '', '', '', '',
        %(now)s)
ON CONFLICT (client_id) DO NOTHING
RETURNING id, client_id, status, visit_date, started_at, checkin_distance_m, far_from_store"""

LAST_VISIT_SQL = """
INSERT INTO visits_retailerlastvisit AS l (retailer_id, last_on_site_date, last_contact_date)
VALUES (%(retailer)s, %(day)s, %(day)s)
ON CONFLICT (retailer_id) DO UPDATE SET
    last_on_site_date = greatest(l.last_on_site_date, excluded.last_on_site_date),
    last_contact_date = greatest(l.last_contact_date, excluded.last_contact_date)"""

CHECKOUT_SQL = """
UPDATE visits_visit v SET status = 'completed', ended_at = greatest(%(now)s, v.started_at),
    device_ended_at = %(device)s, checkout_received_at = %(now)s,
    checkout_latitude = %(lat)s, checkout_longitude = %(lng)s, checkout_accuracy_m = %(accuracy)s,
    answers = %(answers)s, communication_notes = %(notes)s,
    checkout_distance_m = round(2 * 6371008.8 * asin(sqrt(
        sin(radians(%(lat)s - r.latitude) / 2) ^ 2
        + cos(radians(r.latitude)) * cos(radians(%(lat)s))
          * sin(radians(%(lng)s - r.longitude) / 2) ^ 2))),
    duration_s = round(extract(epoch FROM greatest(%(now)s, v.started_at) - v.started_at)),
    updated_at = %(now)s
FROM kehu_retailer r
WHERE v.id = %(visit)s AND v.rep_id = %(user)s AND v.status = 'in_progress'
  AND r.id = v.retailer_id
RETURNING v.id, v.client_id, v.status, v.ended_at, v.duration_s, v.checkout_distance_m"""


def _body(request) -> dict:
    return json.loads(request.body or b"{}")


def _once(request, handler):
    """The Idempotency-Key, by hand: claim the key, run, store the response."""
    import hashlib

    from django.db import transaction

    key = request.headers.get("Idempotency-Key", "")
    params = {"user": request.user.pk, "key": key,
              "hash": hashlib.sha256(request.path.encode() + request.body).hexdigest()}
    stored = _rows(STORED_SQL, params)
    if not stored:
        with transaction.atomic():
            claimed = _rows(CLAIM_SQL, params)
            if claimed:
                status, body = handler()
                if status >= 400:
                    transaction.set_rollback(True)
                else:
                    _rows(STORE_SQL + " RETURNING id", {
                        "id": claimed[0]["id"], "status": status,
                        "body": json.dumps(body, default=str)})
                return _json(body, status)
        stored = _rows(STORED_SQL, params)
    record = stored[0]
    if record["request_hash"] != params["hash"]:
        return _json({"non_field_errors": ["key reused"]}, 422)
    response = _json(json.loads(record["response_body"]), record["response_status"])
    response["Idempotent-Replayed"] = "true"
    return response


def checkin(request):
    from accounts.models import OrgNode
    from kehu.geo import haversine_m

    if not request.user.is_authenticated or request.method != "POST":
        return _json({"detail": "login, POST"}, 403)
    data = _body(request)

    def handler():
        now = timezone.now()
        device = datetime.fromisoformat(data["device_time"]) if data.get("device_time") else now
        day = timezone.localdate(now)
        found = _rows(CHECKIN_CONTEXT_SQL, {
            "user": request.user.pk, "retailer": data["retailer"], "client": data["client_id"],
            "month": day.replace(day=1), "day": day, "step": OrgNode.steplen})
        if not found:
            return 404, {"detail": "not found"}
        shop = found[0]
        if shop["open_visit"]:
            return 400, {"non_field_errors": ["check out first"]}
        lat, lng = data.get("latitude"), data.get("longitude")
        distance = None
        if lat is not None and shop["latitude"] is not None:
            distance = round(haversine_m(float(lat), float(lng), float(shop["latitude"]),
                                         float(shop["longitude"])))
        offset = round((now - device).total_seconds())
        rows = _rows(INSERT_VISIT_SQL, {
            "client": data["client_id"], "user": request.user.pk, "retailer": shop["id"],
            "day": day, "objective": shop["objective"] or "", "started": min(device, now),
            "device": device, "now": now, "offset": offset, "suspect": abs(offset) > 600,
            "lat": lat, "lng": lng, "accuracy": data.get("accuracy_m"), "distance": distance,
            "radius": shop["radius"], "far": (distance or 0) > shop["radius"]})
        created = bool(rows)
        if created:
            _rows(LAST_VISIT_SQL + " RETURNING retailer_id", {"retailer": shop["id"],
                                                             "day": day})
        else:
            rows = _rows("SELECT id, client_id, status, visit_date, started_at, "
                         "checkin_distance_m, far_from_store FROM visits_visit "
                         "WHERE client_id = %(client)s", {"client": data["client_id"]})
        visit = rows[0]
        return (201 if created else 200), {
            "id": visit["id"], "client_id": str(visit["client_id"]), "status": visit["status"],
            "visit_date": visit["visit_date"].isoformat(), "started_at": _utc(visit["started_at"]),
            "checkin_distance_m": visit["checkin_distance_m"],
            "far_from_store": visit["far_from_store"]}

    return _once(request, handler)


def checkout(request, pk: int):
    if not request.user.is_authenticated or request.method != "POST":
        return _json({"detail": "login, POST"}, 403)
    data = _body(request)

    def handler():
        now = timezone.now()
        device = datetime.fromisoformat(data["device_time"]) if data.get("device_time") else now
        rows = _rows(CHECKOUT_SQL, {"now": now, "device": device, "lat": data.get("latitude"),
                                    "lng": data.get("longitude"),
                                    "accuracy": data.get("accuracy_m"), "visit": pk,
                                    "answers": json.dumps(data.get("answers") or {}),
                                    "notes": data.get("communication_notes", "").strip(),
                                    "user": request.user.pk})
        if not rows:
            return 400, {"non_field_errors": ["not your open visit"]}
        visit = rows[0]
        return 200, {"id": visit["id"], "client_id": str(visit["client_id"]),
                     "status": visit["status"], "ended_at": _utc(visit["ended_at"]),
                     "duration_s": visit["duration_s"],
                     "checkout_distance_m": visit["checkout_distance_m"]}

    return _once(request, handler)
