"""Benchmark: importing 100,000 retailer rows from .xlsx on PostgreSQL.

Three ways over the same generated file, in the same run:
  app    kehu's import service end to end (size/format checks, formula scan, calamine
         read, every validation, pinyin search keys, duplicate checks, the set-based
         write with history rows and reassignment rows, JobRun bookkeeping);
  floor  calamine read + COPY straight into the retailer table (label → code and
         code → id lookups only; no validation, no search keys, no history);
  peer   django-import-export's ModelResource with use_bulk=True (tablib/openpyxl read,
         its per-row instance lookup, search keys computed in before_save_instance).
Prints seconds and the ratios app/floor and app/peer. Needs DATABASE_URL (PostgreSQL,
migrated by the script) whose name contains "bench". The peer needs
`pip install -e .[bench]`; without it the peer is skipped.

    DATABASE_URL=postgres://…/keqing_imp_bench .venv/bin/python bench/import_retailers.py
"""

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import require_bench_database, setup_django  # noqa: E402

setup_django()

import xlsxwriter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from accounts import services as accounts  # noqa: E402
from accounts.models import OrgNode, Role  # noqa: E402
from kehu.imports import services as imports  # noqa: E402
from kehu.imports.columns import zh_labels  # noqa: E402
from kehu.imports.stream import Writer  # noqa: E402
from kehu.models import Retailer  # noqa: E402
from kehu.pinyin import search_keys  # noqa: E402

HEADERS = ["客户编码", "客户名称", "许可证号", "业态", "商圈", "地址", "片区编码",
           "客户经理账号", "纬度", "经度", "状态", "信用额度", "订货渠道", "电子结算"]
BRANDS = ["华联", "苏果", "好又多", "便利蜂", "罗森", "美宜佳", "快客", "喜士多", "全家", "金鹰",
          "红旗", "万家福", "百姓", "惠民", "金陵", "钟山", "玄武", "秦淮", "鼓楼", "建邺"]
KINDS = ["超市", "便利店", "烟酒行", "商店", "食杂店", "百货", "名烟名酒", "副食店"]
STREETS = ["中山", "汉中", "珠江", "北京", "上海", "广州", "湖南", "云南", "江东", "龙蟠",
           "虎踞", "集庆", "升州", "太平", "洪武", "长江", "黄埔", "御道", "光华", "卡子门"]
AREAS, REPS = 20, 50
SPACING = 0.0015  # degrees between shops: > 100 m, so the file has no likely duplicates


def setup_org(tag: str):
    company = accounts.node_create(parent=None, code=f"BC{tag}", name=f"压测公司{tag}",
                                   kind=OrgNode.Kind.COMPANY)
    region = accounts.node_create(parent=company, code=f"BR{tag}", name="压测大区",
                                  kind=OrgNode.Kind.REGION)
    office = accounts.node_create(parent=region, code=f"BO{tag}", name="压测办事处",
                                  kind=OrgNode.Kind.OFFICE)
    areas = [accounts.node_create(parent=OrgNode.objects.get(pk=office.pk),
                                  code=f"BA{tag}{i:02d}", name=f"片区{i}",
                                  kind=OrgNode.Kind.AREA) for i in range(AREAS)]
    reps = []
    for i in range(REPS):
        rep = accounts.user_create(username=f"bench_{tag}_rep{i}", name=f"代表{i}")
        accounts.membership_grant(user=rep, node=areas[i % AREAS], role=Role.REP)
        reps.append(rep)
    admin = accounts.user_create(username=f"bench_{tag}_admin", name="管理员")
    accounts.membership_grant(user=admin, node=company, role=Role.ADMIN)
    return company, areas, reps, admin


