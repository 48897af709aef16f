"""No e-mail leaves but through the outbox: outside its delivery, no code of the platform builds or
sends a message with Django's mail layer (EmailMessage, send_mail, mail_admins…)."""

import re
from pathlib import Path

import capqvct

PACKAGE = Path(capqvct.__file__).resolve().parent
DELIVERY = PACKAGE / "core" / "outbox.py"
SENDING = re.compile(
    r"\b(EmailMessage|EmailMultiAlternatives|send_mass_mail|mail_admins|mail_managers|get_connection)\b"
    r"|(?<!def )\bsend_mail\("
    r"|\.send\(\)"
)


def test_only_the_outbox_delivery_sends_mail():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != DELIVERY and "tests" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if SENDING.search(line)
    ]
    assert offenders == []
