from django.core.management.base import BaseCommand

from capqvct.core.outbox import requeue_lost_emails


class Command(BaseCommand):
    help = (
        "Filet de sécurité de la file d’envoi, toutes les 5 minutes : remet en file les e-mails dus dont "
        "la tâche s’est perdue, et passe en échec ceux dont l’envoi a été interrompu."
    )

    def handle(self, *args, **options):
        queued, interrupted = requeue_lost_emails()
        self.stdout.write(f"{queued} e-mail(s) remis en file, {interrupted} envoi(s) interrompu(s).")
