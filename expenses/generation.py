"""Generate every rep's draft statement of a month at once (the batch behind the monthly cycle).

On PostgreSQL it is set-based: a handful of statements over temporary tables, whatever the
number of reps — drafts are inserted (ON CONFLICT: a rep's existing draft is refreshed, a
submitted statement is left alone; the drafts are locked FOR UPDATE, so a rep submitting at
the same moment waits and then submits the refreshed draft), each line's payable amount
comes from window sums, rows and the new-customer summary are `INSERT … SELECT`, totals one
`UPDATE … FROM`. It applies
the same rule as `expenses.payable` (the steps a rep is shown); a test keeps the two equal.

On SQLite (the embedded default) the same drafts are written rep by rep with the Python rule.

Lines are not frozen by a draft: only submitting freezes them.
"""

from datetime import date

from django.db import connection, transaction

from accounts.models import Membership, OrgNode, Role, User
from accounts.services import job_run_recorded
from expenses import selectors, workdays
from expenses.models import MonthlyStatement, NewCustomerRow, StatementRow

JOB_NAME = "expenses.generate_statements"


def statements_generate(*, company: OrgNode, month: date, started_by: User | None = None) -> dict:
    """Create or refresh the draft statement of every rep of `company` for `month`;
    returns the counts (also kept on the JobRun row). Rerunning gives the same drafts."""
    month = workdays.month_start(month)
    deadlines = workdays.statement_deadlines(month)
    with job_run_recorded(name=JOB_NAME, scope=company, business_date=month,
                          started_by=started_by) as run, transaction.atomic():
        if connection.vendor == "postgresql":
            run.counts = _generate_sql(company, month, deadlines)
        else:
            run.counts = _generate_python(company, month, deadlines)
    return run.counts


# PostgreSQL ---------------------------------------------------------------------------------

REPS = """
CREATE TEMP TABLE gen_reps ON COMMIT DROP AS
SELECT DISTINCT ON (m.user_id) m.user_id AS rep_id, m.node_id AS area_id
FROM accounts_membership m JOIN accounts_orgnode n ON n.id = m.node_id
WHERE m.role = 'rep' AND n.path LIKE %(company_path)s
ORDER BY m.user_id, m.id
"""

DRAFTS = """
INSERT INTO expenses_monthlystatement (
    rep_id, area_id, month, status, submit_due, review_due, payout_from, late, submissions,
    purchase_total, collected_total, claimed_total, payable_total, new_customer_total,
    paid_total, return_reason, void_reason)
SELECT rep_id, area_id, %(month)s, 'draft', %(submit_due)s, %(review_due)s, %(payout_from)s,
       false, 1, 0, 0, 0, 0, 0, 0, '', ''
FROM gen_reps
ON CONFLICT (rep_id, month) DO NOTHING
"""

TARGETS = """
CREATE TEMP TABLE gen_targets ON COMMIT DROP AS
SELECT s.id AS statement_id, s.rep_id
FROM expenses_monthlystatement s JOIN gen_reps r ON r.rep_id = s.rep_id
WHERE s.month = %(month)s AND s.status = 'draft'
FOR UPDATE OF s
"""

# psycopg sends parameterised SQL one statement at a time.
TARGETS_READY = [
    "CREATE UNIQUE INDEX ON gen_targets (rep_id)",
    "ANALYZE gen_targets",
    "DELETE FROM expenses_statementrow WHERE statement_id IN "
    "(SELECT statement_id FROM gen_targets)",
    "DELETE FROM expenses_newcustomerrow WHERE statement_id IN "
    "(SELECT statement_id FROM gen_targets)",
]

