"""Run hourly (cron or a systemd timer): reminders to draft holders before a call's deadline."""

from django.core.management.base import BaseCommand

from capqvct.applications.reminders import send_due_reminders
from capqvct.applications.tasks import send_draft_reminders


class Command(BaseCommand):
    help = (
        "Relance les détenteurs de brouillon dont la relance est due (N jours avant la date limite, "
        "puis le dernier jour). Sans option, met la tâche en file pour db_worker ; "
        "à lancer toutes les heures."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Envoyer les relances dans ce processus au lieu de passer par db_worker.",
        )

    def handle(self, *args, sync: bool = False, **options) -> None:
        if sync:
            count = send_due_reminders()
            self.stdout.write(f"{count} relance(s) envoyée(s).")
            return
        result = send_draft_reminders.enqueue()
        self.stdout.write(f"Relances mises en file d’attente (tâche {result.id}).")
