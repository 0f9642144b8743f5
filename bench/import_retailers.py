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
import random
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
from kehu.models import KeyPerson, Retailer, RetailerAssignment  # noqa: E402
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
    retailers = Retailer.objects.filter(company=company)
    with transaction.atomic():
        ids = list(retailers.values_list("pk", flat=True))
        Retailer.history.filter(company_id=company.pk).delete()
        KeyPerson.history.filter(retailer_id__in=ids).delete()
        RetailerAssignment.objects.filter(retailer__company=company).delete()
        retailers.delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE kehu_retailer")


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--skip-peer", action="store_true")
    args = parser.parse_args()
    require_bench_database()
    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:6].upper()
    company, areas, reps, admin = setup_org(tag)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "retailers.xlsx"
        started = time.perf_counter()
        make_file(path, args.rows, areas, reps, tag)
        print(f"{args.rows} rows × {len(HEADERS)} columns, {path.stat().st_size / 1e6:.1f} MB "
              f"(generated in {time.perf_counter() - started:.1f} s)")
        floor = run_floor(path, company, areas, reps)
        print(f"floor (calamine + COPY): {floor:.2f} s")
        clear(company)
        app = run_app(path, admin)
        print(f"app (kehu import service): {app:.2f} s")
        assert Retailer.objects.filter(company=company).count() == args.rows
        clear(company)
        peer = None if args.skip_peer else run_peer(path, company)
        if peer is not None:
            print(f"peer (django-import-export, use_bulk): {peer:.2f} s")
            clear(company)
    print(f"app/floor = {app / floor:.2f}  (goal ≤ 2.00)")
    if peer is not None:
        print(f"app/peer  = {app / peer:.2f}")


if __name__ == "__main__":
    main()
