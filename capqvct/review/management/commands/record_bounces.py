"""Run every 15 minutes (cron or a systemd timer): read the bounce mailbox of the sending address and mark
the decisions whose e-mail came back in error, so the managers see it and send again."""

import mailbox
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capqvct.review.bounces import bounces_in, is_delivery_report, original_message_id, read_message
from capqvct.review.decisions import record_bounce


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number < 2 else plural}"


def open_mailbox(path: Path) -> mailbox.Mailbox:
    """A Maildir (a directory with cur/ and new/) or an mbox file."""
    if path.is_dir():
        if not (path / "new").is_dir() or not (path / "cur").is_dir():
            raise CommandError(f"{path} n’est pas une boîte Maildir (sous-dossiers cur et new absents).")
        return mailbox.Maildir(path, factory=None, create=False)
    if path.is_file():
        return mailbox.mbox(path, factory=None, create=False)
    raise CommandError(f"Boîte aux lettres introuvable : {path}")


class Command(BaseCommand):
    help = (
        "Lit la boîte des retours de l’adresse d’envoi (dossier Maildir ou fichier mbox) et enregistre sur "
        "chaque décision les e-mails revenus en erreur (avis de non-remise, RFC 3464). À lancer toutes "
        "les 15 minutes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("mailbox", type=Path, help="Dossier Maildir ou fichier mbox des retours.")
        parser.add_argument(
            "--delete",
            action="store_true",
            help="Supprimer de la boîte les avis de remise traités (les autres messages y restent).",
        )

    def handle(self, *args, mailbox: Path, delete: bool = False, **options) -> None:
        box = open_mailbox(mailbox)
        if delete:
            box.lock()
        try:
            read, recorded, ignored, processed = self._read(box)
            for key in processed if delete else []:
                box.remove(key)
            box.flush()
        finally:
            if delete:
                box.unlock()
            box.close()
        self.stdout.write(
            f"{_count(recorded, 'retour en erreur enregistré', 'retours en erreur enregistrés')}, "
            f"{_count(ignored, 'message ignoré', 'messages ignorés')} "
            f"({_count(read, 'message lu', 'messages lus')})."
        )
        if delete:
            deleted = _count(len(processed), "avis de remise supprimé", "avis de remise supprimés")
            self.stdout.write(f"{deleted} de la boîte.")

    def _read(self, box: mailbox.Mailbox) -> tuple[int, int, int, list[str]]:
        """Record every failed recipient of every delivery report; the keys of the reports understood."""
        read = recorded = ignored = 0
        processed = []
        for key in list(box.keys()):
            read += 1
            try:
                message = read_message(box.get_bytes(key))
                understood = is_delivery_report(message) and original_message_id(message)
            except Exception as error:  # noqa: BLE001 — one unreadable message must not stop the others
                self.stderr.write(f"Message {key} illisible, laissé dans la boîte : {error}")
                understood = False
            if not understood:
                # Not a report we understand (a reply, an old-style bounce): left for a person to read.
                ignored += 1
                continue
            processed.append(key)
            found = [
                record_bounce(
                    message_id=bounce.message_id,
                    recipient=bounce.recipient,
                    status=bounce.status,
                    diagnostic=bounce.diagnostic,
                )
                for bounce in bounces_in(message)
            ]
            recorded += sum(1 for decision in found if decision is not None)
            if not any(found):
                ignored += 1
        return read, recorded, ignored, processed
