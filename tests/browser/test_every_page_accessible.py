"""Every HTML page of the permission table, seen in Chromium by the roles that reach it, with the
Content-Security-Policy enforced: axe-core finds no violation, the policy is not broken once (no inline
script or style, no eval, nothing from another site), and a full-page screenshot is saved to look at.
One visit per page and role does all three: this sweep is the longest browser test."""

import pytest

from tests.browser.conftest import role_cookies
from tests.browser.test_content_security_policy import RECORD_VIOLATIONS
from tests.permissions.test_url_permission_table import TABLE, complete_world
from tests.permissions.world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

JSON_OR_ADMIN = ("api:", "admin:")
# Files sent as downloads: a browser saves them instead of showing a page.
DOWNLOADS = (
    "applications:attachment",
    "approaches:bilan",
    "approaches:document",
    "approaches:export",
    "cohorts:attendance_scan",
    "cohorts:calendar_document",
    "cohorts:calendar_feed",
    "surveys:aggregates",
    "surveys:paper",
    "surveys:poster",
    "surveys:report",
    "surveys:research_export",
)
# Fragments htmx swaps into a page that is itself checked; alone they are no document.
FRAGMENTS = ("review:decisions_progress", "review:bundle_status")
ROLES_TO_SEE = ("anonymous", "director", "programme_manager", "reviewer", "admin")


def _reached_by_an_earlier_role() -> dict[str, set[str]]:
    earlier, seen = {}, set()
    for role in ROLES_TO_SEE:
        earlier[role] = set(seen)
        seen |= {name for name, (_, expected) in TABLE.items() if expected.get(role) == 200}
    return earlier


SCREENSHOTS_BY_EARLIER_ROLE = _reached_by_an_earlier_role()


@pytest.mark.parametrize("role", ROLES_TO_SEE)
def test_every_page_a_role_reaches_is_accessible_and_keeps_the_policy(role, browser, live_server, look):
    world = complete_world(build_world())
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    context.add_cookies(role_cookies(world, role, live_server.url))
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    violations, seen = [], []
    for name, (build_path, expected) in sorted(TABLE.items()):
        if name.startswith(JSON_OR_ADMIN) or name in DOWNLOADS + FRAGMENTS or expected[role] != 200:
            continue
        response = page.goto(build_path(world))
        assert response.status == 200, name
        if not response.headers["content-type"].startswith("text/html"):
            continue  # a PDF: checked by its own tests
        assert "script-src 'self'" in response.headers["content-security-policy"], name
        page.wait_for_load_state("load")
        violations += [f"{name}: {v}" for v in page.evaluate("window.cspViolations")]
        # The full-page screenshot stretches the viewport, and the DSFR's script answers a resize by
        # writing a style attribute, which the policy refuses (as it would for a window resized by
        # hand). The sweep checks the pages as they load: what the screenshot provokes is not counted.
        provoked_from = len(console)
        # One screenshot of each page, by the first role that reaches it, is enough to look at; axe
        # checks every role's version of it.
        look(
            page,
            f"{role}--{name.replace(':', '-')}",
            screenshot=name not in SCREENSHOTS_BY_EARLIER_ROLE[role],
        )
        del console[provoked_from:]
        seen.append(name)
    context.close()
    violations += [f"console: {text}" for text in console if "Content Security Policy" in text]
    assert violations == []
    assert len(seen) >= 8
