"""Run hourly or daily (cron or a systemd timer): reminders to the trinôme members who have not signed
their engagement letter, `reminder_days` after their latest link."""

from capqvct.cohorts.engagement_services import send_due_engagement_reminders
from capqvct.cohorts.engagement_tasks import send_engagement_reminders
from capqvct.core.management.rounds import RoundCommand


class Command(RoundCommand):
    help = (
        "Relance, avec un nouveau lien, les membres des trinômes qui n’ont pas signé leur lettre "
        "d’engagement N jours après leur dernier lien (N réglé sur le texte de la lettre de chaque appel, "
        "7 par défaut). Sans option, met la tâche en file pour db_worker ; à lancer toutes les heures "
        "ou chaque jour."
    )
    task = send_engagement_reminders
    work = staticmethod(send_due_engagement_reminders)
    done = "{count} relance(s) envoyée(s)."
    queued = "Relances des lettres d’engagement mises en file d’attente"
