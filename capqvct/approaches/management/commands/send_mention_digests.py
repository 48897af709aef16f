"""Run once a day (cron or a systemd timer): one e-mail per person who chose the daily digest of the
comments that mention them."""

from capqvct.approaches.feed_services import send_mention_digests
from capqvct.approaches.tasks import send_mention_digests as send_mention_digests_task
from capqvct.core.management.rounds import RoundCommand


class Command(RoundCommand):
    help = (
        "Envoie à chaque personne qui l’a choisi le résumé quotidien des commentaires qui la mentionnent "
        "dans les démarches QVT. Sans option, met la tâche en file pour db_worker ; "
        "à lancer une fois par jour."
    )
    task = send_mention_digests_task
    work = staticmethod(send_mention_digests)
    done = "{count} résumé(s) envoyé(s)."
    queued = "Résumés des mentions mis en file d’attente"
