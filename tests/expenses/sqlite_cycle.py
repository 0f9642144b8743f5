"""The whole 客情费 monthly cycle against whatever database Django is configured with,
through the API as each person would call it, with Celery as configured (eager without
REDIS_URL). tests/expenses/test_cycle_on_sqlite.py runs it in a fresh process on a freshly
migrated SQLite file — the embedded default — the rest of the suite covers PostgreSQL.

Run: `python manage.py shell -c "from tests.expenses.sqlite_cycle import main; main()"`.
Prints one JSON line with what it saw; any broken expectation raises (non-zero exit).
"""

import io
import json
import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import OrgNode, Role
from expenses import tasks, workdays
from expenses.models import (
    AdvanceAccount,
    AdvanceLimit,
    ClaimLine,
    MonthlyStatement,
    SpotCheckItem,
)
from kehu.models import MonthlyFact
from tests.factories import make_node, make_person, make_retailer

OCT = date(2026, 10, 1)


def on(day: date) -> None:
    workdays.today = lambda: day


def client(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json() if response.get("Content-Type", "").startswith(
        "application/json") else {}


def photo() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "receipt.jpg"
    return buffer


def main() -> None:
    company = make_node(None, OrgNode.Kind.COMPANY, "示范公司")
    office = make_node(make_node(company, OrgNode.Kind.REGION, "苏南大区"),
                       OrgNode.Kind.OFFICE, "南京办事处")
    area = make_node(office, OrgNode.Kind.AREA, "鼓楼片区")
    rep = make_person(area, Role.REP, "cycle_rep", name="张伟")
    make_person(area, Role.REP, "cycle_idle", name="王芳")  # files nothing: voided
    clerk = make_person(office, Role.CLERK, "cycle_clerk", name="赵敏")
    manager = make_person(office, Role.OFFICE_MANAGER, "cycle_manager", name="刘洋")
    finance = make_person(company, Role.FINANCE, "cycle_finance", name="黄丽")
    shop = make_retailer(area, rep, code="C1", name="鼓楼便利店")
    new_shop = make_retailer(area, rep, code="C2", name="新开烟酒店")
    MonthlyFact.objects.create(retailer=shop, month=OCT, purchase_amount=Decimal("10000.00"),
                               purchase_quantity=Decimal("50.00"),
                               collected_amount=Decimal("8000.00"), order_success_rate=90,
                               e_settlement_rate=50)
    rep_api, finance_api = client(rep), client(finance)

    # Finance sets the product line, its standard and a cap of 100 元.
    line = ok(finance_api.post("/api/expenses/product-lines/",
                               {"code": "YC", "name": "卷烟"}, format="json"), 201)
    ok(finance_api.post("/api/expenses/standards/", {
        "node": company.pk, "product_line": line["id"], "basis": "per_unit",
        "rate": "2.0000", "collection_rule": "collection_rate", "valid_from": "2026-01"},
        format="json"), 201)
    ok(finance_api.put("/api/expenses/advance-cap/", {"cap": "100.00"}, format="json"))

    # October: a pre-approval before the contract, then the rep's lines with receipts.
    on(date(2026, 10, 9))
    approval = ok(rep_api.post("/api/expenses/pre-approvals/", {
        "retailer": new_shop.pk, "amount": "300.00", "purpose": "开业陈列",
        "contract_date": "2026-10-15"}, format="json"), 201)
    ok(client(manager).post(f"/api/expenses/pre-approvals/{approval['id']}/approve/"))
    on(date(2026, 10, 20))
    gift = ok(rep_api.post("/api/expenses/claim-lines/", {
        "retailer": shop.pk, "category": "gift", "product_line": line["id"],
        "amount": "120.00", "spent_on": "2026-10-20", "receipt": photo()},
        format="multipart", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())), 201)
    ok(rep_api.post("/api/expenses/claim-lines/", {
        "retailer": new_shop.pk, "category": "new_customer", "pre_approval": approval["id"],
        "amount": "200.00", "spent_on": "2026-10-20", "receipt": photo()},
        format="multipart"), 201)
    steps = ok(rep_api.get(f"/api/expenses/claim-lines/{gift['id']}/payable/"))
    assert steps["payable"] == "80.00", steps  # min(120, 50 × 2.00) × 80 % collected

    # 1 Nov: the monthly beat task generates every rep's October draft (Celery, eager).
    on(date(2026, 11, 2))
    assert tasks.generate_last_month_statements.delay().get() == 1
    drafts = MonthlyStatement.objects.filter(month=OCT, status="draft")
    assert sorted(drafts.values_list("rep__username", flat=True)) == ["cycle_idle",
                                                                     "cycle_rep"]

    # 3 Nov: the rep reviews the month and submits it (a double tap files once).
    on(date(2026, 11, 3))
    preview = ok(rep_api.get("/api/expenses/statements/preview/?month=2026-10"))
    assert preview["totals"]["payable_total"] == "280.00", preview["totals"]
    key = str(uuid.uuid4())
    first = ok(rep_api.post("/api/expenses/statements/", {"month": "2026-10"}, format="json",
                            HTTP_IDEMPOTENCY_KEY=key), 201)
    again = ok(rep_api.post("/api/expenses/statements/", {"month": "2026-10"}, format="json",
                            HTTP_IDEMPOTENCY_KEY=key), 201)
    assert first["id"] == again["id"] and first["status"] == "submitted" and not first["late"]
    url = f"/api/expenses/statements/{first['id']}/"

    # The chain: clerk, manager, finance, each once, in order.
    for user, step, status in [(clerk, "clerk-check", "clerk_checked"),
                               (manager, "manager-approve", "manager_approved"),
                               (finance, "finance-approve", "approved")]:
        assert ok(client(user).post(f"{url}{step}/"))["status"] == status
    assert client(finance).post(f"{url}finance-approve/").status_code == 400  # twice

    # 12 Nov (9th working day): payout as an advance within the cap, spot check, settle.
    on(date(2026, 11, 12))
    over = finance_api.post(f"{url}payout/", {"amount": "280.00"}, format="json")
    assert over.status_code == 400 and "amount" in over.json(), over.content
    entry = ok(finance_api.post(f"{url}payout/", {"amount": "100.00"}, format="json",
                                HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())), 201)
    assert entry["outstanding_after"] == "100.00"
    items = ok(client(manager).get("/api/expenses/spot-check-items/"))["results"]
    assert len(items) == 2, items  # both retailers received 客情费; fewer than 3 to draw
    ok(client(manager).post(f"/api/expenses/spot-check-items/{items[0]['id']}/record/",
                            {"result": "not_confirmed", "note": "店主称未收到"}, format="json"))
    failed = ok(finance_api.get("/api/expenses/spot-check-items/?result=not_confirmed"))
    assert failed["count"] == 1
    account = AdvanceAccount.objects.get(rep=rep)
    ok(finance_api.post(f"/api/expenses/advance-accounts/{account.pk}/settle/",
                        {"amount": "100.00"}, format="json"), 201)
    ok(finance_api.put("/api/expenses/advance-cap/", {"cap": "500.00"}, format="json"))
    rest = ok(finance_api.post(f"{url}payout/", {}, format="json"), 201)  # what is left
    assert rest["amount"] == "180.00" and ok(rep_api.get(url))["status"] == "paid"

    # Excel: the statement with its new-customer summary, and the month's payouts.
    for path in (f"{url}export/", "/api/expenses/advance-entries/export/?month=2026-10"):
        response = finance_api.get(path)
        assert response.status_code == 200 and response.content[:2] == b"PK", path

    # Nightly (eager): the idle rep's October draft missed the review deadline: void.
    assert tasks.void_overdue_statements.delay().get() == 1
    print(json.dumps({
        "vendor": connection.vendor,
        "celery_eager": settings.CELERY_TASK_ALWAYS_EAGER,
        "statuses": dict(MonthlyStatement.objects.values_list("rep__username", "status")),
        "outstanding": str(AdvanceAccount.objects.get(rep=rep).outstanding),
        "cap": str(AdvanceLimit.objects.get(company=company).cap),
        "lines": ClaimLine.objects.filter(rep=rep, statement_id=first["id"]).count(),
        "spot_check_results": sorted(SpotCheckItem.objects.values_list("result", flat=True)),
        "paid_total": str(MonthlyStatement.objects.get(pk=first["id"]).paid_total),
    }, ensure_ascii=False))
