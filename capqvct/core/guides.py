"""The user guides, served as pages of the site from their one source: the Markdown files in docs/.

Rendered with Python-Markdown when first asked for, and again whenever the file changes. The
rendering adds what the pages need and the files should not carry: French spacing before « ; : ! ? »
and inside guillemets (tests/typography_check.py checks every page), the DSFR frame around tables, and
a table of contents of the second-level headings; the page gives the title (the file's first-level
heading is left out).
"""

import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import markdown
from django.conf import settings
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from capqvct.core.formatting import french_spacing


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    audience: str
    file_name: str

    @property
    def path(self) -> Path:
        return Path(settings.BASE_DIR) / "docs" / self.file_name


GUIDES = {
    guide.slug: guide
    for guide in (
        Guide(
            "etablissements",
            "Guide des établissements",
            "Directions et équipes des établissements\u00a0: ouvrir son espace, déposer un dossier, suivre "
            "l’instruction.",
            "guide-etablissements.md",
        ),
        Guide(
            "agents",
            "Guide des agents (ARS, Aract)",
            "Responsables de programme et instructeurs\u00a0: publier un appel, recevoir et instruire les "
            "dossiers, décider.",
            "guide-agents.md",
        ),
        Guide(
            "intervenants",
            "Guide des intervenants",
            "Binômes d’intervenants : suivre ses collectifs, tenir l’émargement, imprimer la feuille, "
            "écrire les comptes rendus.",
            "guide-intervenants.md",
        ),
    )
}

# Text inside these is shown as typed: commands, addresses, code.
VERBATIM = {"code", "pre", "kbd", "samp"}


@dataclass(frozen=True)
class RenderedGuide:
    html: str
    sections: list[tuple[str, str]]  # (anchor, heading) of each second-level heading


class _FrenchPage(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for title in root.findall("h1"):
            root.remove(title)
        self._space(root)
        self._frame_tables(root)
        # The contents, as the headings read once spaced (the toc extension gave them their ids).
        self.md.guide_sections = [
            (heading.get("id", ""), "".join(heading.itertext())) for heading in root.iter("h2")
        ]

    def _space(self, element: etree.Element) -> None:
        if element.tag not in VERBATIM:
            if element.text:
                element.text = french_spacing(element.text)
            for child in element:
                self._space(child)
        for child in element:
            if child.tail:
                child.tail = french_spacing(child.tail)

    def _frame_tables(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    frame = etree.Element("div", {"class": "fr-table"})
                    frame.tail, child.tail = child.tail, None
                    parent.remove(child)
                    frame.append(child)
                    parent.insert(index, frame)


class _FrenchPageExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        # After the inline patterns (20) and the table of contents (5): every text node is final.
        md.treeprocessors.register(_FrenchPage(md), "capqvct_french_page", 4)


def render_markdown(text: str) -> RenderedGuide:
    md = markdown.Markdown(extensions=["tables", "toc", _FrenchPageExtension()], output_format="html")
    html = md.convert(text)
    return RenderedGuide(html=html, sections=md.guide_sections)


@lru_cache(maxsize=8)
def _rendered(path: Path, modified: float) -> RenderedGuide:
    return render_markdown(path.read_text(encoding="utf-8"))


def rendered_guide(guide: Guide) -> RenderedGuide:
    """The guide's page body and contents; the cache key holds the file's modification time."""
    return _rendered(guide.path, guide.path.stat().st_mtime)
