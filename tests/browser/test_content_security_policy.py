"""The Content-Security-Policy in Chromium: DSFR and htmx keep working under it (the htmx search swaps
its results), and the recorder that the every-page sweep (test_every_page_accessible.py) reads does see
what the policy refuses."""

import pytest
from playwright.sync_api import expect

from tests.factories import region

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded by the page itself, whatever the console says.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


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
