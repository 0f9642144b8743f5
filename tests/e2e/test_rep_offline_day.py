"""A rep's day on a phone without signal: the rep opens today's route online (the service
worker stores the app shell, today's data and every stop's pages), loses the signal,
opens a stop's preparation and the visit form from the worker's copies, checks in with
GPS, walks the template's steps, takes a photo (shrunk in the browser), raises a problem
and checks out. Nothing reaches the server while offline. Back online the outbox sends
everything, and the server holds exactly one visit, one photo and one problem, although
every request was sent twice (the first answer of each is lost on the way back) and the
rep presses "send now" twice more afterwards.

Honesty about "offline": Playwright's context.set_offline() is not always applied to
fetches a service worker makes itself. This test does not rely on it alone:
- the pages and data opened offline must carry the worker's "offline copy" stamp, which
  it adds only when its own network fetch failed (so the worker really was offline);
- a context route answers every request that reaches the network while "offline" with a
  connection failure and records it (in Chromium 156 / Playwright 1.65 it does see the
  worker's fetches, and set_offline alone also cuts them: both were checked); only reads
  may try, never a write;
- the server's tables are checked to be empty before going back online.
"""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import ExifTags, Image
from playwright.sync_api import Page, expect

from accounts.models import IdempotencyRecord
from kehu.models import MonthlyFact
from kehu.selectors import add_months
from tests.e2e.conftest import PHONE, TIMEOUT_MS, login, screenshot, watch
from tests.factories import make_retailer
from tests.visits.factories import make_plan, make_problem, make_template, make_visit
from visits.models import DayRoute, MissedVisit, Photo, Problem, Visit

NEAR_SHOP = {"latitude": 32.058050, "longitude": 118.796040, "accuracy": 12}
OSM_TILES = re.compile(r"^https://([a-z]\.)?tile\.openstreetmap\.org/")
WRITE_APIS = re.compile(r"/api/visits/(visits|photos|problems|missed)/")
STEPS = [
    {"key": "talk", "kind": "communication", "title": "沟通"},
    {"key": "price", "kind": "price_check", "title": "价格维护",
     "products": [{"code": "P01", "name": "红塔山(软)", "guide_price": "10.00"}]},
    {"key": "display", "kind": "display", "title": "陈列检查"},
    {"key": "check", "kind": "questions", "title": "店面检查",
     "questions": [{"key": "licence_shown", "label": "烟草专卖许可证已悬挂", "type": "yes_no",
                    "required": True}]},
    {"key": "problems", "kind": "problems", "title": "问题"},
]


CAPTURED = "2026:11:20 09:15:00"  # the camera's EXIF DateTimeOriginal, phone's local time


def camera_photo() -> bytes:
    """A 3200x2400 'camera' JPEG (noisy, so it does not compress to nothing) with the
    capture time in its EXIF, as a phone camera writes it."""
    noise = Image.effect_noise((3200, 2400), 64).convert("RGB")
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[0x9003] = CAPTURED
    buffer = io.BytesIO()
    noise.save(buffer, format="JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def without_lost_answers(problems: list[str]) -> list[str]:
    """The answers this test drops on purpose show up as console errors; nothing else may."""
    return [p for p in problems
            if not ("ERR_CONNECTION_RESET" in p and WRITE_APIS.search(p))]


def phone(new_context) -> Page:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
                          timezone_id="Asia/Shanghai", geolocation=NEAR_SHOP,
                          permissions=["geolocation"], service_workers="allow")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


