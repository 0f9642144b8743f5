"""The grading computation: one policy's retailers ranked and graded in set-based SQL.

The same SQL runs on PostgreSQL and on SQLite (≥ 3.39: window functions, `UPDATE … FROM`);
only the temporary table's lifetime differs. Never a Python loop over retailers.

The rule, for one policy version (DOMAIN.md "Grading"):

- **Who.** The policy's retailers are those under its scope node (and of its business
  type, when it has one), not closed, and not covered by a more specific active policy:
  the deeper scope node wins; at the same node a business-type policy wins over a general
  one. Retailers are ranked within the whole scope, each office, or each business type
  (`rank_within`).
- **Value.** The sum of the measure (purchase amount, quantity or collected amount) over
  the window: the `window_months` complete months before the run's month. The weighted
  method ranks by a score instead: `w × months with purchases / window + (100 − w) ×
  value / largest value in the group` (0–100, four decimals).
- **Pareto.** Sorted by value, largest first. A retailer is A while the cumulative share
  of the values *ahead of it* is below the A share (so the retailer that crosses 75 % is
  still A), B while it is below A + B, else C.
- **Rank shares** (and the weighted score). A retailer is A while the share of retailers
  ranked *ahead of it* is below the A share, B below A + B, else C.
- **Ties.** Equal values have equal rank and the same "ahead of it" share, so they always
  share a grade: a tie straddling a threshold gets the higher grade. The result never
  depends on row order.
- **Zero.** A retailer with nothing in the window (no facts, or zero) is C. A group whose
  window has no data at all is not graded: its grades stay as they are (`no_data`), so a
  night before the month's facts are imported cannot turn everyone into C.
- **Overrides.** An override in effect (not ended, not past its last day) wins over the
  computed grade; both are kept.
"""

import time
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction

from accounts.models import OrgNode
from kehu.selectors import add_months, month_start

# Policy lock: at most one writer per policy (PostgreSQL advisory lock, two-int form).
POLICY_LOCK = 0x6772  # "gr"
# Per-run session lock: held while a run is alive, so a later run can tell a dead one.
RUN_LOCK = 0x6773
OFFICE_PATH_LENGTH = 3 * OrgNode.steplen  # company, region, office


@dataclass(frozen=True)
class Rule:
    """What the SQL needs from a policy and one of its versions (saved or not)."""

    company_id: int
    scope_path: str
    scope_depth: int
    business_type: str
    policy_id: int | None  # None: a policy not saved yet (preview)
    method: str
    measure: str
    window_months: int
    share_a: object
    share_b: object
    frequency_weight: object
    rank_within: str

    @property
    def specificity(self) -> int:
        return self.scope_depth * 2 + (1 if self.business_type else 0)


MEASURES = {"purchase_amount", "purchase_quantity", "collected_amount"}
PARTITIONS = {
    "scope": "0",
    "office": "p.office_path",
    "business_type": "p.business_type",
}


def window(business_date: date, months: int) -> tuple[date, date]:
    """[first month, month of the run): the complete months before the run's month."""
    end = month_start(business_date)
    return add_months(end, -months), end


def _params(rule: Rule, business_date: date) -> dict:
    start, end = window(business_date, rule.window_months)
    return {
        "company_id": rule.company_id, "scope_like": rule.scope_path + "%",
        "business_type": rule.business_type, "policy_id": rule.policy_id or 0,
        "spec": rule.specificity, "day": business_date, "start": start, "end": end,
        "office_len": OFFICE_PATH_LENGTH, "a": rule.share_a,
        "ab": rule.share_a + rule.share_b, "wf": rule.frequency_weight,
        "window_months": rule.window_months,
    }


def pop_select(rule: Rule) -> str:
    """The policy's retailers (see the module docstring: who)."""
    type_filter = "AND r.business_type = %(business_type)s" if rule.business_type else ""
    return f"""
WITH policies AS (
    SELECT q.id, n.path, n.depth * 2 + CASE WHEN q.business_type = '' THEN 0 ELSE 1 END AS spec,
           q.business_type
    FROM grading_gradingpolicy q JOIN accounts_orgnode n ON n.id = q.scope_id
    WHERE q.is_active AND q.company_id = %(company_id)s AND q.id <> %(policy_id)s
      AND EXISTS (SELECT 1 FROM grading_gradingpolicyversion v
                  WHERE v.policy_id = q.id AND v.valid_from <= %(day)s)
), taken AS (
    SELECT a.id AS area_id, q.business_type
    FROM accounts_orgnode a JOIN policies q ON a.path LIKE q.path || '%%'
    WHERE a.path LIKE %(scope_like)s AND q.spec > %(spec)s
)
SELECT r.id AS retailer_id, r.grade AS current_grade, r.business_type,
       substr(a.path, 1, %(office_len)s) AS office_path
FROM kehu_retailer r JOIN accounts_orgnode a ON a.id = r.area_id
WHERE r.company_id = %(company_id)s AND a.path LIKE %(scope_like)s
  AND r.status <> 'closed' {type_filter}
  AND r.area_id NOT IN (SELECT area_id FROM taken WHERE business_type = '')
  AND NOT EXISTS (SELECT 1 FROM taken t
                  WHERE t.area_id = r.area_id AND t.business_type = r.business_type)
"""


