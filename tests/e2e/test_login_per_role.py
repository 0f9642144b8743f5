"""Each role logs in through the real login form in a real browser, lands on its home
page in Chinese, switches to English (remembered on the user) and back, and logs out.
Reps are on phones, everyone else on a desktop."""

from urllib.parse import urlparse

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.models import OrgNode, Role, User
from tests.e2e.conftest import CJK, login, screenshot, watch

# (role, personas attribute, page fixture, org node attribute of personas.org)
ROLES = [
    pytest.param(Role.REP, "rep", "phone_page", "area", id="rep"),
    pytest.param(Role.CLERK, "clerk", "desktop_page", "office", id="clerk"),
    pytest.param(Role.OFFICE_MANAGER, "manager", "desktop_page", "office", id="office_manager"),
    pytest.param(
        Role.REGIONAL_MANAGER, "regional_manager", "desktop_page", "region", id="regional_manager"
    ),
    pytest.param(Role.FINANCE, "finance", "desktop_page", "company", id="finance"),
    pytest.param(Role.ADMIN, "admin", "desktop_page", "company", id="admin"),
]


def role_label(role: Role, language: str) -> str:
    with translation.override(language):
        return str(Role(role).label)


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def assert_lang(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)


def assert_logged_out(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/home/")
    assert path_of(page) == "/login/", page.url
    expect(page.locator("#id_username")).to_be_visible()


@pytest.mark.parametrize(("role", "persona", "page_fixture", "node_attr"), ROLES)
def test_login_per_role(request, live_server, personas, role, persona, page_fixture, node_attr):
    user: User = getattr(personas, persona)
    node = getattr(personas.org, node_attr)
    ancestry = [n.name for n in [*OrgNode.objects.get_ancestors(node), node]]
    label_zh = role_label(role, "zh-hans")
    label_en = role_label(role, "en")
    page: Page = request.getfixturevalue(page_fixture)
    problems = watch(page)

    login(page, live_server, user.username)

    # Home page, in Chinese: the user's name, role and place in the org tree.
    assert path_of(page) == "/home/", page.url
    assert_lang(page, "zh-hans")
    expect(page.get_by_test_id("placement")).to_contain_text(user.name)
    expect(page.get_by_test_id("role")).to_have_text(label_zh)
    label_cjk = CJK.findall(label_zh)
    assert label_cjk, f"no zh-hans translation of the role label {label_en!r}"
    role_text = page.get_by_test_id("role").inner_text()
    assert any(char in role_text for char in label_cjk), role_text
    expect(page.get_by_test_id("node")).to_contain_text(node.name)
    expect(page.get_by_test_id("node")).to_have_text(" › ".join(ancestry))
    page.wait_for_load_state("networkidle")
    assert problems.all() == [], problems.all()
    viewport_width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport_width, f"page scrolls sideways: {scroll_width}px"
    screenshot(page, f"home-{role.value}")

    # English, remembered across a reload and on the user.
    page.get_by_test_id("lang-en").click()
    assert_lang(page, "en")
    assert path_of(page) == "/home/", page.url
    expect(page.get_by_test_id("role")).to_have_text(label_en)
    page.reload()
    assert_lang(page, "en")
    expect(page.get_by_test_id("role")).to_have_text(label_en)
    assert User.objects.get(pk=user.pk).language == "en"

    # And back to Chinese.
    page.get_by_test_id("lang-zh-hans").click()
    assert_lang(page, "zh-hans")
    expect(page.get_by_test_id("role")).to_have_text(label_zh)
    assert User.objects.get(pk=user.pk).language == "zh-hans"

    # Log out (on a phone the menu is collapsed: open it first).
    logout = page.get_by_test_id("logout")
    if page_fixture == "phone_page":
        expect(logout).to_be_hidden()
        page.locator("[data-nav-toggle]").click()
        expect(page.locator("[data-nav-toggle]")).to_have_attribute("aria-expanded", "true")
        screenshot(page, f"home-{role.value}-menu")
    expect(logout).to_be_visible()
    with page.expect_navigation():
        logout.click()
    assert path_of(page) == "/login/", page.url
    assert_logged_out(page, live_server)
    assert problems.all() == [], problems.all()


def test_wrong_password_shows_translated_error(live_server, personas, phone_page):
    page = phone_page
    problems = watch(page)

    login(page, live_server, personas.rep.username, "not-the-password")

    assert path_of(page) == "/login/", page.url
    assert_lang(page, "zh-hans")
    error = page.get_by_test_id("login-error")
    expect(error).to_be_visible()
    text = error.inner_text().strip()
    assert text, "the login error is empty"
    assert CJK.search(text), f"the login error is not translated: {text!r}"
    screenshot(page, "login-error")
    assert_logged_out(page, live_server)
    assert problems.all() == [], problems.all()


def test_saved_language_is_used_at_login(live_server, personas, desktop_page):
    """A user who chose English gets English after the next login, on a fresh browser
    that asks for Chinese."""
    user = personas.manager
    user.language = "en"
    user.save(update_fields=["language"])
    page = desktop_page

    page.goto(f"{live_server.url}/login/")
    assert_lang(page, "zh-hans")  # anonymous: the browser's language
    login(page, live_server, user.username)

    assert path_of(page) == "/home/", page.url
    assert_lang(page, "en")
    expect(page.get_by_test_id("role")).to_have_text(role_label(Role.OFFICE_MANAGER, "en"))
