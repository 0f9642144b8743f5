"""Add 20,000,000 visits to the bench company of bench/gen_retailers.py, set-based.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keqing_bench \\
        .venv/bin/python bench/gen_visits.py [--visits 20000000] [--today 2026-11-25]

Needs the retailers of bench/gen_retailers.py (and keeps them: nothing here writes to
kehu tables). What it makes, all with `INSERT … SELECT` over `generate_series`:

- **Plans, three months** (the current one and the two before): every rep an approved
  plan of 20 stops per working day (the statutory calendar), A retailers first, then B
  and C, objectives on some stops, a few fixed-time stops. In the current month some reps
  revised their plan after approval (v1 superseded, v2 approved) and some have a revision
  waiting for approval. A day route per rep and working day (some reordered by hand).
- **Visits of those months** from the approved plans: on the days before `--today` 80% of
  the stops were visited on site on their day, 10% missed with a reason, 10% not
  explained; today the first 8 stops are done and every third rep is checked in at the
  9th. Plus two phone visits or care calls per rep and working day.
- **Older visits** filling up to `--visits`: each retailer on a schedule by grade (A
  every ~21 days, B ~42, C ~91, ±25% per shop, ±2 days per visit, weekend visits moved
  to the next working day), 88% on site, 8% by phone, 4% care calls; GPS with 3% missing
  and 5% far from the store, 1% phone clocks hours off, 4% synced late from offline.
  For 20,000,000 visits that reaches back ~2.4 years. (With 330 reps and 3,030 shops each
  the old log has ~100 visits per rep and working day; the months with plans have the
  realistic ~20.)
- **Problems** raised at 2% of the older on-site visits (3% of those still open) and at
  10% of the planned months' (half of them open; open ones past their due date are
  overdue), and each retailer's last-visit row (`RetailerLastVisit`).

No photos, price or stock lines (none of the benchmarked reads touch them). The visit
table is loaded without its secondary indexes and foreign-key triggers (the rows come from
the tables they point to) and the indexes are rebuilt afterwards, as any bulk load would;
their definitions are kept in `bench_visit_index` until they are back, so an interrupted
run restores them on the next start. A rerun replaces all visits data (it refuses when
the database holds visits of another company).
"""

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_COMPANY, require_bench_database, setup_django  # noqa: E402

STOPS_PER_DAY = 20
DONE_TODAY = 8
INTERVALS = {"A": 21, "B": 42, "C": 91}
VISIT_TABLES = ["visits_problem", "visits_photo", "visits_pricecheck", "visits_stockline",
                "visits_missedvisit", "visits_retailerlastvisit", "visits_dayroute",
                "visits_plancomment", "visits_planstop", "visits_visitplan", "visits_reminder",
                "visits_visit"]

VISIT_COLUMNS = """client_id, rep_id, retailer_id, kind, status, visit_date, objective,
    started_at, device_started_at, received_at, clock_offset_s, clock_suspect,
    checkin_latitude, checkin_longitude, checkin_accuracy_m, gps_error, checkin_distance_m,
    radius_m, gps_missing, far_from_store, ended_at, device_ended_at, checkout_received_at,
    checkout_latitude, checkout_longitude, checkout_accuracy_m, checkout_distance_m,
    duration_s, template_version_id, answers, communication_notes, promotion_notes,
    competitor_info, consumer_feedback, retailer_requests, updated_at"""