def calc_select(rule: Rule) -> str:
    """One row per retailer of `grading_pop`: current grade, value, rank, share, computed
    and effective grade, `has_data`."""
    if rule.measure not in MEASURES or rule.rank_within not in PARTITIONS:
        raise ValueError("unknown measure or partition")
    part = PARTITIONS[rule.rank_within]
    if rule.method == "weighted":
        ranked_by = (
            "ROUND(%(wf)s * 1.0 * b.months / %(window_months)s + COALESCE((100 - %(wf)s) * 1.0 "
            "* b.value / NULLIF(MAX(b.value) OVER (PARTITION BY b.part_key), 0), 0), 4)")
        has_data = "(max_value > 0 OR max_months > 0)"
    else:
        ranked_by = "b.value"
        has_data = "total > 0"
    if rule.method == "pareto":
        # Share of the values strictly ahead: the running sum includes the retailer's
        # peers (equal values), so subtract them all.
        ahead = "ROUND(cum_incl - m * (cnt_incl - rnk + 1), 4)"
        grade = (f"CASE WHEN m <= 0 THEN 'C' WHEN 100 * {ahead} < %(a)s * total THEN 'A' "
                 f"WHEN 100 * {ahead} < %(ab)s * total THEN 'B' ELSE 'C' END")
        share = "CASE WHEN total > 0 THEN ROUND(100.0 * cum_incl / total, 4) ELSE 0 END"
    else:
        grade = ("CASE WHEN m <= 0 THEN 'C' WHEN 100 * (rnk - 1) < %(a)s * population THEN 'A' "
                 "WHEN 100 * (rnk - 1) < %(ab)s * population THEN 'B' ELSE 'C' END")
        share = "ROUND(100.0 * (rnk - 1) / population, 4)"
    return f"""
WITH vals AS (
    SELECT f.retailer_id, SUM(f.{rule.measure}) AS value,
           SUM(CASE WHEN f.purchase_amount > 0 THEN 1 ELSE 0 END) AS months
    FROM kehu_monthlyfact f JOIN {POP_TABLE} p ON p.retailer_id = f.retailer_id
    WHERE f.month >= %(start)s AND f.month < %(end)s
    GROUP BY f.retailer_id
), base AS (
    SELECT p.retailer_id, p.current_grade, p.office_path, {part} AS part_key,
           COALESCE(v.value, 0) AS value, COALESCE(v.months, 0) AS months
    FROM {POP_TABLE} p LEFT JOIN vals v ON v.retailer_id = p.retailer_id
), scored AS (
    SELECT b.*, {ranked_by} AS m FROM base b
), ranked AS (
    SELECT s.*,
           SUM(s.m) OVER (PARTITION BY s.part_key) AS total,
           COUNT(*) OVER (PARTITION BY s.part_key) AS population,
           MAX(s.value) OVER (PARTITION BY s.part_key) AS max_value,
           MAX(s.months) OVER (PARTITION BY s.part_key) AS max_months,
           SUM(s.m) OVER (PARTITION BY s.part_key ORDER BY s.m DESC) AS cum_incl,
           COUNT(*) OVER (PARTITION BY s.part_key ORDER BY s.m DESC) AS cnt_incl,
           RANK() OVER (PARTITION BY s.part_key ORDER BY s.m DESC) AS rnk
    FROM scored s
), graded AS (
    SELECT retailer_id, current_grade, office_path, m AS value, months, rnk, population,
           {share} AS share, {grade} AS computed_grade,
           CASE WHEN {has_data} THEN 1 ELSE 0 END AS has_data
    FROM ranked
), overrides AS (
    SELECT o.retailer_id, o.grade, o.id
    FROM grading_gradeoverride o JOIN {POP_TABLE} p ON p.retailer_id = o.retailer_id
    WHERE o.ended_at IS NULL AND (o.expires_on IS NULL OR o.expires_on >= %(day)s)
)
SELECT g.retailer_id, g.current_grade, g.office_path, g.value, g.months, g.rnk, g.population,
       g.share, g.computed_grade, COALESCE(o.grade, g.computed_grade) AS effective_grade,
       o.id AS override_id, g.has_data
FROM graded g LEFT JOIN overrides o ON o.retailer_id = g.retailer_id
"""


