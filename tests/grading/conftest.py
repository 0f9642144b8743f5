import pytest

from grading import services
from tests.grading.factories import DAY


@pytest.fixture(autouse=True)
def business_day(monkeypatch):
    """Every grading service sees DAY as today unless a test moves the clock."""
    current = {"day": DAY}
    monkeypatch.setattr(services, "today", lambda: current["day"])

    def move(day):
        current["day"] = day
        return day

    return move