# One visit from a row `v` with: retailer_id, rep_id, latitude, longitude (the shop's),
# visit_date, kind, start (timestamptz), minutes (duration; NULL = still in progress),
# objective, and uniform draws u1…u6. Derived columns only: no randomness of its own
# except the texts.
VISIT_SELECT = """
SELECT gen_random_uuid(), v.rep_id, v.retailer_id, v.kind,
       CASE WHEN v.minutes IS NULL THEN 'in_progress' ELSE 'completed' END,
       v.visit_date, v.objective,
       v.start,
       v.start - CASE WHEN v.u5 < 0.01 THEN make_interval(hours => 1 + (v.u6 * 6)::int)
                      ELSE interval '0' END,
       v.start + CASE WHEN v.u5 BETWEEN 0.01 AND 0.05
                      THEN make_interval(mins => 60 + (v.u6 * 420)::int)
                      ELSE make_interval(secs => 1 + (v.u6 * 30)::int) END,
       CASE WHEN v.u5 < 0.01 THEN 3600 * (1 + (v.u6 * 6)::int) ELSE 0 END,
       v.u5 < 0.01,
       g.lat, g.lng, g.accuracy, g.error, g.distance,
       CASE WHEN v.kind = 'on_site' THEN 200 END,
       v.kind = 'on_site' AND g.lat IS NULL,
       v.kind = 'on_site' AND coalesce(g.distance, 0) > 200,
       v.start + make_interval(mins => v.minutes),
       v.start + make_interval(mins => v.minutes),
       v.start + make_interval(mins => v.minutes, secs => 1 + (v.u6 * 20)::int),
       CASE WHEN v.minutes IS NOT NULL THEN g.lat END,
       CASE WHEN v.minutes IS NOT NULL THEN g.lng END,
       CASE WHEN v.minutes IS NOT NULL THEN g.accuracy END,
       CASE WHEN v.minutes IS NOT NULL THEN g.distance END,
       v.minutes * 60, NULL, '{}'::jsonb,
       CASE WHEN v.u4 < 0.4 THEN (ARRAY['沟通了新品上市计划', '检查了价签和陈列',
            '老板希望增加促销支持', '了解竞品最新政策', '提醒老板按时订货',
            '讲解了电子结算的好处'])[1 + floor(v.u4 * 15)::int] ELSE '' END,
       CASE WHEN v.u4 BETWEEN 0.4 AND 0.5 THEN '张贴了新品海报' ELSE '' END,
       CASE WHEN v.u3 < 0.1 THEN (ARRAY['竞品在做买十送一', '竞品业务员每周来两次',
            '竞品新上了冷柜'])[1 + floor(v.u3 * 29)::int] ELSE '' END,
       CASE WHEN v.u3 BETWEEN 0.1 AND 0.2 THEN '顾客反映细支烟断货' ELSE '' END,
       CASE WHEN v.u3 BETWEEN 0.2 AND 0.25 THEN '希望增加陈列费' ELSE '' END,
       coalesce(v.start + make_interval(mins => v.minutes), v.start)
FROM ({rows}) AS v
CROSS JOIN LATERAL (
    SELECT CASE WHEN v.kind <> 'on_site' OR v.u1 < 0.03 OR v.latitude IS NULL THEN NULL
                ELSE round(v.latitude + (v.metres / 111000 * 0.7)::numeric, 6) END AS lat,
           CASE WHEN v.kind <> 'on_site' OR v.u1 < 0.03 OR v.latitude IS NULL THEN NULL
                ELSE round(v.longitude + (v.metres / 111000 * 0.7)::numeric, 6) END AS lng,
           CASE WHEN v.kind = 'on_site' AND v.u1 >= 0.03 THEN 5 + (v.u2 * 35)::int END
               AS accuracy,
           CASE WHEN v.kind = 'on_site' AND v.u1 < 0.03 THEN
                    CASE WHEN v.u1 < 0.01 THEN 'denied' ELSE 'unavailable' END
                ELSE '' END AS error,
           CASE WHEN v.kind = 'on_site' AND v.u1 >= 0.03 AND v.latitude IS NOT NULL
                THEN v.metres::int END AS distance
) AS g
"""

HISTORY_ROWS = """
SELECT r.id AS retailer_id, r.assigned_rep_id AS rep_id, r.latitude, r.longitude,
       w.working AS visit_date, k.kind,
       ((w.working + time '08:30') + make_interval(mins => (random() * 570)::int))
           AT TIME ZONE 'Asia/Shanghai' AS start,
       CASE k.kind WHEN 'on_site' THEN 8 + (random() * 32)::int
                   ELSE 2 + (random() * 10)::int END AS minutes,
       '' AS objective,
       CASE WHEN random() < 0.05 THEN 250 + random() * 650 ELSE 5 + random() * 145 END
           AS metres,
       random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5,
       random() AS u6
FROM kehu_retailer r
CROSS JOIN LATERAL (
    SELECT (CASE r.grade WHEN 'A' THEN %(ia)s WHEN 'B' THEN %(ib)s ELSE %(ic)s END
            * (0.75 + 0.5 * ((r.id * 40503) %% 1000) / 1000.0))::int AS every) AS i
CROSS JOIN LATERAL (SELECT ((r.id * 2654435761) %% i.every)::int AS phase) AS p
CROSS JOIN LATERAL generate_series(
    ceil((%(c0)s::date - %(epoch)s::date - p.phase)::numeric / i.every)::int,
    floor((%(c1)s::date - 1 - %(epoch)s::date - p.phase)::numeric / i.every)::int) AS n
CROSS JOIN LATERAL (  -- ±2 days, and the kind, drawn per visit
    SELECT %(epoch)s::date + p.phase + n * i.every + floor(random() * 5)::int - 2 AS day,
           CASE WHEN x < 0.88 THEN 'on_site' WHEN x < 0.96 THEN 'phone'
                ELSE 'care_call' END AS kind
    FROM (SELECT random() + 0 * n AS x) AS d) AS k
JOIN bench_workday w ON w.day = k.day
WHERE r.company_id = %(company)s AND r.assigned_rep_id IS NOT NULL
"""