POP_TABLE = "grading_pop"
CALC_TABLE = "grading_calc"


def materialize(cursor, rule: Rule, business_date: date) -> None:
    """Fill the temporary tables `grading_pop` (the policy's retailers) and `grading_calc`
    (their computed grades); dropped at commit on PostgreSQL. Two steps, each analysed, so
    the planner knows the population's size (as one query with CTEs it guessed 200 rows
    and walked the facts' index a million times)."""
    params = _params(rule, business_date)
    cursor.execute(f"DROP TABLE IF EXISTS {CALC_TABLE}")
    cursor.execute(f"DROP TABLE IF EXISTS {POP_TABLE}")
    if connection.vendor == "postgresql":
        # Sorts and hashes of a million rows stay in memory (this transaction only); JIT
        # compiling costs more than it saves on these plans.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        temp = "TEMP TABLE {} ON COMMIT DROP"
    else:
        temp = "TEMP TABLE {}"
    cursor.execute(f"CREATE {temp.format(POP_TABLE)} AS {pop_select(rule)}", params)
    cursor.execute(f"ANALYZE {POP_TABLE}")
    cursor.execute(f"CREATE {temp.format(CALC_TABLE)} AS {calc_select(rule)}", params)
    cursor.execute(f"ANALYZE {CALC_TABLE}")


