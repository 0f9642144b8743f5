"""Benchmark: the monthly 客情费 statements of 5,000 reps and 1,000,000 retailers, and payouts
under the advance cap with 16 concurrent clients, on PostgreSQL.

Part 1, statements, in the same run over the same data:
  app    expenses.generation.statements_generate: every rep's draft statement (insert or
         refresh), each line's payable amount (standard per product line, shared allowance,
         collection rule, new-customer pre-approvals), rows per retailer, the new-customer
         summary, totals, the JobRun row;
  sql    one hand-written aggregate INSERT … SELECT computing the same rows per rep and
         retailer (same payable rule) into a plain table without indexes: the floor (with
         the same work_mem the app sets for its transaction).
  Prints seconds and app/sql (goal ≤ 2×), and checks both agree on the grand totals.
Part 2, payouts: 16 threads, each an API client of finance posting payouts (with an
  Idempotency-Key) against the approved statements of 4 reps, so 4 clients contend for each
  rep's advance-account lock; reports requests/s and checks no update was lost (each rep's
  outstanding = the sum of its entries ≤ the cap, paid totals match).

Data is generated once (company code BENCHEXP) and reused; --fresh drops and rebuilds it.

    DATABASE_URL=postgres://… .venv/bin/python bench/statements.py [--reps 5000]
        [--retailers 1000000] [--lines 500000] [--clients 16] [--payouts 100] [--fresh]
"""

import argparse
import os
import random
import sys
import threading
import time
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("django.request").setLevel(logging.ERROR)  # refused payouts are expected

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts import services as accounts  # noqa: E402
from accounts.models import Membership, OrgNode, Role, User  # noqa: E402
from expenses import workdays  # noqa: E402
from expenses.generation import LINES, REPS, statements_generate  # noqa: E402
from expenses.models import (  # noqa: E402
    AdvanceAccount,
    AdvanceEntry,
    ClaimLine,
    ExpenseStandard,
    MonthlyStatement,
    PreApproval,
    ProductLine,
)
from kehu.models import MonthlyFact, Retailer  # noqa: E402

COMPANY = "BENCHEXP"
MONTH = date(2026, 9, 1)
D = Decimal


def copy_rows(model, rows, fields: list[str]) -> int:
    """COPY plain tuples into the model's table; the other columns get their defaults."""
    concrete = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
    now = timezone.now()
    extra = []
    for name, field in concrete.items():
        if name in fields:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:
            value = "" if field.get_internal_type() in ("CharField", "TextField") else 0
        extra.append((field.column, value))
    columns = [concrete[name].column for name in fields] + [column for column, _v in extra]
    tail = tuple(value for _c, value in extra)
    count = 0
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row) + tail)
            count += 1
    return count


