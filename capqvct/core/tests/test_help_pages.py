"""Help and contact: the user guides of docs/ served as pages, the contact address, the favicon."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from capqvct.core.formatting import french_spacing
from capqvct.core.guides import GUIDES, render_markdown
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db

DOCS = Path(settings.BASE_DIR) / "docs"


def _second_level_headings(file_name: str) -> list[str]:
    text = (DOCS / file_name).read_text(encoding="utf-8")
    return re.findall(r"^## (.+)$", text, flags=re.MULTILINE)


@pytest.mark.parametrize(
    ("path", "file_name", "title"),
    [
        ("/aide/agents/", "guide-agents.md", "Guide des agents (ARS, Aract)"),
        ("/aide/etablissements/", "guide-etablissements.md", "Guide des établissements"),
        ("/aide/intervenants/", "guide-intervenants.md", "Guide des intervenants"),
    ],
)
def test_each_guide_is_read_from_its_markdown_file(client, path, file_name, title):
    html = client.get(path).content.decode()

    assert f"<h1>{title}</h1>" in html
    headings = _second_level_headings(file_name)
    assert len(headings) >= 4
    for heading in headings:  # every section of the file, in the page and in its contents
        assert re.search(rf'<h2 id="[^"]+">{re.escape(heading)}</h2>', html), heading
        assert f">{heading}</a></li>" in html
    assert typography_errors(html) == []


def test_a_guide_follows_its_file(client, settings, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide-agents.md").write_text(
        "# Guide des agents\n\n## Une section écrite à l’instant\n\nSon texte : rien de plus.\n"
    )
    settings.BASE_DIR = tmp_path

    html = client.get("/aide/agents/").content.decode()

    assert "Une section écrite à l’instant" in html
    assert "Son texte\u00a0: rien de plus." in html


def test_an_unknown_guide_is_not_found(client):
    assert client.get("/aide/inconnu/").status_code == 404


def test_the_help_page_leads_to_both_guides(client):
    html = client.get("/aide/").content.decode()

    for slug, guide in GUIDES.items():
        assert f'<a href="/aide/{slug}/">{guide.title}</a>' in html


def test_the_contact_page_gives_the_address_of_the_setting(client, settings):
    settings.CAPQVCT_CONTACT_EMAIL = "qvct@capqvct.example.gouv.fr"

    html = client.get("/contact/").content.decode()

    assert '<a href="mailto:qvct@capqvct.example.gouv.fr">qvct@capqvct.example.gouv.fr</a>' in html
    assert typography_errors(html) == []


def test_every_page_has_help_and_contact_in_its_footer(client):
    html = client.get("/").content.decode()
    footer = html[html.index('id="pied-de-page"') :]

    assert '<a class="fr-footer__bottom-link" href="/aide/">Aide</a>' in footer
    assert '<a class="fr-footer__bottom-link" href="/contact/">Contact</a>' in footer


def test_markdown_pages_get_french_spacing_and_framed_tables_but_code_stays_as_typed():
    rendered = render_markdown(
        "# Titre\n\n## Section\n\nUne question ? « Oui ».\n\n`a : b`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )

    assert "<h1>" not in rendered.html  # the page gives the title
    assert "Une question\u00a0? «\u00a0Oui\u00a0»." in rendered.html
    assert "<code>a : b</code>" in rendered.html
    assert '<div class="fr-table"><table>' in rendered.html
    assert rendered.sections == [("section", "Section")]


def test_french_spacing_ties_the_signs_to_their_word():
    assert french_spacing("Attention : « ceci » ; et cela ! Vraiment ?") == (
        "Attention\u00a0: «\u00a0ceci\u00a0»\u00a0; et cela\u00a0! Vraiment\u00a0?"
    )
    assert french_spacing("https://exemple.fr 12:30") == "https://exemple.fr 12:30"


def test_the_favicon_is_the_dsfr_marianne(client):
    html = client.get("/").content.decode()
    assert 'href="/static/dsfr/dist/favicon/favicon.svg"' in html

    response = client.get("/favicon.ico")

    # Temporary: the target's hashed name changes with the file in production.
    assert response.status_code == 302
    assert response["Location"] == "/static/dsfr/dist/favicon/favicon.ico"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # the ICO signature