PLAN_ROWS = """
SELECT o.retailer_id, o.rep_id, r.latitude, r.longitude, o.date AS visit_date,
       'on_site' AS kind,
       ((o.date + time '09:00') + make_interval(mins => 30 * o.position
                                                       + (o.u * 15)::int))
           AT TIME ZONE 'Asia/Shanghai' AS start,
       CASE WHEN o.outcome = 'in_progress' THEN NULL ELSE 8 + (o.u * 20)::int END AS minutes,
       o.objective,
       CASE WHEN random() < 0.05 THEN 250 + random() * 650 ELSE 5 + random() * 145 END
           AS metres,
       random() AS u1, random() AS u2, random() AS u3, random() AS u4, random() AS u5,
       random() AS u6
FROM bench_outcome o JOIN kehu_retailer r ON r.id = o.retailer_id
WHERE o.outcome IN ('done', 'in_progress')
UNION ALL
SELECT x.retailer_id, x.rep_id, x.latitude, x.longitude, x.day, x.kind,
       ((x.day + time '17:30') + make_interval(mins => (random() * 120)::int))
           AT TIME ZONE 'Asia/Shanghai',
       2 + (random() * 10)::int, '', 0,
       random(), random(), random(), random(), random(), random()
FROM (SELECT rr.retailer_id, rr.rep_id, r.latitude, r.longitude, d.day,
             CASE WHEN random() < 0.6 THEN 'phone' ELSE 'care_call' END AS kind
      FROM bench_vrep vr
      CROSS JOIN unnest(%(days)s::date[]) AS d(day)
      CROSS JOIN generate_series(1, 2) AS j
      CROSS JOIN LATERAL (SELECT floor(random() * vr.n + 0 * j)::int AS k) AS pick
      JOIN bench_rr rr ON rr.rep_id = vr.user_id AND rr.k = pick.k
      JOIN kehu_retailer r ON r.id = rr.retailer_id) AS x
"""


def ensure_visit_indexes(cursor) -> None:
    """Recreate the indexes and constraints of an earlier run that stopped mid-load."""
    cursor.execute("SELECT to_regclass('bench_visit_index')")
    if cursor.fetchone()[0] is None:
        return
    cursor.execute("SELECT name, constraint_def, index_def FROM bench_visit_index")
    for name, constraint_def, index_def in cursor.fetchall():
        started = time.monotonic()
        if constraint_def:
            cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'ALTER TABLE visits_visit ADD CONSTRAINT "{name}" '
                               f"{constraint_def}")
        else:
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                cursor.execute(index_def)
        print(f"  index {name} ({time.monotonic() - started:.1f} s)", flush=True)
    cursor.execute("DROP TABLE bench_visit_index")


def drop_visit_indexes(cursor) -> None:
    cursor.execute("""
        CREATE TABLE bench_visit_index AS
        SELECT i.relname AS name, pg_get_constraintdef(c.oid) AS constraint_def,
               pg_get_indexdef(i.oid) AS index_def
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = 'visits_visit'::regclass AND NOT x.indisprimary""")
    cursor.execute("SELECT name, constraint_def FROM bench_visit_index")
    for name, constraint_def in cursor.fetchall():
        if constraint_def:
            cursor.execute(f'ALTER TABLE visits_visit DROP CONSTRAINT "{name}"')
        else:
            cursor.execute(f'DROP INDEX "{name}"')


