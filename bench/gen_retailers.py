"""Make 1,000,000 retailers in PostgreSQL with set-based SQL, for the list benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keqing_bench \\
        .venv/bin/python bench/gen_retailers.py [--retailers 1000000] [--fact-months 12]
                                                [--facts-only]

Migrates first. Builds the company "BENCH" (3 regions × 11 offices × 2 areas = 66 areas,
5 reps per area = 330 reps, ~3,030 retailers each), one office manager per office, one
regional manager per region and an admin, all with the password `bench-pass-2026`.
Shop names come from a pool of 20,000 drawn like the demo's (chains with branches,
老王烟酒店, street + shop…) with their real pinyin search keys, so `q` finds what it
would find in production. Then 12 months of business facts per retailer (the 12 months
before the current one, as the demo's; 12,000,000 `MonthlyFact` rows for 1M retailers):
a Pareto-distributed size per shop scaled by its business type, the demo's seasons,
month-to-month noise, closed shops without purchases in their last months.
`--fact-months 0` skips them; `--facts-only` keeps the retailers and replaces only the
facts. Refuses a database whose name lacks "bench"; a rerun replaces the bench company's
retailers.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_COMPANY,
    BENCH_PASSWORD,
    require_bench_database,
    setup_django,
)

REGIONS = [
    ("苏南大区", ["南京", "苏州", "无锡", "常州", "镇江", "昆山", "江阴", "常熟", "张家港", "溧阳",
                  "宜兴"]),
    ("苏北大区", ["徐州", "南通", "连云港", "淮安", "盐城", "扬州", "泰州", "宿迁", "邳州", "如皋",
                  "高邮"]),
    ("浙北大区", ["杭州", "宁波", "嘉兴", "湖州", "绍兴", "舟山", "余姚", "慈溪", "海宁", "桐乡",
                  "诸暨"]),
]
AREA_NAMES = ("城东片区", "城西片区")
REPS_PER_AREA = 5
NAME_POOL = 20_000
CHUNK = 100_000


def build_org():
    """The bench company's tree through the services, people through bulk inserts."""
    from django.contrib.auth.hashers import make_password

    from accounts import services
    from accounts.models import Membership, OrgNode, Role, User

    company = services.node_create(parent=None, code=BENCH_COMPANY, name="基准测试销售公司",
                                   kind=OrgNode.Kind.COMPANY)
    password = make_password(BENCH_PASSWORD)
    users, seats, areas = [], [], []

    def seat(username: str, name: str, node, role) -> None:
        users.append(User(username=username, name=name, password=password))
        seats.append((username, node, role))

    seat("badmin", "基准管理员", company, Role.ADMIN)
    office_no = rep_no = 0
    for region_no, (region_name, cities) in enumerate(REGIONS, start=1):
        region = services.node_create(parent=company, code=f"B-R{region_no}", name=region_name,
                                      kind=OrgNode.Kind.REGION)
        seat(f"brm{region_no}", f"大区经理{region_no}", region, Role.REGIONAL_MANAGER)
        for city in cities:
            office_no += 1
            office = services.node_create(parent=region, code=f"B-O{office_no:02d}",
                                          name=f"{city}办事处", kind=OrgNode.Kind.OFFICE)
            seat(f"bom{office_no:02d}", f"{city}经理", office, Role.OFFICE_MANAGER)
            for area_name in AREA_NAMES:
                area = services.node_create(parent=office, code=f"B-A{len(areas) + 1:02d}",
                                            name=f"{city}{area_name}", kind=OrgNode.Kind.AREA)
                reps = []
                for _ in range(REPS_PER_AREA):
                    rep_no += 1
                    seat(f"brep{rep_no:03d}", f"代表{rep_no}", area, Role.REP)
                    reps.append(f"brep{rep_no:03d}")
                areas.append((area, reps))
    by_username = {u.username: u for u in User.objects.bulk_create(users)}
    Membership.objects.bulk_create(Membership(user=by_username[username], node=node, role=role)
                                   for username, node, role in seats)
    return company, [(area, [by_username[r] for r in reps]) for area, reps in areas]


def name_pool(size: int) -> list[tuple[int, str, str, str]]:
    """(id, name, business_type, search_keys), drawn like the demo's shop names."""
    from kehu.demo import AREAS, SHOP_KINDS, shop_name
    from kehu.pinyin import search_keys

    rng = random.Random(2026)
    kinds = list(SHOP_KINDS)
    weights = [SHOP_KINDS[k][0] for k in kinds]
    geos = list(AREAS.values())
    pool, seen = [], set()
    while len(pool) < size:
        geo = rng.choice(geos)
        business_type = rng.choices(kinds, weights=weights)[0]
        name, _surname = shop_name(rng, business_type, rng.choice(geo.streets), geo.city)
        if name in seen:
            name = f"{name}{rng.randint(2, 9)}号店"
            if name in seen:
                continue
        seen.add(name)
        pool.append((len(pool) + 1, name, str(business_type), search_keys(name)))
    return pool


