from django.conf import settings
from django.core.management.base import BaseCommand

from capqvct.core.outbox import purge_outbox


class Command(BaseCommand):
    help = "Une fois par jour : supprime les e-mails envoyés, en échec ou annulés depuis plus de N jours."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"par défaut {settings.OUTBOX_KEEP_DAYS} (OUTBOX_KEEP_DAYS)",
        )

    def handle(self, *args, days=None, **options):
        deleted = purge_outbox(days=days)
        self.stdout.write(f"{deleted} e-mail(s) supprimé(s) de la file d’envoi.")
