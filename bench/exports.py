"""Benchmark: the Excel export of 1,000,000 retailer rows, time and peak memory.

Two ways over the same rows (the bench company's retailers as its administrator `badmin`
sees them), each in a fresh Python process so its peak RSS is its own, in alternating
rounds in the same run:
  app       the export job's own path, as the Celery task runs it
            (`reports.exports.services.export_job_run`): the claim, the COUNT for the
            progress total, kehu's retailer rows (the scoped, filtered query through a
            server-side cursor, labels, Number cells), the kehu writer with formula
            neutralisation into xlsxwriter in constant_memory mode, progress and heartbeat
            every 2,000 rows, the file saved through Django's storage;
  baseline  openpyxl in write_only mode writing the same rows directly: one SQL query of
            the same columns through a server-side cursor, choice codes mapped to the same
            labels, `ws.append(row)`, `wb.save()`.
The first 1,000 data rows of both files are compared cell by cell, and their row counts.
Prints seconds, peak RSS and RSS over time (memory must stay flat: no growth with the rows
written), the load average, and app/baseline (goal ≤ 1.5×).

The app's database writes (the job row, its JobRun, progress) run in a transaction that
is rolled back, and the file goes to a temporary MEDIA_ROOT, so the run leaves nothing
behind. The export job's table must exist: the script applies reports' migrations up to
0003_export_job when they are missing (never later ones, never backwards).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keqing_bench .venv/bin/python bench/exports.py
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USER = "badmin"
COMPARED_ROWS = 1000


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Sampler(threading.Thread):
    """RSS every 0.25 s while the export runs."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float]] = []
        self.stopped = threading.Event()
        self.start_time = time.monotonic()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.samples.append((time.monotonic() - self.start_time, rss_mb()))
            self.stopped.wait(0.25)

    def stop(self) -> list[float]:
        """RSS at 10 %, 25 %, 50 %, 75 % and 100 % of the run."""
        self.stopped.set()
        self.join()
        samples = self.samples or [(0.0, rss_mb())]
        return [samples[min(len(samples) - 1, int(len(samples) * q))][1]
                for q in (0.1, 0.25, 0.5, 0.75, 0.999)]


# Child processes ------------------------------------------------------------------------

def child_app(out: Path) -> dict:
    from django.db import transaction

    from accounts.models import User
    from reports.exports import services
    from reports.models import ExportJob

    user = User.objects.get(username=USER)
    with transaction.atomic():
        job = ExportJob.objects.create(kind=ExportJob.Kind.RETAILERS, filters={},
                                       requested_by=user, scope=services.requester_scope(user))
        started = time.perf_counter()
        job = services.export_job_run(job_id=job.pk, attempt=job.attempt)
        seconds = time.perf_counter() - started
        assert job.status == ExportJob.Status.SUCCEEDED, job.error
        progress = (job.job_run.progress_done, job.job_run.progress_total)
        with job.file.open("rb") as stored, open(out, "wb") as copy:
            for chunk in iter(lambda: stored.read(1 << 20), b""):
                copy.write(chunk)
        job.file.delete(save=False)
        transaction.set_rollback(True)
    return {"seconds": seconds, "rows": job.row_count, "progress": progress}


BASELINE_SQL = """
SELECT r.code, r.name, r.licence_no, r.business_type, r.trade_area, r.address, a.code,
       u.username, r.latitude, r.longitude, r.status, r.credit_limit, r.order_channel,
       r.e_settlement, r.duplicate_reason
  FROM kehu_retailer r
  JOIN accounts_orgnode a ON a.id = r.area_id
  LEFT JOIN accounts_user u ON u.id = r.assigned_rep_id
 WHERE a.path LIKE %s
 ORDER BY r.code
"""