def workday_table(cursor, first: date, last: date) -> None:
    """bench_workday(day, working): every calendar day from `first` to `last` mapped to
    itself or the next working day (the last days to the previous one instead)."""
    from accounts.workdays import working_days

    margin = timedelta(days=31)
    open_days = set(working_days(first - margin, last + margin, strict=False))
    rows, day = [], first
    while day <= last:
        working = day
        while working not in open_days:
            working += timedelta(days=1)
        if working > last:
            working = day
            while working not in open_days:
                working -= timedelta(days=1)
        rows.append((day, working))
        day += timedelta(days=1)
    cursor.execute("DROP TABLE IF EXISTS bench_workday")
    cursor.execute("CREATE UNLOGGED TABLE bench_workday (day date PRIMARY KEY, working date)")
    cursor.executemany("INSERT INTO bench_workday VALUES (%s, %s)", rows)


def people_tables(cursor, company) -> None:
    """bench_vrep: each rep with their area, office manager, shop count and a start point;
    bench_rr: each rep's active shops numbered 0…n-1."""
    from accounts.models import OrgNode

    cursor.execute("DROP TABLE IF EXISTS bench_vrep, bench_rr")
    cursor.execute("""
        CREATE UNLOGGED TABLE bench_rr AS
        SELECT assigned_rep_id AS rep_id, id AS retailer_id, grade,
               (row_number() OVER (PARTITION BY assigned_rep_id ORDER BY id) - 1)::int AS k
        FROM kehu_retailer
        WHERE company_id = %s AND status = 'active' AND assigned_rep_id IS NOT NULL""",
                   [company.pk])
    cursor.execute("CREATE INDEX ON bench_rr (rep_id, k)")
    cursor.execute("""
        CREATE UNLOGGED TABLE bench_vrep AS
        SELECT row_number() OVER (ORDER BY m.user_id)::int AS no, m.user_id, m.node_id AS area_id,
               om.user_id AS manager_id, s.n, s.lat, s.lng
        FROM accounts_membership m
        JOIN accounts_orgnode a ON a.id = m.node_id
        JOIN accounts_orgnode o ON o.path = left(a.path, length(a.path) - %s)
        JOIN LATERAL (SELECT user_id FROM accounts_membership
                      WHERE node_id = o.id AND role = 'office_manager'
                      ORDER BY user_id LIMIT 1) AS om ON true
        JOIN LATERAL (SELECT count(*)::int AS n, round(avg(r.latitude), 6) AS lat,
                             round(avg(r.longitude), 6) AS lng
                      FROM bench_rr rr JOIN kehu_retailer r ON r.id = rr.retailer_id
                      WHERE rr.rep_id = m.user_id) AS s ON true
        WHERE m.role = 'rep' AND a.path LIKE %s AND s.n > 0""",
                   [OrgNode.steplen, company.path + "%"])
    cursor.execute("ALTER TABLE bench_vrep ADD PRIMARY KEY (user_id)")
    cursor.execute("ANALYZE bench_rr")
    cursor.execute("ANALYZE bench_vrep")


def history(cursor, company, *, epoch: date, end: date, started: float) -> None:
    from kehu.selectors import add_months

    chunk = epoch
    while chunk < end:
        following = min(add_months(chunk.replace(day=1), 1), end)
        cursor.execute(f"INSERT INTO visits_visit ({VISIT_COLUMNS}) "
                       + VISIT_SELECT.replace("{rows}", HISTORY_ROWS)
                       + " ORDER BY v.visit_date, v.rep_id, v.start",
                       {"ia": INTERVALS["A"], "ib": INTERVALS["B"], "ic": INTERVALS["C"],
                        "c0": chunk, "c1": following, "epoch": epoch,
                        "company": company.pk})
        print(f"  visits {chunk:%Y-%m}: {cursor.rowcount:>9,} "
              f"({time.monotonic() - started:.0f} s)", flush=True)
        chunk = following