# Each line's payable amount. Within one statement, the lines of a (retailer, product line)
# share its allowance A in (spent_on, id) order: with S the running sum of amounts, a line
# counts min(A, S) − min(A, S − amount). A new-customer line likewise within its approved
# amount, after U already used by earlier months' (not void) statements.
LINES = """
CREATE TEMP TABLE gen_lines ON COMMIT DROP AS
WITH lines AS (
    SELECT cl.id, t.statement_id, cl.retailer_id, cl.product_line_id, cl.pre_approval_id,
           cl.amount, cl.spent_on, r.area_id
    FROM expenses_claimline cl
    JOIN gen_targets t ON t.rep_id = cl.rep_id
    JOIN kehu_retailer r ON r.id = cl.retailer_id
    WHERE cl.month = %(month)s
), pairs AS (
    SELECT DISTINCT area_id, product_line_id FROM lines WHERE pre_approval_id IS NULL
), standards AS (
    SELECT p.area_id, p.product_line_id, s.basis, s.rate, s.collection_rule
    FROM pairs p
    JOIN accounts_orgnode a ON a.id = p.area_id
    JOIN LATERAL (
        SELECT es.basis, es.rate, es.collection_rule
        FROM expenses_expensestandard es JOIN accounts_orgnode n ON n.id = es.node_id
        WHERE es.product_line_id = p.product_line_id AND a.path LIKE n.path || '%%'
          AND es.valid_from <= %(month)s
          AND (es.valid_until IS NULL OR es.valid_until >= %(month)s)
        ORDER BY length(n.path) DESC, es.valid_from DESC, es.id DESC
        LIMIT 1
    ) s ON true
), by_standard AS (
    SELECT l.id, l.statement_id, l.retailer_id, l.pre_approval_id, l.amount,
           s.basis, s.collection_rule,
           COALESCE(f.purchase_amount, 0) AS p, COALESCE(f.collected_amount, 0) AS c,
           CASE WHEN s.basis IS NULL THEN 0
                WHEN s.basis = 'per_unit'
                    THEN ROUND(COALESCE(f.purchase_quantity, 0) * s.rate, 2)
                ELSE ROUND(COALESCE(f.purchase_amount, 0)::numeric(38, 10) * s.rate / 100, 2)
           END AS allowance,
           SUM(l.amount) OVER w AS run_to
    FROM lines l
    LEFT JOIN kehu_monthlyfact f ON f.retailer_id = l.retailer_id AND f.month = %(month)s
    LEFT JOIN standards s ON s.area_id = l.area_id AND s.product_line_id = l.product_line_id
    WHERE l.pre_approval_id IS NULL
    WINDOW w AS (PARTITION BY l.statement_id, l.retailer_id, l.product_line_id
                 ORDER BY l.spent_on, l.id ROWS UNBOUNDED PRECEDING)
), counted AS (
    SELECT *, LEAST(allowance, run_to) - LEAST(allowance, run_to - amount) AS within
    FROM by_standard
), used_before AS (
    SELECT cl.pre_approval_id, SUM(cl.payable_amount) AS used
    FROM expenses_claimline cl
    JOIN expenses_monthlystatement s ON s.id = cl.statement_id
    WHERE cl.month < %(month)s AND s.status <> 'void'
      AND cl.pre_approval_id IN (SELECT pre_approval_id FROM lines)
    GROUP BY cl.pre_approval_id
), new_customer AS (
    SELECT l.id, l.statement_id, l.retailer_id, l.pre_approval_id, l.amount,
           pa.status, pa.amount AS approved, COALESCE(u.used, 0) AS used,
           SUM(l.amount) OVER w AS run_to
    FROM lines l
    JOIN expenses_preapproval pa ON pa.id = l.pre_approval_id
    LEFT JOIN used_before u ON u.pre_approval_id = l.pre_approval_id
    WINDOW w AS (PARTITION BY l.statement_id, l.pre_approval_id
                 ORDER BY l.spent_on, l.id ROWS UNBOUNDED PRECEDING)
)
SELECT id, statement_id, retailer_id, pre_approval_id, amount,
       CASE WHEN basis IS NULL THEN 0
            WHEN collection_rule = 'full_collection'
                THEN CASE WHEN p > 0 AND c >= p THEN within ELSE 0 END
            WHEN p <= 0 THEN 0
            WHEN c >= p THEN within
            ELSE ROUND((within * c)::numeric(38, 20) / p, 2)
       END AS payable
FROM counted
UNION ALL
SELECT id, statement_id, retailer_id, pre_approval_id, amount,
       CASE WHEN status = 'approved'
            THEN LEAST(approved, used + run_to) - LEAST(approved, used + run_to - amount)
            ELSE 0 END
FROM new_customer
"""

ROWS = """
INSERT INTO expenses_statementrow (
    statement_id, retailer_id, retailer_code, retailer_name, purchase_amount,
    purchase_quantity, collected_amount, collection_rate, claimed_amount, payable_amount,
    line_count)
WITH keys AS (
    SELECT t.statement_id, f.retailer_id
    FROM gen_targets t
    JOIN kehu_retailer r ON r.assigned_rep_id = t.rep_id
    JOIN kehu_monthlyfact f ON f.retailer_id = r.id AND f.month = %(month)s
    UNION
    SELECT statement_id, retailer_id FROM gen_lines
), claimed AS (
    SELECT statement_id, retailer_id, SUM(amount) AS amount, SUM(payable) AS payable,
           COUNT(*) AS lines
    FROM gen_lines GROUP BY statement_id, retailer_id
)
SELECT k.statement_id, k.retailer_id, r.code, r.name,
       COALESCE(f.purchase_amount, 0), COALESCE(f.purchase_quantity, 0),
       COALESCE(f.collected_amount, 0),
       CASE WHEN COALESCE(f.purchase_amount, 0) <= 0 THEN 0
            ELSE ROUND(LEAST(f.collected_amount::numeric(38, 20) / f.purchase_amount, 1), 4)
       END,
       COALESCE(c.amount, 0), COALESCE(c.payable, 0), COALESCE(c.lines, 0)
FROM keys k
JOIN kehu_retailer r ON r.id = k.retailer_id
LEFT JOIN kehu_monthlyfact f ON f.retailer_id = k.retailer_id AND f.month = %(month)s
LEFT JOIN claimed c ON c.statement_id = k.statement_id AND c.retailer_id = k.retailer_id
ORDER BY k.statement_id, k.retailer_id
"""