def make_file(path: Path, rows: int, areas, reps, tag: str) -> None:
    rng = random.Random(7)
    labels = {name: [label for _code, label in zh_labels(choices)] for name, choices in (
        ("business", Retailer.BusinessType), ("trade", Retailer.TradeArea),
        ("status", Retailer.Status), ("channel", Retailer.OrderChannel))}
    side = int(rows ** 0.5) + 1
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for i in range(rows):
        lat = 31.90 + (i // side) * SPACING + rng.uniform(-0.00005, 0.00005)
        lng = 118.60 + (i % side) * SPACING + rng.uniform(-0.00005, 0.00005)
        name = f"{rng.choice(BRANDS)}{rng.choice(KINDS)}（{rng.choice(STREETS)}路{i}号）"
        sheet.write_row(i + 1, 0, [
            f"B{tag}{i:07d}", name, f"3201{i:08d}", rng.choice(labels["business"]),
            rng.choice(labels["trade"]), f"南京市{rng.choice(STREETS)}路{rng.randint(1, 999)}号",
            areas[i % AREAS].code, reps[i % REPS].username, round(lat, 6), round(lng, 6),
            labels["status"][0], round(rng.uniform(0, 50000), 2), rng.choice(labels["channel"]),
            rng.choice(["是", "否"]),
        ])
    workbook.close()


def clear(company) -> None:
    """Empty the company's cards with their history, assignment and key-person rows, in
    SQL (the ORM's delete would write a '-' history row per card, one at a time)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_gone ON COMMIT DROP AS "
                       "SELECT id FROM kehu_retailer WHERE company_id = %s", [company.pk])
        cursor.execute("DELETE FROM kehu_historicalkeyperson WHERE retailer_id IN "
                       "(SELECT id FROM bench_gone)")
        cursor.execute("DELETE FROM kehu_keyperson WHERE retailer_id IN "
                       "(SELECT id FROM bench_gone)")
        cursor.execute("DELETE FROM kehu_retailerassignment WHERE retailer_id IN "
                       "(SELECT id FROM bench_gone)")
        cursor.execute("DELETE FROM kehu_historicalretailer WHERE id IN "
                       "(SELECT id FROM bench_gone)")
        cursor.execute("DELETE FROM kehu_retailer WHERE company_id = %s", [company.pk])
    with connection.cursor() as cursor:
        for table in ("kehu_retailer", "kehu_historicalretailer", "kehu_retailerassignment",
                      "kehu_keyperson", "kehu_historicalkeyperson"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("CHECKPOINT")  # neither side pays for the other's dirty pages
    gc.collect()  # nor for the other's garbage


def run_app(path: Path, admin) -> float:
    settings.KEHU_IMPORT_INLINE_ROWS = 10**9  # inline, in this process
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    start = time.perf_counter()
    with translation.override("zh-hans"):
        batch = imports.import_batch_submit(actor=admin, kind="retailers", upload=upload)
    seconds = time.perf_counter() - start
    batch.file.delete(save=False)  # the stored upload; the batch row goes with its company
    if batch.status != "succeeded":
        raise SystemExit(f"app import refused the file: {batch.errors[:5]}")
    print(f"  app counts: {batch.counts}")
    return seconds


def run_floor(path: Path, company, areas, reps) -> float:
    start = time.perf_counter()
    codes = {}
    for choices in (Retailer.BusinessType, Retailer.TradeArea, Retailer.Status,
                    Retailer.OrderChannel):
        codes.update({label: code for code, label in zh_labels(choices)})
    area_ids = {a.code: a.pk for a in areas}
    rep_ids = {r.username: r.pk for r in reps}
    workbook = CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_index(0).to_python()[1:]
    now = timezone.now()
    columns = ("company_id, code, name, licence_no, business_type, trade_area, address, "
               "area_id, assigned_rep_id, latitude, longitude, status, credit_limit, "
               "order_channel, e_settlement, grade, relationship_level, search_keys, "
               "duplicate_reason, created_at, updated_at")
    with transaction.atomic(), connection.cursor() as cursor, \
            cursor.cursor.copy(f"COPY kehu_retailer ({columns}) FROM STDIN") as copy:
        for (code, name, licence, business, trade, address, area, rep, lat, lng, status,
             credit, channel, e_settlement) in rows:
            copy.write_row((company.pk, code, name, licence, codes[business], codes[trade],
                            address, area_ids[area], rep_ids[rep], lat, lng, codes[status],
                            credit, codes[channel], e_settlement == "是", "", 0, "", "",
                            now, now))
    return time.perf_counter() - start


def run_peer(path: Path, company) -> float | None:
    try:
        import tablib
        from import_export import fields, resources, widgets
    except ImportError:
        print("  peer skipped: pip install -e .[bench] (django-import-export)")
        return None
    from accounts.models import User

    class LabelWidget(widgets.Widget):
        def __init__(self, choices):
            super().__init__()
            self.codes = {label: code for code, label in zh_labels(choices)}

        def clean(self, value, row=None, **kwargs):
            return self.codes[value]

    class YesNoWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return value == "是"

    class RetailerResource(resources.ModelResource):
        code = fields.Field("code", "客户编码")
        name = fields.Field("name", "客户名称")
        licence_no = fields.Field("licence_no", "许可证号")
        business_type = fields.Field("business_type", "业态",
                                     widget=LabelWidget(Retailer.BusinessType))
        trade_area = fields.Field("trade_area", "商圈", widget=LabelWidget(Retailer.TradeArea))
        address = fields.Field("address", "地址")
        area = fields.Field("area", "片区编码", widget=widgets.ForeignKeyWidget(OrgNode, "code"))
        assigned_rep = fields.Field("assigned_rep", "客户经理账号",
                                    widget=widgets.ForeignKeyWidget(User, "username"))
        latitude = fields.Field("latitude", "纬度", widget=widgets.DecimalWidget())
        longitude = fields.Field("longitude", "经度", widget=widgets.DecimalWidget())
        status = fields.Field("status", "状态", widget=LabelWidget(Retailer.Status))
        credit_limit = fields.Field("credit_limit", "信用额度", widget=widgets.DecimalWidget())
        order_channel = fields.Field("order_channel", "订货渠道",
                                     widget=LabelWidget(Retailer.OrderChannel))
        e_settlement = fields.Field("e_settlement", "电子结算", widget=YesNoWidget())

        class Meta:
            model = Retailer
            import_id_fields = ["code"]
            fields = ["code", "name", "licence_no", "business_type", "trade_area", "address",
                      "area", "assigned_rep", "latitude", "longitude", "status",
                      "credit_limit", "order_channel", "e_settlement"]
            use_bulk = True
            batch_size = 2000
            skip_diff = True
            use_transactions = True

        def get_queryset(self):
            return Retailer.objects.filter(company=company)

        def before_save_instance(self, instance, row, **kwargs):
            instance.company = company
            instance.search_keys = search_keys(instance.name)

    start = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    result = RetailerResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - start
    print(f"  peer totals: {dict(result.totals)}")
    return seconds


class Clock:
    """Wall seconds, this process's CPU seconds and the database backend's CPU seconds
    (from /proc when PostgreSQL runs on this machine; None otherwise), including the
    backends of the import's writer threads (whole lifetime, read just before they
    close)."""

    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.tick = os.sysconf("SC_CLK_TCK")
        self.writers = 0.0  # CPU of the import's writer connections (kehu.imports.stream)
        Writer.before_close = self.writer_closing

    def writer_closing(self, writer_connection) -> None:
        if writer_connection.connection is not None:
            pid = writer_connection.connection.info.backend_pid
            self.writers += self.backend_cpu(Path(f"/proc/{pid}/stat")) or 0.0

    def backend_cpu(self, stat: Path | None = None) -> float | None:
        try:
            fields = (stat or self.stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / self.tick  # utime + stime

    def measure(self, run) -> dict:
        load = os.getloadavg()[0]
        cpu, backend, writers = time.process_time(), self.backend_cpu(), self.writers
        wall = run()
        after = self.backend_cpu()
        return {"wall": wall, "py": time.process_time() - cpu, "load": load,
                "pg": None if backend is None or after is None else
                after - backend + self.writers - writers}


def profile_app(path: Path, admin) -> None:
    """cProfile of the app's import, plus the time of each SQL statement it sent."""
    import cProfile
    import pstats

    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - start, " ".join(sql.split())[:400]))

    profiler = cProfile.Profile()
    with connection.execute_wrapper(timed):
        profiler.enable()
        seconds = run_app(path, admin)
        profiler.disable()
    print(f"profiled app: {seconds:.2f} s; SQL statements {sum(t for t, _ in statements):.2f} s "
          f"in {len(statements)} (slowest below, then by kind)")
    for spent, text in sorted(statements, reverse=True)[:8]:
        print(f"  {spent:7.3f} s  {text[:110]}")
    kinds: dict[str, list[float]] = {}
    for spent, text in statements:
        kinds.setdefault(text[:60] + " … " + text.split(" WHERE ")[-1][:60], []).append(spent)
    for text, times in sorted(kinds.items(), key=lambda item: -sum(item[1]))[:10]:
        print(f"  {sum(times):7.3f} s in {len(times):4d}  {text}")
    stats = pstats.Stats(profiler).sort_stats("tottime")
    stats.print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="app and floor, interleaved")
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="only a profiled app run (cProfile + SQL statement times)")
    args = parser.parse_args()
    require_bench_database()
    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:6].upper()
    company, areas, reps, admin = setup_org(tag)
    clock = Clock()
    results: dict[str, list[dict]] = {"floor": [], "app": []}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "retailers.xlsx"
        started = time.perf_counter()
        make_file(path, args.rows, areas, reps, tag)
        print(f"{args.rows} rows × {len(HEADERS)} columns, {path.stat().st_size / 1e6:.1f} MB "
              f"(generated in {time.perf_counter() - started:.1f} s)", flush=True)
        if args.profile:
            clear(company)
            profile_app(path, admin)
            clear(company)
            return
        runs = {"floor": lambda: run_floor(path, company, areas, reps),
                "app": lambda: run_app(path, admin)}
        for round_ in range(args.rounds):
            order = ("floor", "app") if round_ % 2 == 0 else ("app", "floor")
            for name in order:
                clear(company)
                result = clock.measure(runs[name])
                if name == "app":
                    assert Retailer.objects.filter(company=company).count() == args.rows
                results[name].append(result)
                pg = "?" if result["pg"] is None else f"{result['pg']:.2f}"
                print(f"round {round_ + 1} {name:5}: {result['wall']:6.2f} s wall, "
                      f"CPU {result['py']:.2f} s Python + {pg} s PostgreSQL "
                      f"(load {result['load']:.1f})", flush=True)
        clear(company)
        peer = None if args.skip_peer else run_peer(path, company)
        if peer is not None:
            print(f"peer (django-import-export, use_bulk): {peer:.2f} s")
            clear(company)
    summarise(results, peer)


def summarise(results: dict[str, list[dict]], peer: float | None) -> None:
    floor, app = results["floor"], results["app"]
    ratios = [a["wall"] / f["wall"] for a, f in zip(app, floor, strict=True)]
    median = statistics.median
    print(f"floor (calamine + COPY): median {median(r['wall'] for r in floor):.2f} s")
    print(f"app (kehu import service): median {median(r['wall'] for r in app):.2f} s")
    print(f"app/floor per round: {', '.join(f'{r:.2f}' for r in ratios)}; "
          f"median {median(ratios):.2f}  (goal ≤ 2.00)")
    if all(r["pg"] is not None for r in (*floor, *app)):
        cpu = [(a["py"] + a["pg"]) / (f["py"] + f["pg"]) for a, f in zip(app, floor, strict=True)]
        print(f"app/floor in CPU seconds (Python + PostgreSQL backend): "
              f"{', '.join(f'{r:.2f}' for r in cpu)}; median {median(cpu):.2f}")
    print(f"load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if peer is not None:
        print(f"app/peer  = {median(r['wall'] for r in app) / peer:.2f}")


if __name__ == "__main__":
    main()
