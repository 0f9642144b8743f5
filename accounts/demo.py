"""Demo data: one sales company with its org tree and one person per seat.

`python manage.py demo` runs every callable in `STEPS`, in order, inside one transaction,
then prints one login per role. A step takes the `DemoContext` and must be idempotent
(look rows up by a stable key before creating them). Later apps add their demo data by
appending a step, e.g. in `kehu/demo.py`::

    from accounts.demo import STEPS, DemoContext

    def build_retailers(ctx: DemoContext) -> None: ...

    if build_retailers not in STEPS:
        STEPS.append(build_retailers)

`run()` imports every installed app's `demo` module first (`autodiscover_modules`), so
accounts never imports the apps above it. Steps write through the apps' services, or
bulk-insert when thousands of rows would be too slow one by one.

Login scheme (every demo user shares one password, `DEFAULT_PASSWORD` unless overridden):

| role | usernames | placed at |
|---|---|---|
| rep | rep01 … rep40 | five per area, in area order (rep01–rep05: 鼓楼片区) |
| clerk | clerk1 … clerk4 | one per office (1 南京, 2 苏州, 3 杭州, 4 宁波) |
| office manager | om1 … om4 | one per office, same order |
| regional manager | rm1, rm2 | 苏南大区, 浙北大区 |
| finance | finance | the company |
| admin | admin | the company (also Django staff and superuser: /admin/ works) |
"""

import random
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import autodiscover_modules

from accounts import services
from accounts.models import OrgNode, Role, User

DEFAULT_PASSWORD = "keqing-demo-2026"
DEFAULT_URL = "http://127.0.0.1:8000/"
DEFAULT_SEED = 2026

# The org tree: (code, name) per level; codes are ASCII and stable across runs.
COMPANY = ("DEMO", "华东示范卷烟销售公司")
REGIONS = [
    (("DEMO-SN", "苏南大区"), [
        (("DEMO-NJ", "南京办事处"), [("DEMO-NJ-GL", "鼓楼片区"), ("DEMO-NJ-XW", "玄武片区")]),
        (("DEMO-SZ", "苏州办事处"), [("DEMO-SZ-GS", "姑苏片区"), ("DEMO-SZ-WZ", "吴中片区")]),
    ]),
    (("DEMO-ZB", "浙北大区"), [
        (("DEMO-HZ", "杭州办事处"), [("DEMO-HZ-XH", "西湖片区"), ("DEMO-HZ-SC", "上城片区")]),
        (("DEMO-NB", "宁波办事处"), [("DEMO-NB-HS", "海曙片区"), ("DEMO-NB-YZ", "鄞州片区")]),
    ]),
]
REPS_PER_AREA = 5

# What users call each role (DOMAIN.md "People and organisation"), for the login table.
ROLE_LABEL_ZH = {
    Role.REP: "客户经理",
    Role.CLERK: "销售文员",
    Role.OFFICE_MANAGER: "办事处经理",
    Role.REGIONAL_MANAGER: "大区经理",
    Role.FINANCE: "财务",
    Role.ADMIN: "系统管理员",
}

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁"
    "谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁沈"
)
_GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
    "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强",
    "晓东", "海燕", "文静", "国庆", "建国", "春梅", "丹丹", "浩然", "子涵", "雨欣", "俊杰", "思远",
    "佳怡", "宇航", "梦琪", "欣怡", "立新", "红梅", "晓明", "志刚", "玉兰", "凤英", "永强", "秀兰",
    "建平", "伟东", "晨曦", "一鸣", "嘉怡", "子轩", "雅琴", "振华",
]


