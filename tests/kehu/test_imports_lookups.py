"""Looking up many values in one query (kehu.imports.lookups.filtered_in)."""

import pytest

from kehu.imports.lookups import SEPARATOR, filtered_in
from kehu.models import Retailer
from tests.factories import make_retailer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("codes", [
    pytest.param({"A1", "A2", "NONE"}, id="joined"),
    pytest.param({"A1", "A2", f"X{SEPARATOR}Y"}, id="a value with the separator: array"),
    pytest.param({"A1", "A2", ""}, id="an empty value: array"),
])
def test_every_value_is_looked_up_and_only_those(personas, codes):
    for code in ("A1", "A2", "A3", f"X{SEPARATOR}Y", ""):
        make_retailer(personas.org.area, code=code)

    found = set()
    for queryset in filtered_in(Retailer.objects.all(), "code", codes):
        found.update(queryset.values_list("code", flat=True))

    assert found == codes - {"NONE"}