def plans(cursor, *, months: list[date], today: date) -> list[date]:
    """Approved plans with stops, revisions in the current month, day routes, and each
    stop's outcome (bench_outcome)."""
    from accounts.workdays import month_end, working_days

    current = months[-1]
    for month in months:
        decided = month - timedelta(days=2)
        cursor.execute("""
            INSERT INTO visits_visitplan (rep_id, area_id, month, starts_on, version, status,
                created_by_id, created_at, submitted_at, decided_by_id, decided_at,
                decision_note, previous_id)
            SELECT user_id, area_id, %(month)s, %(month)s, 1,
                   CASE WHEN %(current)s AND no %% 15 = 0 THEN 'superseded' ELSE 'approved' END,
                   user_id, %(decided)s::timestamptz - interval '3 days',
                   %(decided)s::timestamptz - interval '2 days', manager_id,
                   %(decided)s::timestamptz + interval '10 hours', '同意', NULL
            FROM bench_vrep ORDER BY user_id""",
                       {"month": month, "decided": decided, "current": month == current})
        days = working_days(month, month_end(month), strict=False)
        cursor.execute("""
            INSERT INTO visits_planstop (plan_id, date, retailer_id, position, objective,
                                         fixed_time)
            SELECT p.id, (%(days)s::date[])[s.rank / %(per_day)s + 1], s.retailer_id,
                   s.rank %% %(per_day)s,
                   (ARRAY['', '', '', '推新品', '收集竞品信息', '检查陈列', '回收货款',
                          '签陈列协议'])[1 + floor(random() * 8)::int],
                   CASE WHEN random() < 0.05
                        THEN (ARRAY[time '10:00', time '14:00', time '15:30'])
                             [1 + floor(random() * 3)::int] END
            FROM (SELECT rep_id, retailer_id,
                         (row_number() OVER (PARTITION BY rep_id ORDER BY
                              CASE grade WHEN 'A' THEN 0 WHEN 'B' THEN 1.2 ELSE 2 END
                              + random() * 1.5) - 1)::int AS rank
                  FROM bench_rr) AS s
            JOIN visits_visitplan p ON p.rep_id = s.rep_id AND p.month = %(month)s
                                   AND p.version = 1
            WHERE s.rank < %(per_day)s * cardinality(%(days)s::date[])
            ORDER BY p.id, 2, 4""", {"days": days, "per_day": STOPS_PER_DAY, "month": month})
    # The current month's revisions: approved v2 (v1 superseded above), or v2 submitted.
    cursor.execute("""
        INSERT INTO visits_visitplan (rep_id, area_id, month, starts_on, version, status,
            created_by_id, created_at, submitted_at, decided_by_id, decided_at,
            decision_note, previous_id)
        SELECT p.rep_id, p.area_id, p.month, p.month + 9, 2,
               CASE WHEN vr.no %% 15 = 0 THEN 'approved' ELSE 'submitted' END,
               p.rep_id, p.month + 8, p.month + 8,
               CASE WHEN vr.no %% 15 = 0 THEN p.decided_by_id END,
               CASE WHEN vr.no %% 15 = 0 THEN (p.month + 9)::timestamptz END,
               CASE WHEN vr.no %% 15 = 0 THEN '调整后同意' ELSE '' END, p.id
        FROM visits_visitplan p JOIN bench_vrep vr ON vr.user_id = p.rep_id
        WHERE p.month = %(month)s AND p.version = 1 AND (vr.no %% 15 = 0 OR vr.no %% 30 = 7)
        ORDER BY p.rep_id""", {"month": current})
    # v2 keeps v1's days before it starts and swaps every 7th later stop for another shop.
    cursor.execute("""
        INSERT INTO visits_planstop (plan_id, date, retailer_id, position, objective,
                                     fixed_time)
        SELECT v2.id, s.date,
               CASE WHEN s.date >= v2.starts_on AND s.id %% 7 = 0
                    THEN coalesce(alt.retailer_id, s.retailer_id) ELSE s.retailer_id END,
               s.position, s.objective, s.fixed_time
        FROM visits_visitplan v2
        JOIN visits_planstop s ON s.plan_id = v2.previous_id
        JOIN bench_vrep vr ON vr.user_id = v2.rep_id
        LEFT JOIN bench_rr alt ON alt.rep_id = v2.rep_id AND alt.k = vr.n - 1 - s.position
                              AND NOT EXISTS (SELECT 1 FROM visits_planstop o
                                              WHERE o.plan_id = v2.previous_id
                                                AND o.retailer_id = alt.retailer_id)
        WHERE v2.version = 2
        ORDER BY v2.id, s.date, s.position""", {})
    days = [d for month in months for d in working_days(month, min(month_end(month), today),
                                                       strict=False)]
    cursor.execute("""
        INSERT INTO visits_dayroute (rep_id, area_id, date, start_latitude, start_longitude,
                                     retailer_order, distance_m, optimised_at, updated_at)
        SELECT p.rep_id, p.area_id, s.date, vr.lat, vr.lng,
               jsonb_agg(s.retailer_id ORDER BY
                         CASE WHEN (p.rep_id + (s.date - date '2000-01-01')) %% 3 = 0
                              THEN (s.position * 7) %% %(per_day)s ELSE s.position END),
               NULL, NULL, (s.date + time '07:45') AT TIME ZONE 'Asia/Shanghai'
        FROM visits_visitplan p
        JOIN visits_planstop s ON s.plan_id = p.id
        JOIN bench_vrep vr ON vr.user_id = p.rep_id
        WHERE p.status = 'approved' AND s.date = ANY(%(days)s::date[])
        GROUP BY p.rep_id, p.area_id, s.date, vr.lat, vr.lng
        ORDER BY s.date, p.rep_id""", {"days": days, "per_day": STOPS_PER_DAY})
    # What happened at each stop of the counting plans up to today.
    cursor.execute("DROP TABLE IF EXISTS bench_outcome")
    cursor.execute("""
        CREATE UNLOGGED TABLE bench_outcome AS
        SELECT s.id AS stop_id, p.rep_id, s.retailer_id, s.date, s.position, s.objective,
               CASE WHEN s.date = %(today)s THEN
                        CASE WHEN s.position < %(done)s THEN 'done'
                             WHEN s.position = %(done)s AND vr.no %% 3 = 0 THEN 'in_progress'
                             ELSE 'pending' END
                    WHEN x.u < 0.8 THEN 'done' WHEN x.u < 0.9 THEN 'missed'
                    ELSE 'none' END AS outcome,
               (ARRAY['closed', 'owner_absent', 'owner_absent', 'weather', 'replanned',
                      'other'])[1 + floor(random() * 6)::int] AS reason,
               random() AS u
        FROM visits_visitplan p
        JOIN visits_planstop s ON s.plan_id = p.id
        JOIN bench_vrep vr ON vr.user_id = p.rep_id
        CROSS JOIN LATERAL (SELECT random() + 0 * s.id AS u) AS x
        WHERE p.status = 'approved' AND s.date <= %(today)s""",
                   {"today": today, "done": DONE_TODAY})
    return days