INSERT_RETAILERS = """
INSERT INTO kehu_retailer (
    company_id, code, name, licence_no, business_type, trade_area, address, latitude,
    longitude, status, credit_limit, order_channel, e_settlement, grade, relationship_level,
    search_keys, duplicate_reason, created_at, updated_at, area_id, assigned_rep_id)
SELECT %(company)s,
       'B' || lpad(g::text, 8, '0'),
       n.name,
       '32' || lpad(g::text, 10, '0'),
       n.business_type,
       (ARRAY['residential','residential','residential','commercial','commercial','office',
              'school','transport','industrial','rural','other'])[1 + (g * 7) %% 11],
       r.city || '市' || (ARRAY['中山路','人民路','解放路','建设路','新华路','和平路','文化路',
              '胜利路','朝阳路','青年路'])[1 + (g * 13) %% 10] || (1 + g %% 399) || '号',
       round((r.lat + (random() - 0.5) * 0.06)::numeric, 6),
       round((r.lng + (random() - 0.5) * 0.07)::numeric, 6),
       CASE WHEN g %% 50 = 0 THEN 'closed' WHEN g %% 20 = 0 THEN 'suspended' ELSE 'active' END,
       (1000 * (2 + g %% 40))::numeric,
       (ARRAY['phone','online','app','visit'])[1 + g %% 4],
       g %% 10 < 7,
       (ARRAY['A','B','B','C','C'])[1 + (g * 3) %% 5],
       (g * 17) %% 4,
       n.search_keys, '', now(), now(), r.area_id, r.user_id
FROM generate_series(%(first)s, %(last)s) AS g
JOIN bench_rep r ON r.no = 1 + (g - 1) %% %(reps)s
JOIN bench_name n ON n.id = 1 + ((g::bigint * 2654435761) %% %(pool)s)
"""


INSERT_FACTS = """
INSERT INTO kehu_monthlyfact (
    retailer_id, month, purchase_amount, purchase_quantity, collected_amount,
    order_success_rate, e_settlement_rate, imported_at)
SELECT r.id, m.month, f.amount, round(f.amount / r.unit_price), f.collected,
       CASE WHEN f.amount > 0 THEN round((100 - 40 * power(random(), 2.5))::numeric, 2)
            ELSE 0 END,
       CASE WHEN f.amount > 0 AND r.e_settlement THEN round((60 + 40 * random())::numeric, 2)
            ELSE 0 END,
       now()
FROM (SELECT id, e_settlement,
             -- Pareto(1.2) capped at 40, half of the business type's scale (as the demo)
             s.scale * least(power(1 - random(), -1 / 1.2), 40.0) / 2 AS monthly,
             180 + 240 * random() AS unit_price,
             CASE status WHEN 'closed' THEN 1 + floor(random() * 3)::int
                         WHEN 'suspended' THEN 1 ELSE 0 END AS stopped
      FROM kehu_retailer
      JOIN unnest(%(types)s::text[], %(scales)s::float8[]) AS s(business_type, scale)
        USING (business_type)
      WHERE id BETWEEN %(first)s AND %(last)s) AS r
CROSS JOIN unnest(%(months)s::date[], %(seasons)s::float8[]) WITH ORDINALITY
    AS m(month, season, n)
CROSS JOIN LATERAL (
    SELECT round(a::numeric, 2) AS amount,
           round((a * CASE WHEN p < 0.85 THEN 1.0 WHEN p < 0.95 THEN 0.85 + 0.15 * random()
                           ELSE 1.0 + 0.1 * random() END)::numeric, 2) AS collected
    FROM (SELECT CASE WHEN m.n > %(count)s - r.stopped THEN 0.0
                      -- lognormal(0, 0.25) noise by Box-Muller
                      ELSE r.monthly * m.season * exp(0.25 * sqrt(-2 * ln(1 - random()))
                                                      * cos(2 * pi() * random())) END AS a,
                 random() AS p) AS draw) AS f
ORDER BY r.id, m.month
"""


