"""Fixtures of the visits tests: photos in a temporary media folder, shops around a
Nanjing street corner, and a rep's graded retailers."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kehu.models import Retailer
from tests.factories import make_retailer

# A street corner in Nanjing (WGS-84) and points at known distances north of it
# (0.001° of latitude ≈ 111 m).
CORNER = (Decimal("32.058000"), Decimal("118.796000"))
NORTH_150M = (Decimal("32.059350"), Decimal("118.796000"))
NORTH_250M = (Decimal("32.060250"), Decimal("118.796000"))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class Shops:
    a: Retailer  # grade A, at the corner
    b: Retailer  # grade B
    c: Retailer  # grade C
    ungraded: Retailer  # no grade yet: treated as C
    other_reps: Retailer  # rep2's, same area


@pytest.fixture
def shops(personas) -> Shops:
    area, rep = personas.org.area, personas.rep
    shops = Shops(
        a=make_retailer(area, rep, name="甲便利店", grade="A", latitude=CORNER[0],
                        longitude=CORNER[1]),
        b=make_retailer(area, rep, name="乙超市", grade="B", latitude=Decimal("32.060000"),
                        longitude=Decimal("118.800000")),
        c=make_retailer(area, rep, name="丙烟酒店", grade="C", latitude=Decimal("32.050000"),
                        longitude=Decimal("118.790000")),
        ungraded=make_retailer(area, rep, name="丁药店", business_type="pharmacy"),
        other_reps=make_retailer(area, personas.rep2, name="戊商店", grade="A"),
    )
    # Established customers: their cards are older than the new-retailer window
    # (前密后疏 is tested on its own in test_new_retailers.py).
    Retailer.objects.filter(pk__in=[s.pk for s in vars(shops).values()]).update(
        created_at=timezone.now() - timedelta(days=400))
    return shops