def build(args) -> OrgNode:
    rng = random.Random(2026)
    print("building the org tree …", flush=True)
    company = accounts.node_create(parent=None, code=COMPANY, name="基准公司", kind="company")
    areas = []
    offices_per_region, areas_per_office = 10, 10
    area_count = max(1, args.reps // 5)
    regions = max(1, area_count // (offices_per_region * areas_per_office))
    for r in range(regions):
        region = accounts.node_create(parent=company, code=f"BX-R{r}", name=f"大区{r}",
                                      kind="region")
        for o in range(offices_per_region):
            office = accounts.node_create(parent=region, code=f"BX-O{r}-{o}",
                                          name=f"办事处{r}-{o}", kind="office")
            for a in range(areas_per_office):
                if len(areas) < area_count:
                    areas.append(accounts.node_create(parent=office, code=f"BX-A{r}-{o}-{a}",
                                                      name=f"片区{r}-{o}-{a}", kind="area"))
    print(f"  {len(areas)} areas; {args.reps} reps …", flush=True)
    User.objects.bulk_create([User(username=f"bx_rep{i}", name=f"业务员{i}", password="!")
                              for i in range(args.reps)], batch_size=2000)
    reps = list(User.objects.filter(username__startswith="bx_rep").order_by("id"))
    Membership.objects.bulk_create([Membership(user=rep, node=areas[i % len(areas)],
                                               role=Role.REP)
                                    for i, rep in enumerate(reps)], batch_size=2000)
    staff = {}
    first_office = OrgNode.objects.get_parent(areas[0])
    for role, node in [(Role.CLERK, first_office), (Role.OFFICE_MANAGER, first_office),
                       (Role.FINANCE, company)]:
        user = User.objects.create(username=f"bx_{role}", name=role, password="!")
        Membership.objects.create(user=user, node=node, role=role)
        staff[role] = user
    rep_area = {rep.pk: areas[i % len(areas)] for i, rep in enumerate(reps)}

    print(f"  {args.retailers} retailers …", flush=True)
    per_rep = args.retailers // len(reps)
    t0 = time.perf_counter()
    copy_rows(Retailer, ((company.pk, f"BX{i:07d}", f"基准商店{i}", "convenience",
                          rep_area[reps[i // per_rep].pk].pk, reps[i // per_rep].pk)
                         for i in range(per_rep * len(reps))),
              ["company", "code", "name", "business_type", "area", "assigned_rep"])
    retailers = list(Retailer.objects.filter(company=company).order_by("id")
                     .values_list("id", "assigned_rep_id"))
    print(f"    {time.perf_counter() - t0:.1f}s; facts …", flush=True)

    def fact(retailer_id):
        purchase = D(rng.randint(0, 2_000_000)) / 100
        collected = purchase if rng.random() < 0.6 else D(rng.randint(0, int(purchase * 100))
                                                           ) / 100
        return (retailer_id, MONTH, purchase, D(rng.randint(0, 20000)) / 100, collected,
                D("95.00"), D("50.00"))

    copy_rows(MonthlyFact, (fact(pk) for pk, _rep in retailers),
              ["retailer", "month", "purchase_amount", "purchase_quantity", "collected_amount",
               "order_success_rate", "e_settlement_rate"])

    print("  product lines, standards, pre-approvals …", flush=True)
    lines = [ProductLine.objects.create(company=company, code=code, name=name)
             for code, name in [("YC", "卷烟"), ("BJ", "白酒"), ("YL", "饮料")]]
    for line, (basis, rate, rule) in zip(lines, [("per_unit", "2.0000", "collection_rate"),
                                                 ("share", "1.5000", "full_collection"),
                                                 ("per_unit", "0.5000", "collection_rate")],
                                         strict=True):
        ExpenseStandard.objects.create(node=company, product_line=line, basis=basis,
                                       rate=D(rate), collection_rule=rule,
                                       valid_from=date(2026, 1, 1), created_by=staff["finance"])
    for office in OrgNode.objects.filter(kind="office", path__startswith=company.path)[:10]:
        ExpenseStandard.objects.create(node=office, product_line=lines[0], basis="per_unit",
                                       rate=D("2.5000"), collection_rule="collection_rate",
                                       valid_from=date(2026, 6, 1), created_by=staff["finance"])
    first_of = {}
    for pk, rep_id in retailers:
        first_of.setdefault(rep_id, pk)
    copy_rows(PreApproval, ((rep_area[rep_id].pk, rep_id, retailer_id, D("500.00"), "开业",
                             date(2026, 8, 20), "approved", staff["office_manager"].pk,
                             date(2026, 8, 25))
                            for rep_id, retailer_id in first_of.items()),
              ["area", "rep", "retailer", "amount", "purpose", "applied_on", "status",
               "decided_by", "decided_on"])
    approvals = dict(PreApproval.objects.filter(rep__username__startswith="bx_rep")
                     .values_list("rep_id", "id"))

    print(f"  {args.lines} claim lines …", flush=True)
    by_rep: dict[int, list[int]] = {}
    for pk, rep_id in retailers:
        by_rep.setdefault(rep_id, []).append(pk)
    rep_ids = list(by_rep)

    def line(i):
        rep_id = rep_ids[i % len(rep_ids)]
        day = date(2026, 9, rng.randint(1, 30))
        if i < len(rep_ids):  # one new-customer line per rep
            return (rep_id, rep_area[rep_id].pk, first_of[rep_id], "new_customer", None,
                    approvals[rep_id], D(rng.randint(100, 60000)) / 100, day, MONTH,
                    "receipts/bench.jpg")
        return (rep_id, rep_area[rep_id].pk, rng.choice(by_rep[rep_id]), "gift",
                rng.choice(lines).pk, None, D(rng.randint(100, 50000)) / 100, day, MONTH,
                "receipts/bench.jpg")

    copy_rows(ClaimLine, (line(i) for i in range(args.lines)),
              ["rep", "area", "retailer", "category", "product_line", "pre_approval", "amount",
               "spent_on", "month", "receipt"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return company


def drop(company: OrgNode) -> None:
    print("dropping the old benchmark data …", flush=True)
    with connection.cursor() as cursor:
        reps = "SELECT id FROM accounts_user WHERE username LIKE 'bx\\_%%'"
        for sql in [
            f"DELETE FROM expenses_spotcheckitem WHERE spot_check_id IN (SELECT id FROM "
            f"expenses_spotcheck WHERE statement_id IN (SELECT id FROM "
            f"expenses_monthlystatement WHERE rep_id IN ({reps})))",
            f"DELETE FROM expenses_spotcheck WHERE statement_id IN (SELECT id FROM "
            f"expenses_monthlystatement WHERE rep_id IN ({reps}))",
            f"DELETE FROM expenses_advanceentry WHERE account_id IN (SELECT id FROM "
            f"expenses_advanceaccount WHERE rep_id IN ({reps}))",
            f"DELETE FROM expenses_advanceaccount WHERE rep_id IN ({reps})",
            f"DELETE FROM expenses_claimline WHERE rep_id IN ({reps})",
            f"DELETE FROM expenses_statementrow WHERE statement_id IN (SELECT id FROM "
            f"expenses_monthlystatement WHERE rep_id IN ({reps}))",
            f"DELETE FROM expenses_newcustomerrow WHERE statement_id IN (SELECT id FROM "
            f"expenses_monthlystatement WHERE rep_id IN ({reps}))",
            f"DELETE FROM expenses_monthlystatement WHERE rep_id IN ({reps})",
            f"DELETE FROM expenses_preapproval WHERE rep_id IN ({reps})",
        ]:
            cursor.execute(sql)
    print("  (org nodes, users and retailers stay: the audit trail references them; use a "
          "fresh database to rebuild everything)")


BASELINE = """
INSERT INTO bench_statement_rows (rep_id, retailer_id, purchase_amount, purchase_quantity,
    collected_amount, collection_rate, claimed_amount, payable_amount, line_count)
WITH gen_reps AS ({reps}),
gen_targets AS (SELECT rep_id, rep_id AS statement_id FROM gen_reps),
gen_lines AS ({lines}),
keys AS (
    SELECT r.assigned_rep_id AS rep_id, f.retailer_id
    FROM kehu_monthlyfact f
    JOIN kehu_retailer r ON r.id = f.retailer_id
    JOIN gen_reps g ON g.rep_id = r.assigned_rep_id
    WHERE f.month = %(month)s
    UNION
    SELECT statement_id, retailer_id FROM gen_lines
), claimed AS (
    SELECT statement_id AS rep_id, retailer_id, SUM(amount) AS amount,
           SUM(payable) AS payable, COUNT(*) AS lines
    FROM gen_lines GROUP BY 1, 2
)
SELECT k.rep_id, k.retailer_id, COALESCE(f.purchase_amount, 0),
       COALESCE(f.purchase_quantity, 0), COALESCE(f.collected_amount, 0),
       CASE WHEN COALESCE(f.purchase_amount, 0) <= 0 THEN 0
            ELSE ROUND(LEAST(f.collected_amount::numeric(38, 20) / f.purchase_amount, 1), 4)
       END,
       COALESCE(c.amount, 0), COALESCE(c.payable, 0), COALESCE(c.lines, 0)
FROM keys k
LEFT JOIN kehu_monthlyfact f ON f.retailer_id = k.retailer_id AND f.month = %(month)s
LEFT JOIN claimed c ON c.rep_id = k.rep_id AND c.retailer_id = k.retailer_id
"""


def baseline_sql() -> str:
    """The whole computation as one statement (the app's pieces inlined as CTEs)."""
    reps = REPS.split(" AS\n", 1)[1].strip()
    lines = LINES.split(" AS\n", 1)[1].strip()
    return BASELINE.format(reps=reps, lines=lines)


def run_baseline(company: OrgNode) -> tuple[float, tuple]:
    params = {"company_path": company.path + "%", "month": MONTH}
    with connection.cursor() as cursor:
        cursor.execute("""CREATE TABLE IF NOT EXISTS bench_statement_rows (
            rep_id bigint, retailer_id bigint, purchase_amount numeric(12,2),
            purchase_quantity numeric(12,2), collected_amount numeric(12,2),
            collection_rate numeric(7,4), claimed_amount numeric(12,2),
            payable_amount numeric(12,2), line_count integer)""")
        cursor.execute("TRUNCATE bench_statement_rows")
        start = time.perf_counter()
        with transaction.atomic():
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(baseline_sql(), params)
        elapsed = time.perf_counter() - start
        cursor.execute("SELECT count(*), SUM(purchase_amount), SUM(claimed_amount), "
                       "SUM(payable_amount) FROM bench_statement_rows")
        return elapsed, cursor.fetchone()


def run_app(company: OrgNode) -> tuple[float, dict, tuple]:
    start = time.perf_counter()
    counts = statements_generate(company=company, month=MONTH)
    elapsed = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("""SELECT count(*), SUM(r.purchase_amount), SUM(r.claimed_amount),
                          SUM(r.payable_amount)
                          FROM expenses_statementrow r
                          JOIN expenses_monthlystatement s ON s.id = r.statement_id
                          JOIN accounts_user u ON u.id = s.rep_id
                          WHERE s.month = %s AND u.username LIKE 'bx\\_rep%%'""", [MONTH])
        return elapsed, counts, cursor.fetchone()


def reset_drafts() -> None:
    """Remove the benchmark's drafts so the first app run creates them all again."""
    drafts = ("SELECT s.id FROM expenses_monthlystatement s JOIN accounts_user u "
              "ON u.id = s.rep_id WHERE u.username LIKE 'bx\\_rep%%' AND s.status = 'draft'")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM expenses_statementrow WHERE statement_id IN ({drafts})")
        cursor.execute(f"DELETE FROM expenses_newcustomerrow WHERE statement_id IN ({drafts})")
        cursor.execute(f"DELETE FROM expenses_monthlystatement WHERE id IN ({drafts})")
        cursor.execute("VACUUM ANALYZE expenses_statementrow")
        cursor.execute("VACUUM ANALYZE expenses_monthlystatement")


def statements_part(company: OrgNode) -> None:
    print("\n== statements of", f"{MONTH:%Y-%m}", "==", flush=True)
    reset_drafts()
    results = []
    for label in ("app (creates the drafts)", "sql floor", "app (refreshes the drafts)",
                  "sql floor"):
        if label.startswith("app"):
            seconds, counts, totals = run_app(company)
            print(f"{label:28s} {seconds:7.2f}s  {counts}", flush=True)
        else:
            seconds, totals = run_baseline(company)
            print(f"{label:28s} {seconds:7.2f}s  rows={totals[0]}", flush=True)
        results.append((label, seconds, totals))
    app = min(s for label, s, _t in results if label.startswith("app"))
    floor = min(s for label, s, _t in results if label.startswith("sql"))
    same = results[0][2] == results[1][2] == results[2][2]
    print(f"best app {app:.2f}s / best sql {floor:.2f}s = {app / floor:.2f}× (goal ≤ 2×); "
          f"same rows and totals: {same} {results[0][2]}")


def payouts_part(company: OrgNode, clients: int, per_client: int) -> None:
    from rest_framework.test import APIClient

    print(f"\n== payouts: {clients} concurrent clients × {per_client} ==", flush=True)
    deadlines = workdays.statement_deadlines(MONTH)
    workdays.today = lambda: deadlines.payout_from  # the 9th working day
    clerk = User.objects.get(username="bx_clerk")
    manager = User.objects.get(username="bx_office_manager")
    finance = User.objects.get(username="bx_finance")
    office = Membership.objects.get(user=clerk).node
    reps = list(User.objects.filter(memberships__node__path__startswith=office.path,
                                    memberships__role=Role.REP).order_by("id")[:4])
    statements = list(MonthlyStatement.objects.filter(rep__in=reps, month=MONTH))
    AdvanceEntry.objects.filter(account__rep__in=reps).delete()
    AdvanceAccount.objects.filter(rep__in=reps).update(outstanding=0)
    now = timezone.now()
    MonthlyStatement.objects.filter(pk__in=[s.pk for s in statements]).update(
        status="approved", payable_total=D("100000.00"), paid_total=0, submitted_at=now,
        clerk_checked_by=clerk, clerk_checked_at=now, manager_approved_by=manager,
        manager_approved_at=now, finance_approved_by=finance, finance_approved_at=now)
    results, barrier = [], threading.Barrier(clients)

    def client_loop(index: int) -> None:
        client = APIClient()
        client.force_login(finance)
        barrier.wait()
        for n in range(per_client):
            statement = statements[(index + n) % len(statements)]
            response = client.post(f"/api/expenses/statements/{statement.pk}/payout/",
                                   {"amount": "10.00"}, format="json",
                                   HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
            refused_by_cap = response.status_code == 400 and "amount" in response.data
            results.append("cap" if refused_by_cap else response.status_code)
        connection.close()

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    paid = results.count(201)
    print(f"{len(results)} requests in {elapsed:.2f}s = {len(results) / elapsed:.0f} req/s "
          f"({paid} paid, {results.count('cap')} refused by the cap, "
          f"{len(results) - paid - results.count('cap')} other)")
    lost = []
    for rep in reps:
        account = AdvanceAccount.objects.filter(rep=rep).first() or AdvanceAccount(rep=rep)
        entries = sum(AdvanceEntry.objects.filter(account__rep=rep).values_list("amount",
                                                                                flat=True))
        paid_total = MonthlyStatement.objects.get(rep=rep, month=MONTH).paid_total
        if not (account.outstanding == entries == paid_total <= D("3000.00")):
            lost.append((rep.pk, account.outstanding, entries, paid_total))
    print("no lost updates: each rep's outstanding = its entries = paid out ≤ 3000.00"
          if not lost else f"LOST UPDATES: {lost}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5000)
    parser.add_argument("--retailers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--payouts", type=int, default=100, help="per client")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--part", choices=["all", "statements", "payouts"], default="all")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a migrated PostgreSQL database.")
    company = OrgNode.objects.filter(code=COMPANY).first()
    if company is not None and args.fresh:
        drop(company)
        sys.exit("Benchmark claims and statements dropped; for a full rebuild use a fresh "
                 "database (the org tree and retailers are referenced by the audit trail).")
    if company is None:
        started = time.perf_counter()
        company = build(args)
        print(f"built in {time.perf_counter() - started:.0f}s", flush=True)
    print(f"data: {Retailer.objects.filter(company=company).count()} retailers, "
          f"{ClaimLine.objects.filter(rep__username__startswith='bx_rep').count()} lines, "
          f"{datetime.now():%Y-%m-%d %H:%M}", flush=True)
    if args.part in ("all", "statements"):
        statements_part(company)
    if args.part in ("all", "payouts"):
        payouts_part(company, args.clients, args.payouts)


if __name__ == "__main__":
    main()
