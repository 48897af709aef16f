"""Run hourly (cron or a systemd timer), beside send_draft_reminders: reopened dossiers of closed calls
return to their last submission (see applications/restoration.py)."""

from capqvct.applications.restoration import restore_every_closed_call
from capqvct.applications.tasks import restore_reopened_dossiers
from capqvct.core.management.rounds import RoundCommand


class Command(RoundCommand):
    help = (
        "Remet à leur dernier dépôt les dossiers rouverts et non redéposés des appels clos, et prévient "
        "les établissements. Sans option, met la tâche en file pour db_worker ; à lancer toutes les heures."
    )
    task = restore_reopened_dossiers
    work = staticmethod(restore_every_closed_call)
    done = "{count} dossier(s) remis à leur dernier dépôt."
    queued = "Tournée mise en file d’attente"