def generate_facts(company, months: int) -> None:
    """`months` facts per retailer of the company, set-based, in retailer order."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kehu.demo import SEASON, SHOP_KINDS
    from kehu.models import MonthlyFact, Retailer
    from kehu.selectors import add_months, month_start

    started = time.monotonic()
    last = add_months(month_start(timezone.localdate()), -1)
    month_list = [add_months(last, offset) for offset in range(-(months - 1), 1)]
    bounds = Retailer.objects.filter(company=company).order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("DELETE FROM kehu_monthlyfact f USING kehu_retailer r "
                       "WHERE f.retailer_id = r.id AND r.company_id = %s", [company.pk])
        # The rows come from kehu_retailer itself: skip the per-row foreign-key triggers
        # (12 million of them would double the time).
        cursor.execute("SET session_replication_role = replica")
        try:
            for first in range(low, high + 1, CHUNK):
                with transaction.atomic():
                    cursor.execute(INSERT_FACTS, {
                        "types": [str(t) for t in SHOP_KINDS],
                        "scales": [float(k[3]) for k in SHOP_KINDS.values()],
                        "months": month_list,
                        "seasons": [SEASON.get(m.month, 1.0) for m in month_list],
                        "count": months, "first": first, "last": first + CHUNK - 1})
                print(f"  facts for retailers up to id {min(first + CHUNK - 1, high):>9,} "
                      f"({time.monotonic() - started:.1f} s)", flush=True)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE kehu_monthlyfact")
    count = MonthlyFact.objects.filter(retailer__company=company).count()
    print(f"facts: {count:,} rows, {month_list[0]:%Y-%m}…{month_list[-1]:%Y-%m} "
          f"({time.monotonic() - started:.1f} s)")


def generate(total: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import Membership, OrgNode, User
    from kehu.models import Retailer

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"database: {require_bench_database()}")
    with transaction.atomic():
        company = OrgNode.objects.filter(code=BENCH_COMPANY).first()
        if company is not None:
            print("replacing the earlier bench company…")
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE kehu_retailer, kehu_historicalretailer CASCADE")
                # bench/gen_visits.py's templates and plans hold the org tree's nodes
                cursor.execute("SELECT to_regclass('visits_visittemplate')")
                if cursor.fetchone()[0] is not None:
                    cursor.execute("TRUNCATE visits_visittemplate, visits_visitplan, "
                                   "visits_dayroute CASCADE")
            bench_nodes = OrgNode.objects.filter(path__startswith=company.path)
            user_ids = list(Membership.objects.filter(node__in=bench_nodes)
                            .values_list("user_id", flat=True))
            Membership.objects.filter(node__in=bench_nodes).delete()
            User.objects.filter(pk__in=user_ids).delete()
            company.delete()  # treebeard deletes the subtree
        company, areas = build_org()
    print(f"org: 66 areas, 330 reps ({time.monotonic() - started:.1f} s)")

    pool = name_pool(NAME_POOL)
    print(f"name pool: {len(pool)} names with pinyin keys ({time.monotonic() - started:.1f} s)")
    # City centres (WGS-84) near enough: every area of a region around its first city.
    centres = [(32.04, 118.78), (33.96, 118.28), (30.27, 120.16)]
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute("DROP TABLE IF EXISTS bench_name, bench_rep")
        cursor.execute("CREATE UNLOGGED TABLE bench_name (id int PRIMARY KEY, name text, "
                       "business_type text, search_keys text)")
        cursor.executemany("INSERT INTO bench_name VALUES (%s, %s, %s, %s)", pool)
        cursor.execute("CREATE UNLOGGED TABLE bench_rep (no int PRIMARY KEY, user_id bigint, "
                       "area_id bigint, city text, lat float8, lng float8)")
        reps = []
        for area_no, (area, users) in enumerate(areas):
            lat, lng = centres[area_no // 22]
            city = area.name[: -4]
            for user in users:
                reps.append((len(reps) + 1, user.pk, area.pk, city,
                             lat + (area_no % 22) * 0.01, lng))
        cursor.executemany("INSERT INTO bench_rep VALUES (%s, %s, %s, %s, %s, %s)", reps)
        for first in range(1, total + 1, CHUNK):
            last = min(first + CHUNK - 1, total)
            with transaction.atomic():
                cursor.execute(INSERT_RETAILERS, {"company": company.pk, "first": first,
                                                  "last": last, "reps": len(reps),
                                                  "pool": len(pool)})
            print(f"  retailers {last:>9,} ({time.monotonic() - started:.1f} s)", flush=True)
        cursor.execute("DROP TABLE bench_name, bench_rep")
        cursor.execute("VACUUM ANALYZE kehu_retailer")
        cursor.execute("ANALYZE accounts_orgnode")
        cursor.execute("ANALYZE accounts_membership")
        cursor.execute("ANALYZE accounts_user")
    count = Retailer.objects.filter(company=company).count()
    print(f"done: {count:,} retailers in {time.monotonic() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--retailers", type=int, default=1_000_000)
    parser.add_argument("--fact-months", type=int, default=12,
                        help="monthly facts per retailer (default 12; 0: none)")
    parser.add_argument("--facts-only", action="store_true",
                        help="keep the retailers, replace only their facts")
    args = parser.parse_args()
    setup_django()
    require_bench_database()
    if not args.facts_only:
        generate(args.retailers)
    if args.fact_months:
        from accounts.models import OrgNode

        generate_facts(OrgNode.objects.get(code=BENCH_COMPANY), args.fact_months)


if __name__ == "__main__":
    main()