def child_baseline(out: Path) -> dict:
    from django.db import connection, transaction
    from openpyxl import Workbook

    from accounts.models import Membership
    from kehu.imports.columns import EXPORT_HEADERS, zh_labels
    from kehu.models import Retailer

    node = Membership.objects.select_related("node").get(user__username=USER).node
    labels = [dict(zh_labels(c)) for c in (Retailer.BusinessType, Retailer.TradeArea,
                                          Retailer.Status, Retailer.OrderChannel)]
    business, trade, status, channel = labels
    started = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("客户")
    sheet.append(EXPORT_HEADERS)
    rows = 0
    with transaction.atomic(), connection.connection.cursor(name="baseline") as cursor:
        cursor.itersize = 2000
        cursor.execute(BASELINE_SQL, [node.path + "%"])
        for (code, name, licence, kind, area, address, area_code, rep, lat, lng, state,
             credit, order, e_settlement, reason) in cursor:
            sheet.append([code, name, licence or None, business.get(kind, kind),
                          trade.get(area, area), address or None, area_code, rep, lat, lng,
                          status.get(state, state), credit, channel.get(order, order),
                          "是" if e_settlement else "否", reason or None])
            rows += 1
    book.save(out)
    return {"seconds": time.perf_counter() - started, "rows": rows}


def child(kind: str, out: Path) -> None:
    from bench.common import require_bench_database, setup_django

    setup_django()
    require_bench_database()
    before = rss_mb()
    sampler = Sampler()
    sampler.start()
    result = (child_app if kind == "app" else child_baseline)(out)
    result["rss_over_time_mb"] = sampler.stop()
    result["rss_before_mb"] = before
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["size_mb"] = out.stat().st_size / 2**20
    print(json.dumps(result))


# The parent -----------------------------------------------------------------------------

def ensure_table() -> None:
    from django.core.management import call_command
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder.Migration.objects.filter(app="reports", name="0003_export_job")
    if not applied.exists():
        print("applying reports migrations up to 0003_export_job (empty tables)")
        call_command("migrate", "reports", "0003_export_job", verbosity=0)


def run_child(kind: str, out: Path, media: Path) -> dict:
    env = {**os.environ, "MEDIA_ROOT": str(media), "LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(out)], env=env,
                          capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode:
        sys.exit(f"{kind} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def first_rows(path: Path, count: int) -> list[tuple]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    rows = []
    for row in book.worksheets[0].iter_rows(values_only=True):
        values = [None if value == "" else value for value in row]
        while values and values[-1] is None:  # openpyxl's write_only writes no dimension
            values.pop()
        rows.append(tuple(values))
        if len(rows) > count:
            break
    book.close()
    return rows


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    from bench.common import require_bench_database, setup_django

    setup_django()
    print(f"database {require_bench_database()}, load average {load_average()}")
    ensure_table()
    results: dict[str, list[dict]] = {"app": [], "baseline": []}
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as folder:
        folder = Path(folder)
        for round_no in range(args.rounds):
            order = ("app", "baseline") if round_no % 2 == 0 else ("baseline", "app")
            for kind in order:
                result = run_child(kind, folder / f"{kind}.xlsx", folder / "media")
                result["load"] = load_average()
                results[kind].append(result)
                print(f"round {round_no + 1} {kind:8}: {result['seconds']:7.1f} s, "
                      f"{result['rows']:,} rows, {result['size_mb']:.1f} MB, peak RSS "
                      f"{result['peak_rss_mb']:.0f} MB (before {result['rss_before_mb']:.0f}"
                      f"; over time {', '.join(f'{v:.0f}' for v in result['rss_over_time_mb'])})"
                      f", load {result['load']}", flush=True)
        app_rows = first_rows(folder / "app.xlsx", COMPARED_ROWS)
        base_rows = first_rows(folder / "baseline.xlsx", COMPARED_ROWS)
    same = app_rows == base_rows and results["app"][0]["rows"] == results["baseline"][0]["rows"]
    for number, (mine, theirs) in enumerate(zip(app_rows, base_rows, strict=False)):
        if mine != theirs:
            print(f"first difference, row {number + 1}:\n  app      {mine}\n  baseline {theirs}")
            break
    app = min(r["seconds"] for r in results["app"])
    base = min(r["seconds"] for r in results["baseline"])
    print(f"same cells in the first {COMPARED_ROWS:,} rows and the same row count: {same}")
    print(f"progress recorded (done, total): {results['app'][0]['progress']}")
    print(f"app {app:.1f} s / baseline {base:.1f} s = {app / base:.2f}× (goal ≤ 1.5×); "
          f"peak RSS app {max(r['peak_rss_mb'] for r in results['app']):.0f} MB, baseline "
          f"{max(r['peak_rss_mb'] for r in results['baseline']):.0f} MB; load {load_average()}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
