"""French text is written with the typographic apostrophe ’, never the straight one: « l’agence ».

Scanned: the templates (text and attribute values, not the template language nor scripts), the
string literals of the Python code (labels, verbose names, choices, messages), the French
documentation. Not scanned: comments, code, migrations (history), tests (they imitate outside data),
and the files listed in RAW_DATA, which imitate files written by others.
"""

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Invented FINESS extractions, written as the register writes them (its import makes them curly).
RAW_DATA = {"capqvct/establishments/finess_sample.py"}

BETWEEN_LETTERS = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]'[A-Za-zÀ-ÖØ-öø-ÿ]")
# In Python strings, only French elisions count: « l'agence », « qu'il », « aujourd'hui »; English
# strings (« the agency's ») are code or developers' words.
FRENCH_ELISION = re.compile(
    r"(?i)(?:\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)|aujourd)'[a-zà-öø-ÿ]"
)
TEMPLATE_LANGUAGE = re.compile(
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}|{%.*?%}|{{.*?}}|<script\b.*?</script>|<style\b.*?</style>",
    re.DOTALL,
)
MARKDOWN_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def straight_apostrophes_in_template(text: str) -> list[int]:
    # Replaced by as many newlines as they span, so that line numbers stay right.
    stripped = TEMPLATE_LANGUAGE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return [_line_of(stripped, m.start()) for m in BETWEEN_LETTERS.finditer(stripped)]


def straight_apostrophes_in_markdown(text: str) -> list[int]:
    stripped = MARKDOWN_CODE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return [_line_of(stripped, m.start()) for m in BETWEEN_LETTERS.finditer(stripped)]


def straight_apostrophes_in_python(source: str) -> list[int]:
    lines = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING and FRENCH_ELISION.search(token.string):
            lines.append(token.start[0])
    return lines


def _files(*patterns: str) -> list[Path]:
    return sorted({path for pattern in patterns for path in ROOT.glob(pattern)})


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _scan(paths, finder) -> list[str]:
    return [
        f"{_relative(path)}:{line}" for path in paths for line in finder(path.read_text(encoding="utf-8"))
    ]


def test_templates_use_the_curly_apostrophe():
    templates = [
        path
        for path in _files("capqvct/**/templates/**/*.html", "capqvct/**/templates/**/*.txt")
        if "/tests/" not in _relative(path)
    ]
    assert len(templates) > 50
    assert _scan(templates, straight_apostrophes_in_template) == []


def test_french_strings_of_the_code_use_the_curly_apostrophe():
    sources = [
        path
        for path in _files("capqvct/**/*.py")
        if not {"migrations", "tests"} & set(path.relative_to(ROOT).parts) and _relative(path) not in RAW_DATA
    ]
    assert len(sources) > 50
    assert _scan(sources, straight_apostrophes_in_python) == []


def test_french_documentation_uses_the_curly_apostrophe():
    documents = [ROOT / "README.md", *_files("docs/*.md")]
    assert _scan(documents, straight_apostrophes_in_markdown) == []


def test_the_scanners_find_french_text_and_leave_code_alone():
    assert straight_apostrophes_in_template("<p>\n{% if a == 'b' %}L'agence{% endif %}</p>") == [2]
    assert straight_apostrophes_in_template('<img alt="Logo de l\'agence">') == [1]
    assert straight_apostrophes_in_template("{# the agency's #}<script>x='a'</script><p>L’agence</p>") == []
    assert straight_apostrophes_in_python('label = "Membre d\'établissement"\n') == [1]
    assert straight_apostrophes_in_python('message = f"Qu\'en {x}"\n') == [1]
    assert straight_apostrophes_in_python("# l'agence\nname = \"the agency's\"\nq = 'key'\n") == []
    assert straight_apostrophes_in_markdown("Voir `manage.py l'x`\nL'agence") == [2]