def test_rep_logs_a_visit_offline_and_the_server_gets_it_exactly_once(
        live_server, personas, new_context):
    today = timezone.localdate()
    area, rep = personas.org.area, personas.rep
    shop = make_retailer(area, rep, name="甲便利店", latitude="32.058000",
                         longitude="118.796000", grade="A")
    second = make_retailer(area, rep, name="乙超市", latitude="32.060000",
                           longitude="118.800000", grade="B")
    make_template(area.company(), personas.regional_manager, business_type="convenience",
                  steps=STEPS)
    make_plan(rep, area, date(today.year, today.month, 1),
              stops=[(today, shop), (today, second)])
    # What the preparation view shows: the last visit, an open problem, last month's facts.
    earlier = make_visit(rep, shop, today - timedelta(days=7),
                         communication_notes="上次谈了陈列")
    old_problem = make_problem(shop, rep, due=today + timedelta(days=3))
    MonthlyFact.objects.create(
        retailer=shop, month=add_months(date(today.year, today.month, 1), -1),
        purchase_amount=Decimal("12345.60"), purchase_quantity=Decimal("300"),
        collected_amount=Decimal("12000.00"), order_success_rate=Decimal("95.00"),
        e_settlement_rate=Decimal("80.00"))

    page = phone(new_context)
    context = page.context
    problems = watch(page)
    context.route(OSM_TILES, lambda route: route.fulfill(status=200, content_type="image/png",
                                                         body=b""))
    login(page, live_server, rep.username)

    # Online: today's route, and the phone gets ready to work without signal.
    page.goto(f"{live_server.url}/visits/today/")
    stops = page.get_by_test_id("stop")
    expect(stops).to_have_count(2)
    expect(stops.first.get_by_test_id("stop-name")).to_have_text("甲便利店")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    screenshot(page, "visits-today-route-phone")

    # The signal goes.
    reached_network: list[str] = []

    def no_network(route):
        reached_network.append(f"{route.request.method} {route.request.url}")
        route.abort("internetdisconnected")

    context.route(re.compile(rf"^{re.escape(live_server.url)}/"), no_network)
    context.set_offline(True)
    expect(page.get_by_test_id("net-state")).to_have_class(re.compile(r"\boffline\b"))

    stops.first.get_by_test_id("stop-link").click()
    expect(page.get_by_test_id("prepare-name")).to_have_text("甲便利店")
    expect(page.get_by_test_id("offline-copy")).to_be_visible()
    expect(page.get_by_test_id("prep-objective")).to_be_visible()
    expect(page.get_by_test_id("last-visit-date")).to_have_text(earlier.visit_date.isoformat())
    expect(page.get_by_test_id("prep-problem")).to_have_count(1)
    expect(page.get_by_test_id("prep-fact")).to_contain_text("12345.60")
    screenshot(page, "visits-prepare-offline-phone")

    page.get_by_test_id("start-visit").click()
    expect(page.get_by_test_id("visit-page")).to_have_attribute("data-phase", "before")
    page.get_by_test_id("check-in").click()
    expect(page.get_by_test_id("visit-page")).to_have_attribute("data-phase", "on_site")
    expect(page.get_by_test_id("gps-text")).to_contain_text("12")

    steps = page.get_by_test_id("step")
    expect(steps).to_have_count(5)
    page.get_by_test_id("note-communication").fill("老板说下周进新品")
    page.get_by_test_id("observed-price").first.fill("10.50")
    page.get_by_test_id("answer-yes").check()
    original = camera_photo()
    page.get_by_test_id("photo-input").set_input_files(
        {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": original})
    expect(page.get_by_test_id("photo-item")).to_have_count(1)
    page.get_by_test_id("problem-category").select_option("price_disorder")
    page.get_by_test_id("problem-description").fill("隔壁店低价销售")
    page.get_by_test_id("add-problem").click()
    expect(page.get_by_test_id("problem-item")).to_have_count(1)
    page.get_by_test_id("check-out").click()
    expect(page.get_by_test_id("visit-done")).to_be_visible()

    panel = page.get_by_test_id("queue-panel")
    expect(panel).to_have_attribute("data-waiting", "4")
    screenshot(page, "visits-offline-queue-phone")
    # Only the worker's page and data reads tried the network (and were cut); no write did.
    assert reached_network and all(r.startswith("GET ") for r in reached_network), reached_network
    new_visits = Visit.objects.exclude(pk=earlier.pk)
    new_problems = Problem.objects.exclude(pk=old_problem.pk)
    assert new_visits.count() == Photo.objects.count() == new_problems.count() == 0

    # Back online; the first answer to every write is lost on its way back to the phone.
    context.unroute(re.compile(rf"^{re.escape(live_server.url)}/"))
    answered: set[str] = set()
    sent: list[str] = []

    def lose_first_answer(route):
        request = route.request
        if request.method != "POST":
            route.continue_()
            return
        key = request.headers.get("idempotency-key", "")
        sent.append(f"{request.url} {key}")
        response = route.fetch()  # the server does the work…
        if key in answered:
            route.fulfill(response=response)
        else:
            answered.add(key)
            route.abort("connectionreset")  # …and the phone never hears back

    context.route(WRITE_APIS, lose_first_answer)
    context.set_offline(False)
    page.get_by_test_id("queue-toggle").click()
    for _attempt in range(8):
        if panel.get_attribute("data-waiting") == "0":
            break
        page.get_by_test_id("sync-now").click()
        expect(page.get_by_test_id("sync-now")).to_be_enabled()
    expect(panel).to_have_attribute("data-waiting", "0")
    expect(panel).to_have_attribute("data-sent", "4")
    expect(panel).to_have_attribute("data-refused", "0")

    # Two more presses of "send now": nothing left to send, nothing new on the server.
    page.get_by_test_id("sync-now").click()
    page.get_by_test_id("sync-now").click()
    expect(page.get_by_test_id("sync-now")).to_be_enabled()

    assert len(sent) == 8, sent  # each of the 4 writes went twice
    assert len({s.split(" ")[1] for s in sent}) == 4
    visit = new_visits.get()
    assert visit.retailer == shop and visit.rep == rep
    assert visit.status == Visit.Status.COMPLETED
    assert visit.kind == Visit.Kind.ON_SITE
    assert not visit.gps_missing and not visit.far_from_store
    assert visit.checkin_distance_m is not None and visit.checkin_distance_m < 50
    assert visit.answers == {"licence_shown": True}
    assert visit.communication_notes == "老板说下周进新品"
    check = visit.price_checks.get()
    assert (str(check.observed_price), str(check.guide_price), check.compliant) == (
        "10.50", "10.00", False)
    # Logged offline, received later: the phone's moment is kept, and the server's.
    assert visit.device_started_at < visit.received_at
    photo = Photo.objects.get()
    assert photo.visit == visit
    assert max(photo.width, photo.height) == 1600  # shrunk in the browser (server keeps 2048)
    assert photo.original_type == "image/jpeg" and photo.original_size < len(original) / 3
    # The canvas dropped the EXIF; the phone read the capture time from it first.
    assert photo.taken_at_source == Photo.TakenAtSource.DEVICE
    assert timezone.localtime(photo.taken_at).strftime("%Y:%m:%d %H:%M:%S") == CAPTURED
    problem = new_problems.get()
    assert (problem.visit, problem.category, problem.description) == (
        visit, "price_disorder", "隔壁店低价销售")
    assert IdempotencyRecord.objects.filter(user=rep).count() == 4
    screenshot(page, "visits-synced-queue-phone")
    assert without_lost_answers(problems.all()) == [], problems.all()


def open_stop_visit(page: Page, live_server, shop, kind: str = "") -> None:
    suffix = f"?kind={kind}" if kind else ""
    page.goto(f"{live_server.url}/visits/today/{shop.pk}/visit/{suffix}")
    expect(page.get_by_test_id("visit-page")).to_have_attribute("data-phase", "before")


def wait_until_sent(page: Page) -> None:
    expect(page.get_by_test_id("queue-panel")).to_have_attribute("data-waiting", "0")


def test_rep_day_online_reorder_missed_reason_no_gps_phone_call_and_a_refusal(
        live_server, personas, new_context):
    """Online: reorder and optimise the route, give a reason for a shop not visited, check
    in without location permission (logged and flagged), see the server's reason when it
    refuses a check-in and send it again once the cause is fixed, and log a phone visit
    (no position asked) while an on-site visit is open."""
    today = timezone.localdate()
    area, rep = personas.org.area, personas.rep
    a = make_retailer(area, rep, name="甲便利店", latitude="32.058000", longitude="118.796000")
    b = make_retailer(area, rep, name="乙超市", latitude="32.060000", longitude="118.800000")
    c = make_retailer(area, rep, name="丙烟酒店", latitude="32.050000", longitude="118.790000")
    make_plan(rep, area, date(today.year, today.month, 1),
              stops=[(today, a), (today, b), (today, c)])
    # No geolocation permission on this phone.
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
                          service_workers="allow")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = watch(page)
    context.route(OSM_TILES, lambda route: route.fulfill(status=200, content_type="image/png",
                                                         body=b""))
    login(page, live_server, rep.username)
    page.goto(f"{live_server.url}/visits/today/")
    stops = page.get_by_test_id("stop")
    expect(stops).to_have_count(3)
    expect(page.get_by_test_id("route-map").locator(".route-pin")).to_have_count(3)

    # Reorder: 丙 to the top, saved on the server.
    stops.nth(2).get_by_test_id("move-up").click()
    stops.nth(1).get_by_test_id("move-up").click()
    expect(stops.first.get_by_test_id("stop-name")).to_have_text("丙烟酒店")
    page.get_by_test_id("save-order").click()
    expect(page.get_by_test_id("route-notice")).to_be_visible()
    route = DayRoute.objects.get(rep=rep, date=today)
    assert route.retailer_order == [c.pk, a.pk, b.pk]

    # Optimise (no position: from the first stop), the distance shows.
    page.get_by_test_id("optimise").click()
    expect(page.get_by_test_id("route-distance")).to_contain_text("km")
    route.refresh_from_db()
    assert route.optimised_at is not None and sorted(route.retailer_order) == sorted(
        [a.pk, b.pk, c.pk])

    # 丙 is closed today.
    row = page.locator(f"[data-testid=stop][data-retailer='{c.pk}']")
    row.get_by_test_id("missed-start").click()
    row.get_by_test_id("missed-reason").select_option("closed")
    row.get_by_test_id("missed-save").click()
    expect(row).to_have_attribute("data-state", "missed")
    wait_until_sent(page)
    assert MissedVisit.objects.get().reason == "closed"

    # 乙 on site without location permission: logged, flagged; then checked out.
    open_stop_visit(page, live_server, b)
    page.get_by_test_id("check-in").click()
    expect(page.get_by_test_id("gps-text")).to_have_class(re.compile(r"\bnote\b"))
    wait_until_sent(page)
    visit_b = Visit.objects.get(retailer=b)
    assert visit_b.gps_missing and visit_b.gps_error == "denied"
    page.get_by_test_id("check-out").click()
    expect(page.get_by_test_id("visit-done")).to_be_visible()
    wait_until_sent(page)

    # A visit left open on the rep's other phone: the server refuses a check-in at 甲 and
    # says why; once that visit is closed, "send again" gets the check-in through.
    elsewhere = make_retailer(area, rep, name="丁药店")
    other_phone = make_visit(rep, elsewhere, today, completed=False)
    open_stop_visit(page, live_server, a)
    page.get_by_test_id("check-in").click()
    panel = page.get_by_test_id("queue-panel")
    expect(panel).to_have_attribute("data-refused", "1")
    expect(page.get_by_test_id("visit-refused")).to_contain_text("丁药店")
    page.get_by_test_id("queue-toggle").click()
    refused = page.locator("[data-testid=queue-item][data-status=refused]")
    expect(refused.get_by_test_id("queue-item-reason")).to_contain_text("丁药店")
    assert not Visit.objects.filter(retailer=a).exists()
    screenshot(page, "visits-refused-checkin-phone")
    Visit.objects.filter(pk=other_phone.pk).update(
        status=Visit.Status.COMPLETED, ended_at=other_phone.started_at)
    refused.get_by_test_id("queue-retry").click()
    expect(panel).to_have_attribute("data-refused", "0")
    wait_until_sent(page)
    expect(page.get_by_test_id("visit-refused")).to_be_hidden()
    assert Visit.objects.get(retailer=a).status == Visit.Status.IN_PROGRESS

    # While 甲 is open, this phone itself says to check out first (even offline).
    open_stop_visit(page, live_server, c)
    page.get_by_test_id("check-in").click()
    expect(page.get_by_test_id("visit-error")).to_contain_text("甲便利店")
    expect(page.get_by_test_id("visit-page")).to_have_attribute("data-phase", "before")

    # A phone visit (to 丙) asks for no position and is allowed meanwhile.
    open_stop_visit(page, live_server, c, kind="phone")
    expect(page.get_by_test_id("visit-kind")).to_have_text("电话拜访")
    page.get_by_test_id("check-in").click()
    expect(page.get_by_test_id("visit-page")).to_have_attribute("data-phase", "on_site")
    expect(page.get_by_test_id("gps-text")).to_be_hidden()
    page.get_by_test_id("note-communication").fill("电话确认下周送货")
    page.get_by_test_id("check-out").click()
    expect(page.get_by_test_id("visit-done")).to_be_visible()
    wait_until_sent(page)
    call = Visit.objects.get(retailer=c)
    assert call.kind == Visit.Kind.PHONE and call.status == Visit.Status.COMPLETED
    assert not call.gps_missing and call.checkin_latitude is None
    assert call.communication_notes == "电话确认下周送货"
    assert Visit.objects.filter(rep=rep).count() == 4

    # The route shows what happened at each stop.
    page.goto(f"{live_server.url}/visits/today/")
    for shop, state in ((a, "in_progress"), (b, "done"), (c, "done")):
        expect(page.locator(f"[data-testid=stop][data-retailer='{shop.pk}']")).to_have_attribute(
            "data-state", state)
    screenshot(page, "visits-route-after-day-phone")
    assert [p for p in problems.all() if "status of 400" not in p] == [], problems.all()


def session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}


