"""The README tells the truth about the demo accounts and stands on its own."""

import re
from pathlib import Path

from capqvct.demo import people

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _demo_accounts_table() -> str:
    section = README[README.index("## Les comptes de démonstration") :]
    return section[: section.index("\n## ")]


def test_every_account_load_demo_creates_is_in_the_demo_accounts_table():
    table = _demo_accounts_table()
    emails = [email for email, *_ in people.PEOPLE]
    emails += [people.ADMIN[0], people.DIRECTOR[0], people.STAFF_MEMBER[0], people.CLAIMANT[0]]

    assert [email for email in emails if f"`{email}`" not in table] == []
    assert f"**`{people.DEMO_PASSWORD}`**" in table
    # No account in the table that the demo does not create.
    assert set(re.findall(r"`([^`@\s]+@[^`\s]+)`", table)) == set(emails)


def test_the_readme_and_the_docs_link_only_to_what_the_repository_holds():
    for document in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = document.read_text(encoding="utf-8")
        assert "../shared" not in text, document.name
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (document.parent / target).exists(), f"{document.name}: {target}"
