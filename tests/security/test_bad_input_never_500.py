"""No 500 on bad input, table-driven over the permission table's world: every form a programme
manager or a director reaches is posted with NUL characters, words where numbers are expected,
numbers beyond bigint and negative numbers in every field (hidden ones included), and every page is
asked for with such values in its query string. On PostgreSQL a NUL in text would be refused by the
database: the answer must be a message, never a server error."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from tests.factories import login_verified
from tests.permissions import test_url_permission_table as table

pytestmark = pytest.mark.sweep

TABLE = table.TABLE
# The permission table's world, built once for the module, each case in a savepoint of it.
world = table.world
case_in_savepoint = table.case_in_savepoint
module_media_root = table.module_media_root
private_media_root = table.private_media_root

BAD_VALUES = {
    "nul": "texte\x00nul",
    "mot": "douze",
    "énorme": "9" * 30,
    "négatif": "-99999999999999999999",
}
QUERY_PARAMETERS = ("page", "q", "tri", "format", "departement", "statut", "type", "region", "next")
SKIPPED_ACTIONS = ("/compte/deconnexion/",)
ROLES = ("programme_manager", "director")


class FormFinder(HTMLParser):
    """The POST forms of a page: their action and the names of their fields (files left out)."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: list[tuple[str, set[str]]] = []
        self._current: tuple[str, set[str]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            action = urlsplit(urljoin(self.page_path, attributes.get("action") or self.page_path))
            self._current = (action.path + (f"?{action.query}" if action.query else ""), set())
            self.forms.append(self._current)
        elif self._current and tag in ("input", "select", "textarea") and attributes.get("name"):
            if attributes.get("type") not in ("file", "submit"):
                self._current[1].add(attributes["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _client(world, role: str) -> Client:
    return login_verified(Client(raise_request_exception=False), world.users[role])


def _pages(world, role: str) -> list[str]:
    return [
        build(world)
        for name, (build, expected) in sorted(TABLE.items())
        if not name.startswith(("api:", "admin:")) and expected.get(role) == 200
    ]


def _forms(client: Client, pages: list[str]) -> dict[str, set[str]]:
    forms: dict[str, set[str]] = {}
    for path in pages:
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        finder = FormFinder(path)
        finder.feed(response.content.decode())
        for action, fields in finder.forms:
            if not action.startswith(SKIPPED_ACTIONS):
                forms.setdefault(action, set()).update(fields - {"csrfmiddlewaretoken"})
    return forms


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("value", list(BAD_VALUES))
def test_every_form_posted_with_bad_values_answers_without_a_server_error(world, role, value):
    client = _client(world, role)
    forms = _forms(client, _pages(world, role))
    assert len(forms) >= (10 if role == "programme_manager" else 3)

    errors = []
    for action, fields in sorted(forms.items()):
        response = client.post(action, {field: BAD_VALUES[value] for field in fields})
        if response.status_code >= 500:
            errors.append(f"{action} {sorted(fields)}")
    assert errors == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("value", list(BAD_VALUES))
def test_every_page_asked_with_bad_query_values_answers_without_a_server_error(world, role, value):
    client = _client(world, role)

    errors = []
    for path in _pages(world, role):
        separator = "&" if "?" in path else "?"
        query = "&".join(f"{name}={BAD_VALUES[value]}" for name in QUERY_PARAMETERS)
        response = client.get(f"{path}{separator}{query}")
        if response.status_code >= 500:
            errors.append(path)
    assert errors == []