NEW_CUSTOMER_ROWS = """
INSERT INTO expenses_newcustomerrow (
    statement_id, pre_approval_id, retailer_id, retailer_code, retailer_name, applied_on,
    approved_on, contract_date, status, approved_amount, claimed_amount, payable_amount)
WITH keys AS (
    SELECT statement_id, pre_approval_id FROM gen_lines WHERE pre_approval_id IS NOT NULL
    UNION
    SELECT t.statement_id, pa.id
    FROM gen_targets t JOIN expenses_preapproval pa ON pa.rep_id = t.rep_id
    WHERE pa.applied_on >= %(month)s AND pa.applied_on < %(next_month)s
), claimed AS (
    SELECT statement_id, pre_approval_id, SUM(amount) AS amount, SUM(payable) AS payable
    FROM gen_lines WHERE pre_approval_id IS NOT NULL GROUP BY statement_id, pre_approval_id
)
SELECT k.statement_id, pa.id, pa.retailer_id, r.code, r.name, pa.applied_on,
       CASE WHEN pa.status = 'approved' THEN pa.decided_on END, pa.contract_date, pa.status,
       pa.amount, COALESCE(c.amount, 0), COALESCE(c.payable, 0)
FROM keys k
JOIN expenses_preapproval pa ON pa.id = k.pre_approval_id
JOIN kehu_retailer r ON r.id = pa.retailer_id
LEFT JOIN claimed c ON c.statement_id = k.statement_id AND c.pre_approval_id = pa.id
"""

TOTALS = """
UPDATE expenses_monthlystatement s
SET purchase_total = COALESCE(x.purchases, 0), collected_total = COALESCE(x.collected, 0),
    claimed_total = COALESCE(x.claimed, 0), payable_total = COALESCE(x.payable, 0),
    new_customer_total = COALESCE(n.amount, 0)
FROM gen_targets t
LEFT JOIN (
    SELECT statement_id, SUM(purchase_amount) AS purchases, SUM(collected_amount) AS collected,
           SUM(claimed_amount) AS claimed, SUM(payable_amount) AS payable
    FROM expenses_statementrow
    WHERE statement_id IN (SELECT statement_id FROM gen_targets)
    GROUP BY statement_id
) x ON x.statement_id = t.statement_id
LEFT JOIN (
    SELECT statement_id, SUM(amount) AS amount FROM gen_lines
    WHERE pre_approval_id IS NOT NULL GROUP BY statement_id
) n ON n.statement_id = t.statement_id
WHERE s.id = t.statement_id
"""


def _generate_sql(company: OrgNode, month: date, deadlines: workdays.Deadlines) -> dict:
    params = {"company_path": company.path + "%", "month": month,
              "next_month": workdays.next_month(month), "submit_due": deadlines.submit_due,
              "review_due": deadlines.review_due, "payout_from": deadlines.payout_from}
    counts = {}
    with connection.cursor() as cursor:
        # Sorts and hashes of a million rows stay in memory (this transaction only).
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(REPS, params)
        counts["reps"] = cursor.rowcount
        cursor.execute(DRAFTS, params)
        counts["drafts_created"] = cursor.rowcount
        cursor.execute(TARGETS, params)
        for sql in TARGETS_READY:
            cursor.execute(sql)
        cursor.execute("SELECT count(*) FROM gen_targets")
        counts["drafts"] = cursor.fetchone()[0]
        cursor.execute(LINES, params)
        cursor.execute("ANALYZE gen_lines")
        cursor.execute("SELECT count(*) FROM gen_lines")
        counts["lines"] = cursor.fetchone()[0]
        cursor.execute(ROWS, params)
        counts["rows"] = cursor.rowcount
        cursor.execute(NEW_CUSTOMER_ROWS, params)
        counts["new_customer_rows"] = cursor.rowcount
        cursor.execute(TOTALS, params)
        cursor.execute("DROP TABLE gen_lines, gen_targets, gen_reps")
    return counts


# SQLite (and any other database): rep by rep -------------------------------------------------

def _generate_python(company: OrgNode, month: date, deadlines: workdays.Deadlines) -> dict:
    from expenses.services.statements import write_rows

    placements = {}
    for membership in (Membership.objects.filter(role=Role.REP,
                                                 node__path__startswith=company.path)
                       .select_related("user", "node").order_by("id")):
        placements.setdefault(membership.user_id, membership)
    counts = {"reps": len(placements), "drafts_created": 0, "drafts": 0, "lines": 0,
              "rows": 0, "new_customer_rows": 0}
    for membership in placements.values():
        statement, created = MonthlyStatement.objects.get_or_create(
            rep=membership.user, month=month,
            defaults={"area": membership.node, "submit_due": deadlines.submit_due,
                      "review_due": deadlines.review_due, "payout_from": deadlines.payout_from})
        if statement.status != MonthlyStatement.Status.DRAFT:
            continue
        draft = selectors.statement_draft(membership.user, month)
        write_rows(statement, draft)
        statement.save()
        counts["drafts_created"] += created
        counts["drafts"] += 1
        counts["lines"] += len(draft.line_payables)
        counts["rows"] += StatementRow.objects.filter(statement=statement).count()
        counts["new_customer_rows"] += NewCustomerRow.objects.filter(
            statement=statement).count()
    return counts
