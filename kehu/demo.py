"""Demo retailers: a step of `manage.py demo` (discovered by accounts.demo.run).

~3,000 shops (75 per rep, 5 reps in each of the 8 demo areas) around real streets of
南京, 苏州, 杭州 and 宁波, each with an owner and 0–2 more key persons, 12 months of
business facts ending last month, relationship ticks confirmed by the office manager
for about half of them (levels 0–3), and no grade (grading fills it).

Everything is drawn from one seeded source (derived from `ctx.rng`), so a seed always
gives the same shops. Idempotent by code: a card whose code exists is left alone, with
its persons, facts and ticks. Writes are bulk inserts (the services' per-card checks —
duplicates, rep membership — hold by construction here); cards, key persons and ticks
still get their first history row.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from lunardate import LunarDate
from simple_history.utils import bulk_create_with_history

from accounts.demo import STEPS, DemoContext
from accounts.models import Membership, OrgNode, Role
from kehu.models import (
    KeyPerson,
    MonthlyFact,
    RelationshipCriterion,
    RelationshipTick,
    Retailer,
    RetailerAssignment,
)
from kehu.pinyin import search_keys
from kehu.selectors import add_months, month_start
from kehu.services import level_from_ticks

RETAILERS_PER_REP = 75  # tests lower it
BATCH = 1000
CENT = Decimal("0.01")
MICRO = Decimal("0.000001")


@dataclass(frozen=True)
class AreaGeo:
    city: str
    district: str
    division: str  # administrative division code: the first 6 digits of a licence number
    centre: tuple[float, float]  # the area's sub-centre, WGS-84 (lat, lng)
    streets: tuple[str, ...]
    suburban: bool = False  # has rural markets and industrial parks


# Sub-centres lie 1–5 km from each city's centre (新街口, 观前街, 武林广场, 天一广场).
AREAS = {
    "DEMO-NJ-GL": AreaGeo("南京市", "鼓楼区", "320106", (32.0620, 118.7650), (
        "中山北路", "湖南路", "北京西路", "广州路", "汉中路", "虎踞路", "草场门大街", "模范马路",
        "中央路", "山西路", "宁海路", "云南路", "江东北路", "凤凰西街", "清凉门大街")),
    "DEMO-NJ-XW": AreaGeo("南京市", "玄武区", "320102", (32.0530, 118.8050), (
        "珠江路", "太平北路", "北京东路", "龙蟠路", "玄武大道", "中山东路", "长江路",
        "进香河路", "成贤街", "峨嵋路", "童卫路", "孝陵卫街", "后宰门街", "板仓街")),
    "DEMO-SZ-GS": AreaGeo("苏州市", "姑苏区", "320508", (31.3050, 120.6120), (
        "人民路", "观前街", "干将西路", "十全街", "平江路", "山塘街", "景德路", "凤凰街",
        "临顿路", "养育巷", "石路", "三香路", "东环路", "学士街")),
    "DEMO-SZ-WZ": AreaGeo("苏州市", "吴中区", "320506", (31.2720, 120.6280), (
        "东吴北路", "东吴南路", "宝带西路", "宝带东路", "吴中大道", "吴中东路", "迎春路",
        "苏蠡路", "长蠡路", "石湖西路", "友新路", "越溪大街"), suburban=True),
    "DEMO-HZ-XH": AreaGeo("杭州市", "西湖区", "330106", (30.2800, 120.1300), (
        "文三路", "文二路", "教工路", "天目山路", "古墩路", "学院路", "保俶路", "曙光路",
        "西溪路", "黄姑山路", "万塘路", "文一西路", "益乐路", "丰潭路")),
    "DEMO-HZ-SC": AreaGeo("杭州市", "上城区", "330102", (30.2450, 120.1700), (
        "解放路", "延安路", "中山中路", "南山路", "河坊街", "清泰街", "望江路", "秋涛路",
        "庆春路", "建国南路", "江城路", "凤起东路", "定安路")),
    "DEMO-NB-HS": AreaGeo("宁波市", "海曙区", "330203", (29.8650, 121.5330), (
        "中山西路", "解放南路", "药行街", "开明街", "公园路", "镇明路", "柳汀街", "望京路",
        "机场路", "环城西路", "苍松路", "气象路", "尹江路")),
    "DEMO-NB-YZ": AreaGeo("宁波市", "鄞州区", "330212", (29.8300, 121.5500), (
        "四明中路", "天童南路", "钱湖北路", "兴宁路", "中山东路", "鄞州大道", "嵩江中路",
        "首南中路", "天童北路", "百丈东路", "日丽中路", "宁南北路"), suburban=True),
}

BT, TA, ST = Retailer.BusinessType, Retailer.TradeArea, Retailer.Status
# (weight, chain brands, words an independent shop ends with, monthly purchases in CNY)
SHOP_KINDS = {
    BT.CONVENIENCE: (28, ("苏果便利", "罗森", "全家", "美宜佳", "便利蜂", "好德便利", "快客便利",
                          "十足便利", "喜士多", "易捷便利"),
                     ("便利店", "便利超市", "24小时便利店"), 9000),
    BT.TOBACCO_LIQUOR: (20, (), ("烟酒店", "烟酒商行", "名烟名酒", "烟酒超市", "烟杂店"), 12000),
    BT.GROCERY: (17, (), ("副食店", "小卖部", "百货店", "杂货店", "食品商行", "粮油店"), 5000),
    BT.SUPERMARKET: (11, ("华联超市", "苏果超市", "联华超市", "好又多", "物美超市", "三江购物",
                          "加贝超市", "金润发"), ("超市", "生活超市", "平价超市"), 30000),
    BT.RESTAURANT: (8, ("沙县小吃", "兰州拉面", "南京大排档", "外婆家", "知味观", "朱鸿兴"),
                    ("面馆", "饭店", "小吃店", "酒家", "土菜馆", "快餐"), 3000),
    BT.PHARMACY: (4, ("百姓大药房", "老百姓大药房", "益丰大药房", "国大药房", "海王星辰"),
                  ("大药房", "药店"), 2500),
    BT.BUILDING_MATERIALS: (3, (), ("五金建材", "建材商行", "五金店"), 3500),
    BT.CLINIC: (2, (), ("诊所", "门诊部"), 1500),
    BT.KA: (1, ("大润发", "沃尔玛", "家乐福", "欧尚", "华润万家", "世纪联华", "永辉超市"), (),
            120000),
    BT.OTHER: (6, (), ("报刊亭", "书报亭", "茶室", "棋牌室", "网咖"), 4000),
}
TRADE_AREAS = {TA.RESIDENTIAL: 42, TA.COMMERCIAL: 22, TA.OFFICE: 14, TA.SCHOOL: 9,
               TA.TRANSPORT: 7, TA.INDUSTRIAL: 1, TA.RURAL: 0, TA.OTHER: 5}
SUBURBAN_TRADE_AREAS = {**TRADE_AREAS, TA.OFFICE: 6, TA.INDUSTRIAL: 9, TA.RURAL: 10}
# Chains that only trade in some of the demo cities; the others are national.
REGIONAL_BRANDS = {
    "苏果便利": "南京市苏州市", "苏果超市": "南京市苏州市", "金润发": "南京市",
    "南京大排档": "南京市", "朱鸿兴": "苏州市", "知味观": "杭州市", "三江购物": "宁波市",
    "加贝超市": "宁波市", "十足便利": "杭州市宁波市", "好德便利": "苏州市杭州市宁波市",
    "快客便利": "南京市苏州市杭州市",
}
STATUSES = {ST.ACTIVE: 92, ST.SUSPENDED: 5, ST.CLOSED: 3}
CHANNELS = {Retailer.OrderChannel.PHONE: 35, Retailer.OrderChannel.ONLINE: 30,
            Retailer.OrderChannel.APP: 30, Retailer.OrderChannel.VISIT: 5}
WISHES = ("兴旺", "鸿福", "万家福", "佳佳", "百顺", "恒利", "金鑫", "聚福", "和顺", "好邻居",
          "惠民", "便民", "利民", "永兴", "宏达", "盛源", "福满多", "喜客来", "家和", "天天",
          "顺发", "金福", "红星", "新华", "同乐", "祥和", "万隆", "乐购", "丰收", "春晖")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董"
            "潘袁蔡蒋余杜叶程魏苏吕丁沈任姚卢钟汪陆金")
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "霞", "平", "刚", "秀英", "桂英", "建华", "志强", "晓东", "海燕", "国庆",
         "建国", "春梅", "丹丹", "文华", "玉兰", "凤英", "永强", "秀兰", "建平", "德明", "金凤",
         "小红", "卫东", "红霞", "建军", "美华", "志明", "荣华", "宝根", "阿娣", "雪芬", "根宝",
         "建伟", "慧敏", "雅琴", "振华", "新民", "淑珍", "丽萍", "海军", "爱华", "长春", "彩霞")
FAMILY = ("爱人在{place}上班，儿子读{grade}", "爱人跑运输，女儿读{grade}",
          "夫妻俩一起看店，儿子读{grade}", "老伴帮忙看店，孙子读{grade}",
          "儿子在外地读大学，女儿读{grade}", "单身，父母住在店后面",
          "爱人在{place}上班，双胞胎女儿读{grade}", "离异，一个女儿读{grade}",
          "父亲刚退休，常来店里帮忙")
PLACES = ("社区医院", "小学", "银行", "超市", "街道办", "服装厂", "幼儿园", "快递站")
GRADES = ("幼儿园", "小学二年级", "小学五年级", "初二", "初三", "高一", "高三", "大学")
INTERESTS = ("钓鱼", "象棋", "打麻将", "掼蛋", "喝茶", "爬山", "广场舞", "书法", "看足球", "听越剧",
             "听评弹", "养花", "摄影", "跑步", "乒乓球", "唱歌", "养鸟", "看球赛", "自驾游")
NOTES = ("每周二上午进货，提前一天电话确认", "中午十二点到两点休息，别打扰",
         "喜欢提前电话预约再上门", "对价格敏感，关注促销政策", "店里主要由老板娘打理",
         "晚上生意最好，白天拜访为宜", "愿意配合陈列，要求给足宣传物料",
         "关心新品，常问市场反馈", "")
EVIDENCE = ("已送宣传资料和公司介绍", "有老板和店员的联系方式", "连续拜访三次均热情接待",
            "老板主动叫出我们的名字", "能说清主推品牌的卖点", "单独约见老板面谈过",
            "主动告知周边竞品动态", "随时可约见", "办事处经理已陪同拜访", "一起商量门店升级方案",
            "告知竞品给的政策", "同等条件下优先进我们的货", "介绍了两家新客户", "参加了新品品鉴会")
REJECT_NOTES = ("证据不足，请补充照片", "只拜访过两次，请再跟进", "与上月记录矛盾，请核实")
MOBILE_PREFIXES = ("139", "138", "137", "136", "135", "158", "159", "188", "187", "186",
                   "182", "150", "151", "152", "133", "153", "180", "189", "177", "199")
SEASON = {1: 1.5, 2: 1.3, 6: 0.9, 7: 0.9, 9: 1.15, 10: 1.1, 12: 1.1}  # 春节, 中秋, 国庆


def retailer_code(area: OrgNode, number: int) -> str:
    return f"{area.code}-{number:04d}"


def _pick(rng: random.Random, weighted: dict):
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def _mobile(rng: random.Random, serial: int) -> str:
    # 7919 is odd and not a multiple of 5, so k -> k*7919 mod 10^8 is a bijection: distinct
    # serials give distinct numbers that still look random.
    return rng.choice(MOBILE_PREFIXES) + f"{(serial * 7919 + 1_234_567) % 10**8:08d}"


def shop_name(rng: random.Random, business_type: str, street: str,
              city: str) -> tuple[str, str | None]:
    """A plausible shop name (a chain's branch, 老王烟酒店, 湖南路惠民超市…) and the
    owner's surname when the name says it."""
    _weight, brands, words, _scale = SHOP_KINDS[business_type]
    brands = [b for b in brands if city in REGIONAL_BRANDS.get(b, city)]
    if brands and (not words or rng.random() < 0.45):
        return f"{rng.choice(brands)}（{street}店）", None
    style, surname = rng.random(), None
    if style < 0.35:
        surname = rng.choice(SURNAMES)
        prefix = rng.choice(("老{}", "{}记", "{}氏", "小{}", "{}家")).format(surname)
    elif style < 0.8:
        prefix = rng.choice(WISHES)
    else:
        prefix = street + rng.choice(("", rng.choice(WISHES)))
    return prefix + rng.choice(words), surname


@dataclass
class Plan:
    """What one area's cards will be, before anything is written."""

    retailers: list[Retailer] = field(default_factory=list)
    persons: dict[str, list[KeyPerson]] = field(default_factory=dict)  # by retailer code
    facts: dict[str, list[tuple]] = field(default_factory=dict)  # FACT_COLUMNS
    ticks: dict[str, list[RelationshipTick]] = field(default_factory=dict)


class AreaBuilder:
    """Draws one area's retailers from its own seeded source."""

    def __init__(self, *, seed: int, area: OrgNode, geo: AreaGeo, area_no: int, reps: list,
                 manager, criteria: dict[int, list[RelationshipCriterion]], months: list[date]):
        self.rng = random.Random(f"{seed}:{area.code}")
        self.area, self.geo, self.area_no = area, geo, area_no
        self.reps, self.manager, self.criteria, self.months = reps, manager, criteria, months
        self.company_id = area.company().pk
        self.names: set[str] = set()
        self.person_serial = area_no * 100_000
        self.levels: dict[frozenset, int] = {}

    def plan(self, count: int) -> Plan:
        plan = Plan()
        for number in range(1, count + 1):
            retailer = self.retailer(number, self.reps[(number - 1) % len(self.reps)])
            plan.retailers.append(retailer)
            plan.persons[retailer.code] = self.key_persons(retailer)
            plan.facts[retailer.code] = self.facts(retailer)
            plan.ticks[retailer.code] = self.ticks(retailer)
        return plan

    def shop_name(self, business_type: str, street: str) -> tuple[str, str | None]:
        """A name no other shop of the area has, and the owner's surname if it says it."""
        for _attempt in range(50):
            name, surname = shop_name(self.rng, business_type, street, self.geo.city)
            if name not in self.names:
                break
        else:
            name = f"{name}{len(self.names)}号店"
        self.names.add(name)
        return name, surname

    def coordinates(self) -> tuple[Decimal, Decimal]:
        """Scattered around the area's sub-centre: sigma 1.2 km, at most 3 km away."""
        lat0, lng0 = self.geo.centre
        north = max(-3.0, min(3.0, self.rng.gauss(0, 1.2)))
        east = max(-3.0, min(3.0, self.rng.gauss(0, 1.2)))
        lat = lat0 + north / 111.0
        lng = lng0 + east / (111.0 * 0.866)  # cos(30°): close enough for 29.8–32.1°N
        return Decimal(lat).quantize(MICRO), Decimal(lng).quantize(MICRO)

    def retailer(self, number: int, rep) -> Retailer:
        rng, geo = self.rng, self.geo
        business_type = _pick(rng, {bt: kind[0] for bt, kind in SHOP_KINDS.items()})
        street = rng.choice(geo.streets)
        name, surname = self.shop_name(business_type, street)
        lat, lng = self.coordinates()
        scale = SHOP_KINDS[business_type][3]
        credit = Decimal(int(scale * rng.uniform(0.5, 2.5) / 1000) * 1000)
        house = rng.randint(1, 399)
        unit = rng.choice(("", "", "", f"-{rng.randint(1, 12)}", "1楼", "门面"))
        e_settlement = rng.random() < 0.7
        retailer = Retailer(
            company_id=self.company_id, area=self.area, assigned_rep=rep,
            code=retailer_code(self.area, number), name=name,
            licence_no=f"{geo.division}{(number * 7919 + 104_729) % 10**6:06d}",
            business_type=business_type,
            trade_area=_pick(rng, SUBURBAN_TRADE_AREAS if geo.suburban else TRADE_AREAS),
            address=f"{geo.city}{geo.district}{street}{house}号{unit}",
            latitude=lat, longitude=lng, status=_pick(rng, STATUSES), credit_limit=credit,
            order_channel=_pick(rng, CHANNELS), e_settlement=e_settlement,
            search_keys=search_keys(name),
        )
        # What the other draws need but the card does not store.
        retailer._demo = {"surname": surname, "scale": scale}
        return retailer

    def person_name(self, surname: str | None = None) -> str:
        return (surname or self.rng.choice(SURNAMES)) + self.rng.choice(GIVEN)

    def person(self, retailer: Retailer, role: str, surname: str | None = None) -> KeyPerson:
        rng = self.rng
        self.person_serial += 1
        person = KeyPerson(retailer=retailer, role=role, name=self.person_name(surname),
                           phone=_mobile(rng, self.person_serial))
        if rng.random() < 0.85:
            birthday = date(rng.randint(1960, 1998), 1, 1) + timedelta(days=rng.randint(0, 364))
            person.birthday = birthday
            if rng.random() < 0.3:
                lunar = LunarDate.from_solar_date(birthday.year, birthday.month, birthday.day)
                person.birthday_is_lunar = True
                person.lunar_month, person.lunar_day = lunar.month, lunar.day
                person.lunar_leap_month = bool(lunar.is_leap_month)
        if role == KeyPerson.PersonRole.OWNER or rng.random() < 0.4:
            person.family = rng.choice(FAMILY).format(place=rng.choice(PLACES),
                                                      grade=rng.choice(GRADES))
            person.interests = "、".join(rng.sample(INTERESTS, rng.randint(1, 3)))
            person.notes = rng.choice(NOTES)
        return person

    def key_persons(self, retailer: Retailer) -> list[KeyPerson]:
        """The owner always; bigger shops have a purchaser, store manager or finance."""
        rng = self.rng
        persons = [self.person(retailer, KeyPerson.PersonRole.OWNER,
                               retailer._demo["surname"])]
        big = retailer.business_type in (BT.SUPERMARKET, BT.KA, BT.PHARMACY)
        extra = rng.choices((0, 1, 2), weights=(2, 5, 4) if big else (6, 3, 1))[0]
        roles = [KeyPerson.PersonRole.PURCHASER, KeyPerson.PersonRole.STORE_MANAGER,
                 KeyPerson.PersonRole.FINANCE]
        persons += [self.person(retailer, role) for role in rng.sample(roles, extra)]
        return persons

    def facts(self, retailer: Retailer) -> list[tuple]:
        """12 rows of FACT_COLUMNS; a Pareto-distributed size so a few shops make most of
        the value."""
        rng = self.rng
        monthly = retailer._demo["scale"] * min(rng.paretovariate(1.2), 40.0) / 2
        unit_price = rng.uniform(180, 420)  # CNY per carton, depends on the shop's mix
        stopped = {ST.CLOSED: rng.randint(1, 3), ST.SUSPENDED: 1}.get(retailer.status, 0)
        rows = []
        for index, month in enumerate(self.months):
            amount = monthly * SEASON.get(month.month, 1.0) * rng.lognormvariate(0, 0.25)
            if index >= len(self.months) - stopped:
                amount = 0.0
            draw = rng.random()
            paid = 1.0 if draw < 0.85 else rng.uniform(0.85, 1.0) if draw < 0.95 else \
                rng.uniform(1.0, 1.1)  # an old balance settled this month
            purchase = Decimal(amount).quantize(CENT)
            rows.append((
                month, purchase, Decimal(round(amount / unit_price)),
                Decimal(amount * paid).quantize(CENT),
                Decimal(100 - 40 * rng.betavariate(1.5, 4)).quantize(CENT)
                if amount else Decimal(0),
                Decimal(rng.uniform(60, 100)).quantize(CENT)
                if amount and retailer.e_settlement else Decimal(0),
            ))
        return rows

    def ticks(self, retailer: Retailer) -> list[RelationshipTick]:
        """Levels 1..L all confirmed, part of level L+1 ticked (some still pending or
        rejected); `relationship_level` is what `level_from_ticks` makes of them."""
        rng = self.rng
        target = rng.choices((None, 0, 1, 2, 3), weights=(40, 15, 22, 15, 8))[0]
        ticks = []
        if target is not None:
            now = timezone.now()
            for level in range(1, target + 1):
                ticks += [self.tick(retailer, c, RelationshipTick.Status.CONFIRMED, now)
                          for c in self.criteria[level]]
            following = self.criteria[target + 1]
            for criterion in rng.sample(following, rng.randint(1, len(following) - 1)):
                status = _pick(rng, {RelationshipTick.Status.CONFIRMED: 5,
                                     RelationshipTick.Status.PENDING: 4,
                                     RelationshipTick.Status.REJECTED: 1})
                ticks.append(self.tick(retailer, criterion, status, now))
        confirmed = frozenset(t.criterion_id for t in ticks
                              if t.status == RelationshipTick.Status.CONFIRMED)
        if confirmed not in self.levels:
            self.levels[confirmed] = level_from_ticks(set(confirmed))
        retailer.relationship_level = self.levels[confirmed]
        return ticks

    def tick(self, retailer, criterion, status, now) -> RelationshipTick:
        tick = RelationshipTick(retailer=retailer, criterion=criterion, status=status,
                                evidence=self.rng.choice(EVIDENCE),
                                ticked_by=retailer.assigned_rep)
        if status != RelationshipTick.Status.PENDING:
            tick.reviewed_by, tick.reviewed_at = self.manager, now
        if status == RelationshipTick.Status.REJECTED:
            tick.review_note = self.rng.choice(REJECT_NOTES)
        return tick


def _area_people(area: OrgNode) -> tuple[list, object]:
    """The area's reps (by username) and its office's manager."""
    reps = [m.user for m in Membership.objects.filter(node=area, role=Role.REP)
            .select_related("user").order_by("user__username")]
    office = OrgNode.objects.get_parent(area)
    manager = Membership.objects.filter(node=office, role=Role.OFFICE_MANAGER) \
        .select_related("user").order_by("user__username").first()
    return reps, manager.user if manager else None


def last_twelve_months(today: date) -> list[date]:
    """The 12 business months ending with the one before `today`'s."""
    last = add_months(month_start(today), -1)
    return [add_months(last, offset) for offset in range(-11, 1)]


FACT_COLUMNS = ("month", "purchase_amount", "purchase_quantity", "collected_amount",
                "order_success_rate", "e_settlement_rate")


def _insert_facts(rows: list[tuple]) -> list:
    """Insert (retailer_id, *FACT_COLUMNS) rows with one executemany: as ORM objects the
    36,000 facts would cost more time than the rest of the demo together."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    columns = ("retailer_id", *FACT_COLUMNS, "imported_at")
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(MonthlyFact._meta.db_table),
        ", ".join(ops.quote_name(MonthlyFact._meta.get_field(c).column) for c in columns),
        ", ".join(["%s"] * len(columns)))
    params = [(pk, ops.adapt_datefield_value(month), *values, now)
              for pk, month, *values in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return params


def _write(plan: Plan, created: Counter) -> None:
    retailers = bulk_create_with_history(plan.retailers, Retailer, batch_size=BATCH,
                                         default_change_reason="demo")
    by_code = {r.code: r for r in retailers}

    def rows(part: dict) -> list:
        out = []
        for code, items in part.items():
            for item in items:
                item.retailer = by_code[code]
                out.append(item)
        return out

    persons, ticks = rows(plan.persons), rows(plan.ticks)
    bulk_create_with_history(persons, KeyPerson, batch_size=BATCH, default_change_reason="demo")
    facts = _insert_facts([(by_code[code].pk, *fact) for code, facts in plan.facts.items()
                           for fact in facts])
    bulk_create_with_history(ticks, RelationshipTick, batch_size=BATCH,
                             default_change_reason="demo")
    RetailerAssignment.objects.bulk_create(
        [RetailerAssignment(retailer=r, to_rep=r.assigned_rep, by=r.assigned_rep,
                            reason=_("created")) for r in retailers], batch_size=BATCH)
    created.update(retailers=len(retailers), key_persons=len(persons), facts=len(facts),
                   ticks=len(ticks))


def build_retailers(ctx: DemoContext) -> None:
    """~75 retailers per demo rep with key persons, facts and relationship ticks."""
    seed = ctx.rng.getrandbits(64)  # one draw per run, so later steps stay in step
    criteria: dict[int, list[RelationshipCriterion]] = {}
    for criterion in RelationshipCriterion.objects.order_by("level", "position"):
        criteria.setdefault(criterion.level, []).append(criterion)
    months = last_twelve_months(timezone.localdate())
    for area_no, (code, geo) in enumerate(AREAS.items(), start=1):
        area = ctx.nodes.get(code) or OrgNode.objects.filter(code=code).first()
        if area is None:
            continue
        reps, manager = _area_people(area)
        if not reps:
            continue
        count = RETAILERS_PER_REP * len(reps)
        existing = set(Retailer.objects.filter(
            company=area.company(),
            code__in=[retailer_code(area, n) for n in range(1, count + 1)],
        ).values_list("code", flat=True))
        ctx.existing["retailers"] += len(existing)
        if len(existing) == count:
            continue  # the usual second run: nothing to draw
        builder = AreaBuilder(seed=seed, area=area, geo=geo, area_no=area_no, reps=reps,
                              manager=manager, criteria=criteria, months=months)
        plan = builder.plan(count)
        if existing:
            plan.retailers = [r for r in plan.retailers if r.code not in existing]
            for part in (plan.persons, plan.facts, plan.ticks):
                for code in existing:
                    part.pop(code)
        if plan.retailers:
            _write(plan, ctx.created)


def _register() -> None:
    # autodiscover may import this module more than once (e.g. after a reload).
    if not any(getattr(step, "__qualname__", "") == build_retailers.__qualname__
               and step.__module__ == __name__ for step in STEPS):
        STEPS.append(build_retailers)


_register()