def test_a_queue_is_never_sent_under_someone_elses_session(live_server, personas, new_context):
    """Rep A queues a reason offline; before the signal returns, the phone's session has
    become rep B's (a shared phone). Nothing is sent for B; once A is logged in again, the
    queue goes out under A."""
    today = timezone.localdate()
    area, rep = personas.org.area, personas.rep
    shop = make_retailer(area, rep, name="甲便利店", latitude="32.058000", longitude="118.796000")
    make_plan(rep, area, date(today.year, today.month, 1), stops=[(today, shop)])
    page = phone(new_context)
    context = page.context
    context.route(OSM_TILES, lambda route: route.fulfill(status=200, content_type="image/png",
                                                         body=b""))
    login(page, live_server, rep.username)
    page.goto(f"{live_server.url}/visits/today/")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()

    context.set_offline(True)
    row = page.get_by_test_id("stop").first
    row.get_by_test_id("missed-start").click()
    row.get_by_test_id("missed-reason").select_option("owner_absent")
    row.get_by_test_id("missed-save").click()
    panel = page.get_by_test_id("queue-panel")
    expect(panel).to_have_attribute("data-waiting", "1")

    context.add_cookies([session_cookie(live_server, personas.rep2)])
    context.set_offline(False)
    page.get_by_test_id("queue-toggle").click()
    expect(page.locator("[data-testid=queue-item][data-status=blocked]")).to_have_count(1)
    assert not MissedVisit.objects.exists()

    context.add_cookies([session_cookie(live_server, rep)])
    page.get_by_test_id("sync-now").click()
    expect(panel).to_have_attribute("data-sent", "1")
    missed = MissedVisit.objects.get()
    assert (missed.rep, missed.retailer, missed.reason) == (rep, shop, "owner_absent")
