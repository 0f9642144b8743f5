"""The two file layouts, column by column, as the order system writes them.

Headers are fixed Chinese text (they are the data format, not UI text); choice
columns take the zh-hans labels of the model's choices, or the codes themselves.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.utils import translation

from kehu.imports import cells
from kehu.models import Retailer

# The column the error report adds; ignored when a corrected report is uploaded again.
ERROR_HEADER = "错误说明"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    parse: Callable
    required: bool = False  # the header must be there and every cell filled
    example: object = ""


def normalise_header(value) -> str:
    """Headers compare without spaces and with full-width brackets made half-width."""
    text = cells.as_text(value)
    return "".join(text.split()).replace("（", "(").replace("）", ")").replace("％", "%")


def zh_labels(choices) -> list[tuple[str, str]]:
    """(code, zh-hans label) of a TextChoices class."""
    with translation.override("zh-hans"):
        return [(code, str(label)) for code, label in choices.choices]


def choice_parser(choices) -> Callable:
    """Accept the zh-hans label, the English label or the code, in any case."""
    accepted: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            accepted.update({str(label).lower(): code for code, label in choices.choices})
    accepted.update({code.lower(): code for code in choices.values})
    shown = [label for _code, label in zh_labels(choices)]
    return partial(cells.choice, accepted=accepted, shown=shown)


def _field_length(name: str) -> int:
    return Retailer._meta.get_field(name).max_length


code = partial(cells.text, max_length=_field_length("code"))

FACT_COLUMNS = [
    Column("客户编码", "code", code, required=True, example="R0000001"),
    Column("月份", "month", cells.month, required=True, example="2026-10"),
    Column("采购金额", "purchase_amount", cells.money, required=True, example=12800.5),
    Column("采购数量", "purchase_quantity",
           partial(cells.decimal, places=2, max_digits=12, minimum=0), required=True,
           example=64),
    Column("回款金额", "collected_amount", cells.money, required=True, example=12000),
    Column("订货成功率(%)", "order_success_rate", cells.percent, required=True, example=95.5),
    Column("电子结算率(%)", "e_settlement_rate", cells.percent, required=True, example=80),
]


def coordinate(limit: int):
    return partial(cells.decimal, places=6, max_digits=9, minimum=-limit, maximum=limit,
                   round_extra=True)


def retailer_columns() -> list[Column]:
    """Built per call: choice labels depend on the catalogue, not on import time."""
    return [
        Column("客户编码", "code", code, required=True, example="R0000001"),
        Column("客户名称", "name", partial(cells.text, max_length=_field_length("name")),
               required=True, example="华联超市（鼓楼店）"),
        Column("许可证号", "licence_no", partial(cells.text, max_length=60),
               example="320106100123"),
        Column("业态", "business_type", choice_parser(Retailer.BusinessType), required=True,
               example=Retailer.BusinessType.SUPERMARKET),
        Column("商圈", "trade_area", choice_parser(Retailer.TradeArea),
               example=Retailer.TradeArea.RESIDENTIAL),
        Column("地址", "address", partial(cells.text, max_length=_field_length("address")),
               example="南京市鼓楼区中山北路 100 号"),
        Column("片区编码", "area_code", partial(cells.text, max_length=32), required=True,
               example="ARE00001"),
        Column("客户经理账号", "rep_username", partial(cells.text, max_length=150),
               example="rep_a"),
        Column("纬度", "latitude", coordinate(90), example=32.066),
        Column("经度", "longitude", coordinate(180), example=118.783),
        Column("状态", "status", choice_parser(Retailer.Status), example=Retailer.Status.ACTIVE),
        Column("信用额度", "credit_limit", cells.money, example=5000),
        Column("订货渠道", "order_channel", choice_parser(Retailer.OrderChannel),
               example=Retailer.OrderChannel.PHONE),
        Column("电子结算", "e_settlement", cells.yes_no, example="是"),
        Column("关键人姓名", "person_name", partial(cells.text, max_length=50), example="王老板"),
        Column("关键人电话", "person_phone", cells.as_text, example="13800138000"),
        Column("重复确认原因", "duplicate_reason", partial(cells.text, max_length=500)),
    ]


# Exported: everything a card holds in the import layout; key persons' personal data
# is not exported (it is masked for most roles, see kehu.privacy).
EXPORT_HEADERS = ["客户编码", "客户名称", "许可证号", "业态", "商圈", "地址", "片区编码",
                  "客户经理账号", "纬度", "经度", "状态", "信用额度", "订货渠道", "电子结算",
                  "重复确认原因"]


def columns_for(kind: str) -> list[Column]:
    return FACT_COLUMNS if kind == "facts" else retailer_columns()
