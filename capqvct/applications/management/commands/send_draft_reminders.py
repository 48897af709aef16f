"""Run hourly (cron or a systemd timer): reminders to draft holders before a call's deadline."""

from capqvct.applications.reminders import send_due_reminders
from capqvct.applications.tasks import send_draft_reminders
from capqvct.core.management.rounds import RoundCommand


class Command(RoundCommand):
    help = (
        "Relance les détenteurs de brouillon dont la relance est due (N jours avant la date limite, "
        "puis le dernier jour). Sans option, met la tâche en file pour db_worker ; "
        "à lancer toutes les heures."
    )
    task = send_draft_reminders
    work = staticmethod(send_due_reminders)
    done = "{count} relance(s) envoyée(s)."
    queued = "Relances mises en file d’attente"