@dataclass
class DemoContext:
    """What the steps share: the password, a seeded random source, what exists so far."""

    password: str
    seed: int = DEFAULT_SEED
    rng: random.Random = field(init=False)
    nodes: dict[str, OrgNode] = field(default_factory=dict)  # by code
    users: dict[str, User] = field(default_factory=dict)  # by username
    logins: dict[Role, User] = field(default_factory=dict)  # the one printed per role
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    _password_hash: str = field(init=False, repr=False)
    _used_names: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        validate_password(self.password)
        # Hashing is slow on purpose (PBKDF2): hash once, share the hash between demo users.
        self._password_hash = make_password(self.password)

    def person_name(self) -> str:
        """A realistic Chinese full name, unique within this run, fixed by the seed."""
        while True:
            name = self.rng.choice(_SURNAMES) + self.rng.choice(_GIVEN)
            if name not in self._used_names:
                self._used_names.add(name)
                return name

    def phone(self) -> str:
        return self.rng.choice(["139", "138", "137", "136", "135", "158", "188"]) + "".join(
            str(self.rng.randrange(10)) for _ in range(8)
        )

    def node(self, *, parent: OrgNode | None, code: str, name: str, kind: str) -> OrgNode:
        """The node with this code, created under `parent` when missing."""
        node = OrgNode.objects.filter(code=code).first()
        if node is None:
            node = services.node_create(parent=parent, code=code, name=name, kind=kind)
            self.created["nodes"] += 1
        else:
            self.existing["nodes"] += 1
        self.nodes[code] = node
        return node

    def person(
        self, *, username: str, node: OrgNode, role: Role, superuser: bool = False
    ) -> User:
        """The user with this username, holding `role` at `node`, with the demo password."""
        name, phone = self.person_name(), self.phone()  # drawn every run: keeps rng in step
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.user_create(username=username, name=name, phone=phone)
            self.created["users"] += 1
        else:
            self.existing["users"] += 1
        validate_password(self.password, user)
        # user_create would hash once per user (seconds for the whole company): set the
        # shared hash instead. Re-set on every run so `--password` also applies to old rows.
        user.password = self._password_hash
        fields = ["password"]
        if superuser:
            user.is_staff = user.is_superuser = True
            fields += ["is_staff", "is_superuser"]
        user.save(update_fields=fields)
        held = user.memberships.filter(node=node, role=role).exists()
        services.membership_grant(user=user, node=node, role=role)  # idempotent
        (self.existing if held else self.created)["memberships"] += 1
        self.users[username] = user
        self.logins.setdefault(role, user)
        return user


def build_org(ctx: DemoContext) -> None:
    """The company, 2 regions, 4 offices, 8 areas and the people placed in them."""
    company = ctx.node(parent=None, code=COMPANY[0], name=COMPANY[1], kind=OrgNode.Kind.COMPANY)
    rep_no = office_no = 0
    for region_no, ((region_code, region_name), offices) in enumerate(REGIONS, start=1):
        region = ctx.node(
            parent=company, code=region_code, name=region_name, kind=OrgNode.Kind.REGION
        )
        for (office_code, office_name), areas in offices:
            office_no += 1
            office = ctx.node(
                parent=region, code=office_code, name=office_name, kind=OrgNode.Kind.OFFICE
            )
            for area_code, area_name in areas:
                area = ctx.node(
                    parent=office, code=area_code, name=area_name, kind=OrgNode.Kind.AREA
                )
                for _ in range(REPS_PER_AREA):
                    rep_no += 1
                    ctx.person(username=f"rep{rep_no:02d}", node=area, role=Role.REP)
            ctx.person(username=f"clerk{office_no}", node=office, role=Role.CLERK)
            ctx.person(username=f"om{office_no}", node=office, role=Role.OFFICE_MANAGER)
        ctx.person(username=f"rm{region_no}", node=region, role=Role.REGIONAL_MANAGER)
    ctx.person(username="finance", node=company, role=Role.FINANCE)
    ctx.person(username="admin", node=company, role=Role.ADMIN, superuser=True)


# The demo steps, run in order. Later apps append theirs (see the module docstring).
STEPS: list[Callable[[DemoContext], None]] = [build_org]


def run(*, password: str = DEFAULT_PASSWORD, seed: int = DEFAULT_SEED) -> DemoContext:
    """Run every step in one transaction; raises ValidationError for a rejected password."""
    autodiscover_modules("demo")  # each app's demo module appends its step on import
    ctx = DemoContext(password=password, seed=seed)
    with transaction.atomic():
        for step in STEPS:
            step(ctx)
    return ctx


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def login_table(ctx: DemoContext, *, url: str = DEFAULT_URL) -> str:
    """One login per role: role (Chinese / English), username, password, who and where."""
    with translation.override("en"):
        rows = [
            (
                f"{ROLE_LABEL_ZH[role]} / {role.label}",
                user.username,
                ctx.password,
                f"{user.name} · {user.memberships.filter(role=role).first().node.name}",
            )
            for role in Role
            if (user := ctx.logins.get(role))
        ]
    header = ("角色 / role", "用户名 / username", "密码 / password", "姓名 · 所在 / who")
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [f"Keqing demo: {url}", ""]
    for row in [header, *rows]:
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if row is header:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary(ctx: DemoContext) -> str:
    parts = [
        f"{what}: {ctx.created[what]} created, {ctx.existing[what]} already there"
        # The org's three first, then whatever the apps' steps counted (retailers, …).
        for what in dict.fromkeys(["nodes", "users", "memberships", *ctx.created, *ctx.existing])
    ]
    return "Demo data ready (" + "; ".join(parts) + ")."