def recent_visits(cursor, days: list[date]) -> int:
    cursor.execute(f"INSERT INTO visits_visit ({VISIT_COLUMNS}) "
                   + VISIT_SELECT.replace("{rows}", PLAN_ROWS)
                   + " ORDER BY v.visit_date, v.start, v.rep_id", {"days": days})
    count = cursor.rowcount
    cursor.execute("""
        INSERT INTO visits_missedvisit (client_id, rep_id, retailer_id, date, reason, note,
                                        recorded_by_id, recorded_at)
        SELECT gen_random_uuid(), rep_id, retailer_id, date, reason,
               CASE reason WHEN 'other' THEN '临时有事' WHEN 'closed' THEN '店门未开'
                           ELSE '' END,
               rep_id, (date + time '18:30') AT TIME ZONE 'Asia/Shanghai'
        FROM bench_outcome WHERE outcome = 'missed' ORDER BY date, rep_id""")
    return count


def problems(cursor, *, recent_from: date) -> None:
    cursor.execute("""
        INSERT INTO visits_problem (client_id, retailer_id, visit_id, category, description,
            owner_id, due_date, status, resolution, solved_at, solved_by_id, solved_visit_id,
            raised_by_id, created_at, updated_at)
        SELECT gen_random_uuid(), v.retailer_id, v.id, c.category, c.description, v.rep_id,
               v.visit_date + 7,
               CASE WHEN x.solved THEN 'solved' WHEN x.u < 0.2 THEN 'in_progress'
                    ELSE 'open' END,
               CASE WHEN x.solved THEN '已处理' ELSE '' END,
               CASE WHEN x.solved
                    THEN v.received_at + make_interval(days => 1 + floor(x.u * 9)::int) END,
               CASE WHEN x.solved THEN v.rep_id END, NULL, v.rep_id, v.received_at,
               v.received_at
        FROM visits_visit v
        CROSS JOIN LATERAL (  -- old problems are mostly solved, recent ones half
            SELECT random() + 0 * v.id < CASE WHEN v.visit_date < %(recent)s THEN 0.97
                                              ELSE 0.5 END AS solved,
                   random() + 0 * v.id AS u,
                   floor(random() * 6 + 0 * v.id)::int + 1 AS pick) AS x
        CROSS JOIN LATERAL (
            SELECT (ARRAY['late_delivery', 'price_disorder', 'cross_region', 'broken_display',
                          'complaint', 'other'])[x.pick] AS category,
                   (ARRAY['上周订的货晚到两天', '附近有店低价卖，价签混乱', '发现外地货源',
                          '陈列架坏了，需要更换', '老板投诉送货员态度不好', '希望换个送货时间'])
                       [x.pick] AS description) AS c
        WHERE v.kind = 'on_site' AND v.status = 'completed'
          AND random() < CASE WHEN v.visit_date < %(recent)s THEN 0.02 ELSE 0.1 END
        ORDER BY v.id""", {"recent": recent_from})


