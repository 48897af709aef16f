"""Every HTML page of the permission table, seen by several roles in Chromium with the
Content-Security-Policy enforced, runs without a single violation: no inline script or style, no
eval, nothing from another site; DSFR and htmx keep working (the htmx search swaps its results)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import role_cookies
from tests.browser.test_every_page_accessible import DOWNLOADS
from tests.factories import region
from tests.permissions.test_url_permission_table import TABLE, complete_world
from tests.permissions.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

ROLES_TO_SEE = ("anonymous", "director", "programme_manager", "reviewer", "admin")
SKIPPED = ("admin:",)
# Recorded by the page itself, whatever the console says.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.mark.parametrize("role", ROLES_TO_SEE)
def test_no_page_breaks_the_content_security_policy(role, browser, live_server):
    world = complete_world(build_world())
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.add_cookies(role_cookies(world, role, live_server.url))
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    violations, seen = [], []
    for name, (build_path, expected) in sorted(TABLE.items()):
        if name.startswith(SKIPPED) or name in DOWNLOADS or expected.get(role) != 200:
            continue
        response = page.goto(build_path(world))
        if not response.headers["content-type"].startswith("text/html"):
            continue
        assert "script-src 'self'" in response.headers["content-security-policy"], name
        page.wait_for_load_state("networkidle")
        violations += [f"{name}: {v}" for v in page.evaluate("window.cspViolations")]
        seen.append(name)
    context.close()
    violations += [f"console: {text}" for text in console if "Content Security Policy" in text]
    assert violations == []
    assert len(seen) >= 8


def test_htmx_and_dsfr_work_under_the_policy(page, live_server):
    """The public list of calls filters through htmx (a request marked HX-Request), and the DSFR's
    menu button opens the menu on a narrow screen."""
    region("76", "Occitanie")
    page.add_init_script(RECORD_VIOLATIONS)
    page.set_viewport_size({"width": 400, "height": 800})
    page.goto("/appels/")
    page.wait_for_load_state("networkidle")

    with page.expect_request(lambda request: request.headers.get("hx-request") == "true") as swap:
        page.locator("#id_region").select_option("76")
    assert swap.value.url.startswith(f"{live_server.url}/appels/")
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("#menu-mobile")).to_be_visible()
    assert page.evaluate("window.cspViolations") == []


def test_the_recorder_sees_what_the_policy_refuses(page, live_server):
    """The violations the sweep counts are real: an inline script added to a page is refused and
    recorded, and does not run."""
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto("/")
    page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.ran = true";
        document.body.append(script);
    }"""
    )
    page.wait_for_function("window.cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert page.evaluate("window.cspViolations")[0].startswith("script-src")