def drop_tables(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {CALC_TABLE}")
    cursor.execute(f"DROP TABLE IF EXISTS {POP_TABLE}")


COUNTS = f"""
SELECT has_data, effective_grade, current_grade, computed_grade,
       CASE WHEN override_id IS NULL THEN 0 ELSE 1 END, COUNT(*)
FROM {CALC_TABLE}
GROUP BY has_data, effective_grade, current_grade, computed_grade,
         CASE WHEN override_id IS NULL THEN 0 ELSE 1 END
"""

EXPIRE_OVERRIDES = f"""
UPDATE grading_gradeoverride
SET ended_at = %(now)s, end_reason = 'expired', ended_by_run_id = %(run)s
WHERE ended_at IS NULL AND expires_on < %(day)s
  AND retailer_id IN (SELECT retailer_id FROM {CALC_TABLE})
"""

AUDIT_EXPIRED = """
INSERT INTO accounts_auditevent (at, actor_id, node_id, object_type, object_id, action,
                                 from_state, to_state, reason, request_id)
SELECT %(now)s, NULL, r.area_id, 'grading.gradeoverride', CAST(o.id AS TEXT), 'expire',
       o.grade, '', '', ''
FROM grading_gradeoverride o JOIN kehu_retailer r ON r.id = o.retailer_id
WHERE o.ended_by_run_id = %(run)s
"""

HISTORY = f"""
INSERT INTO grading_gradehistory (
    retailer_id, old_grade, new_grade, computed_grade, source, value, active_months,
    cumulative_share, rank, population, policy_version_id, run_id, override_id, changed_by_id,
    business_date, changed_at)
SELECT c.retailer_id, c.current_grade, c.effective_grade, c.computed_grade, 'nightly', c.value,
       c.months, c.share, c.rnk, c.population, %(version)s, %(run)s, c.override_id, NULL,
       %(day)s, %(now)s
FROM {CALC_TABLE} c
WHERE c.has_data = 1 AND c.effective_grade <> c.current_grade
ORDER BY c.retailer_id
"""

RETAILERS = f"""
UPDATE kehu_retailer SET grade = c.effective_grade
FROM {CALC_TABLE} c
WHERE kehu_retailer.id = c.retailer_id AND c.has_data = 1
  AND kehu_retailer.grade <> c.effective_grade
"""

BASIS_UPDATE = f"""
UPDATE grading_retailergrade
SET computed_grade = c.computed_grade, value = c.value, active_months = c.months,
    cumulative_share = c.share, rank = c.rnk, population = c.population,
    policy_version_id = %(version)s, run_id = %(run)s, computed_on = %(day)s
FROM {CALC_TABLE} c
WHERE grading_retailergrade.retailer_id = c.retailer_id AND c.has_data = 1
  AND (grading_retailergrade.computed_grade <> c.computed_grade
       OR grading_retailergrade.value <> c.value
       OR grading_retailergrade.active_months <> c.months
       OR grading_retailergrade.cumulative_share <> c.share
       OR grading_retailergrade.rank <> c.rnk
       OR grading_retailergrade.population <> c.population
       OR grading_retailergrade.policy_version_id <> %(version)s)
"""

BASIS_INSERT = f"""
INSERT INTO grading_retailergrade (
    retailer_id, computed_grade, value, active_months, cumulative_share, rank, population,
    policy_version_id, run_id, computed_on)
SELECT c.retailer_id, c.computed_grade, c.value, c.months, c.share, c.rnk, c.population,
       %(version)s, %(run)s, %(day)s
FROM {CALC_TABLE} c
WHERE c.has_data = 1
  AND NOT EXISTS (SELECT 1 FROM grading_retailergrade g WHERE g.retailer_id = c.retailer_id)
ORDER BY c.retailer_id
"""


def summarize(rows) -> dict:
    """Counts of one part from the (has_data, effective, current, computed, overridden, n)
    groups: per grade, moves (and which), overrides kept, retailers without data."""
    counts = {"retailers": 0, "graded": 0, "no_data": 0, "grades": {"A": 0, "B": 0, "C": 0},
              "computed": {"A": 0, "B": 0, "C": 0}, "moves": 0, "moves_by": {},
              "overridden": 0}
    for has_data, effective, current, computed, overridden, n in rows:
        counts["retailers"] += n
        if not has_data:
            counts["no_data"] += n
            continue
        counts["graded"] += n
        counts["grades"][effective] += n
        counts["computed"][computed] += n
        counts["overridden"] += n if overridden else 0
        if effective != current:
            counts["moves"] += n
            key = f"{current or '-'}>{effective}"
            counts["moves_by"][key] = counts["moves_by"].get(key, 0) + n
    return counts


def grade_part(*, rule: Rule, version_id: int, business_date: date, run_id: int, now) -> dict:
    """Grade one policy's retailers (call inside a transaction holding the policy lock);
    returns the counts, with the seconds each statement took (`seconds`)."""
    params = {"version": version_id, "run": run_id, "day": business_date, "now": now}
    seconds = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        seconds[name] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    with connection.cursor() as cursor:
        materialize(cursor, rule, business_date)
        cursor.execute(COUNTS)
        counts = summarize(cursor.fetchall())
        lap("compute")
        cursor.execute(EXPIRE_OVERRIDES, params)
        counts["overrides_expired"] = cursor.rowcount
        if cursor.rowcount:
            cursor.execute(AUDIT_EXPIRED, params)
        lap("overrides")
        counts["history"] = counts["retailers_updated"] = 0
        if counts["moves"]:  # a night without moves only reads (and refreshes the basis)
            cursor.execute(HISTORY, params)
            counts["history"] = cursor.rowcount
            lap("history")
            cursor.execute(RETAILERS, params)
            counts["retailers_updated"] = cursor.rowcount
            lap("grades")
        cursor.execute(BASIS_UPDATE, params)
        basis = cursor.rowcount
        cursor.execute(BASIS_INSERT, params)
        counts["basis_written"] = basis + cursor.rowcount
        lap("basis")
        drop_tables(cursor)
    counts["seconds"] = seconds
    return counts


PREVIEW = f"""
SELECT c.office_path,
       SUM(CASE WHEN c.has_data = 1 AND c.effective_grade = 'A' THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.has_data = 1 AND c.effective_grade = 'B' THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.has_data = 1 AND c.effective_grade = 'C' THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.has_data = 1 AND c.effective_grade <> c.current_grade
                THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.has_data = 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN c.override_id IS NULL THEN 0 ELSE 1 END)
FROM {CALC_TABLE} c
GROUP BY c.office_path
ORDER BY c.office_path
"""


def preview_rows(rule: Rule, business_date: date) -> list[tuple]:
    """Per office path: (path, A, B, C, moves, no_data, overridden). Only temporary
    tables are written (and dropped)."""
    with transaction.atomic(), connection.cursor() as cursor:
        materialize(cursor, rule, business_date)
        cursor.execute(PREVIEW)
        rows = cursor.fetchall()
        drop_tables(cursor)
    return rows


def lock_policy(policy_id: int, *, wait: bool = True) -> bool:
    """Take the policy's writer lock for this transaction (PostgreSQL); False when `wait`
    is off and another transaction holds it. SQLite has one writer at a time anyway."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [POLICY_LOCK, policy_id])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [POLICY_LOCK, policy_id])
        return bool(cursor.fetchone()[0])


def hold_run_lock(run_id: int) -> None:
    """Mark this run alive for as long as this database session lasts (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK, run_id])


def release_run_lock(run_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, run_id])


def run_is_alive(run_id: int) -> bool:
    """Whether a live database session still holds the run's lock (PostgreSQL). Elsewhere
    always True: on SQLite runs are in-process, and housekeeping fails a stuck one."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK, run_id])
        if cursor.fetchone()[0]:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, run_id])
            return False
    return True