def last_visits(cursor) -> None:
    cursor.execute("""
        INSERT INTO visits_retailerlastvisit (retailer_id, last_on_site_date, last_contact_date)
        SELECT retailer_id, max(visit_date) FILTER (WHERE kind = 'on_site'), max(visit_date)
        FROM visits_visit GROUP BY retailer_id ORDER BY retailer_id""")


PRODUCTS = [{"code": "P01", "name": "红塔山(软经典)", "guide_price": "10.00"},
            {"code": "P02", "name": "云烟(紫)", "guide_price": "11.00"},
            {"code": "P03", "name": "南京(炫赫门)", "guide_price": "18.00"},
            {"code": "P04", "name": "利群(新版)", "guide_price": "15.00"}]


def _steps(extra: list[dict]) -> list[dict]:
    return [{"key": "communication", "kind": "communication", "title": "客情沟通"},
            {"key": "price", "kind": "price_check", "title": "价格维护", "products": PRODUCTS},
            {"key": "display", "kind": "display", "title": "陈列检查"},
            {"key": "stock", "kind": "stock", "title": "库存与建议订货"},
            *extra,
            {"key": "problems", "kind": "problems", "title": "问题收集"},
            {"key": "requests", "kind": "requests", "title": "客户诉求"}]


TEMPLATES = {  # business type: (name, extra questions)
    "tobacco_liquor": ("烟酒店巡访", [{"key": "shop", "kind": "questions", "title": "门店检查",
                                       "questions": [
                                           {"key": "licence_shown", "label": "许可证上墙",
                                            "type": "yes_no", "required": True},
                                           {"key": "cabinet", "label": "专柜位置",
                                            "type": "choice",
                                            "options": ["front", "side", "none"]}]}]),
    "convenience": ("便利店巡访", [{"key": "promotion", "kind": "promotion",
                                     "title": "品牌推广"}]),
    "supermarket": ("超市巡访", [{"key": "competitor", "kind": "competitor",
                                   "title": "竞品信息"}]),
    "pharmacy": ("药店巡访", [{"key": "pharmacy", "kind": "questions", "title": "药店检查",
                                "questions": [{"key": "gsp_cert", "label": "GSP 证书在有效期内",
                                               "type": "yes_no", "required": True}]}]),
}


def templates(company) -> int:
    """Visit templates at the company for four business types (one revised once) and a
    region's own for tobacco shops, through the services; existing ones are kept."""
    from accounts.models import OrgNode, User
    from visits.models import VisitTemplate
    from visits.services.templates import template_create, template_revise

    admin = User.objects.get(username="badmin")
    region = OrgNode.objects.get(code="B-R1")
    made = 0
    for node, business_type, (name, extra) in [
            *((company, t, spec) for t, spec in TEMPLATES.items()),
            (region, "tobacco_liquor", ("苏南烟酒店巡访", TEMPLATES["tobacco_liquor"][1]))]:
        if VisitTemplate.objects.filter(node=node, business_type=business_type).exists():
            continue
        template = template_create(actor=admin, node=node, business_type=business_type,
                                   name=name, steps=_steps(extra))
        if business_type == "convenience":
            template_revise(template=template, actor=admin, steps=_steps(extra[::-1]))
        made += 1
    return made


