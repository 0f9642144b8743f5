"""Fixtures of the 客情费 tests: a clock to set, receipts in a temporary media folder, and a
rep with two retailers, a product line and a company standard."""

from dataclasses import dataclass
from datetime import date

import pytest

from expenses import workdays
from expenses.models import ExpenseStandard, ProductLine
from kehu.models import Retailer
from tests.expenses import factories as f
from tests.factories import make_retailer


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clock(monkeypatch):
    """clock(date) makes that the business date of every service."""

    def set_today(day: date) -> date:
        monkeypatch.setattr(workdays, "today", lambda: day)
        return day

    return set_today


@dataclass
class Shop:
    line: ProductLine
    standard: ExpenseStandard
    r1: Retailer
    r2: Retailer


@pytest.fixture
def shop(personas) -> Shop:
    """Two retailers of the rep; 卷烟 at 2.00 元 per unit, payable × collection rate."""
    line = f.make_product_line(personas.org.company)
    standard = f.make_standard(personas.org.company, line, personas.finance)
    r1 = make_retailer(personas.org.area, personas.rep, code="R1", name="鼓楼便利店")
    r2 = make_retailer(personas.org.area, personas.rep, code="R2", name="玄武烟酒店")
    return Shop(line, standard, r1, r2)


@pytest.fixture
def english():
    """english(user, …): those users read messages in English (their saved language wins
    over the browser's), so a test can check what a message says."""

    def switch(*users):
        for user in users:
            user.language = "en"
            user.save(update_fields=["language"])

    return switch