def generate(target: int, today: date) -> None:
    from django.db import connection

    from accounts.models import OrgNode
    from accounts.workdays import month_end, working_days
    from kehu.models import Retailer
    from kehu.selectors import add_months

    started = time.monotonic()
    company = OrgNode.objects.filter(code=BENCH_COMPANY).first()
    if company is None or not Retailer.objects.filter(company=company).exists():
        sys.exit("No bench retailers: run bench/gen_retailers.py first.")
    current = today.replace(day=1)
    months = [add_months(current, -2), add_months(current, -1), current]
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SELECT setseed(0.2026)")
        ensure_visit_indexes(cursor)
        cursor.execute("""SELECT EXISTS (SELECT 1 FROM visits_visit v
                          JOIN kehu_retailer r ON r.id = v.retailer_id
                          WHERE r.company_id <> %s)""", [company.pk])
        if cursor.fetchone()[0]:
            sys.exit("This database holds visits of another company; not replacing them.")
        cursor.execute(f"TRUNCATE {', '.join(VISIT_TABLES)} RESTART IDENTITY")
        people_tables(cursor, company)
        cursor.execute("SELECT count(*), sum(n) FROM bench_vrep")
        reps, shops = cursor.fetchone()
        print(f"{reps} reps, {shops:,} active retailers; today is {today} "
              f"({time.monotonic() - started:.0f} s)", flush=True)

        # The planned months' visits are about (stops so far × 0.8) + 2 calls per rep-day;
        # the schedule's visits per calendar day are Σ 1/interval over the shops.
        planned_days = sum(len(working_days(m, min(month_end(m), today), strict=False))
                           for m in months)
        recent = int(reps * planned_days * (STOPS_PER_DAY * 0.8 + 2))
        cursor.execute("""
            SELECT sum(1.0 / (CASE grade WHEN 'A' THEN %s WHEN 'B' THEN %s ELSE %s END
                              * (0.75 + 0.5 * ((id * 40503) %% 1000) / 1000.0))::int)
            FROM kehu_retailer WHERE company_id = %s AND assigned_rep_id IS NOT NULL""",
                       [INTERVALS["A"], INTERVALS["B"], INTERVALS["C"], company.pk])
        per_day = float(cursor.fetchone()[0])
        span = max(1, round((target - recent) / per_day))
        epoch = months[0] - timedelta(days=span)
        print(f"history: {span} days from {epoch} at ~{per_day:,.0f} visits a day", flush=True)
        workday_table(cursor, epoch - timedelta(days=10), months[0] - timedelta(days=1))

        drop_visit_indexes(cursor)
        cursor.execute("SET session_replication_role = replica")  # rows come from their FKs
        try:
            history(cursor, company, epoch=epoch, end=months[0], started=started)
            days = plans(cursor, months=months, today=today)
            print(f"plans, stops, routes ({time.monotonic() - started:.0f} s)", flush=True)
            count = recent_visits(cursor, days)
            print(f"  visits of the planned months: {count:,} "
                  f"({time.monotonic() - started:.0f} s)", flush=True)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        print("rebuilding the visit indexes …", flush=True)
        ensure_visit_indexes(cursor)
        problems(cursor, recent_from=months[0])
        last_visits(cursor)
        print(f"problems, last visits ({time.monotonic() - started:.0f} s)", flush=True)
        cursor.execute("DROP TABLE bench_workday, bench_vrep, bench_rr, bench_outcome")
        for table in reversed(VISIT_TABLES):
            cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"vacuum analyze ({time.monotonic() - started:.0f} s)", flush=True)
        print(f"templates: {templates(company)} made")
        counts = {}
        for table in ("visits_visit", "visits_visitplan", "visits_planstop", "visits_dayroute",
                      "visits_missedvisit", "visits_problem", "visits_retailerlastvisit"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM visits_problem WHERE status <> 'solved'")
        counts["open problems"] = cursor.fetchone()[0]
    print("done in {:.0f} s: {}".format(time.monotonic() - started, ", ".join(
        f"{name.removeprefix('visits_')} {n:,}" for name, n in counts.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=20_000_000)
    parser.add_argument("--templates-only", action="store_true",
                        help="only add the visit templates (kept by a rerun otherwise)")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the day the data treats as today (default: today in "
                             "Asia/Shanghai)")
    args = parser.parse_args()
    setup_django()
    require_bench_database()
    from django.utils import timezone

    from accounts.models import OrgNode

    if args.templates_only:
        print(f"templates: {templates(OrgNode.objects.get(code=BENCH_COMPANY))} made")
        return
    generate(args.visits, args.today or timezone.localdate())


if __name__ == "__main__":
    main()
