"""Run once a day (cron or a systemd timer): the dossiers' archives are deleted after a day."""

from django.core.management.base import BaseCommand

from capqvct.review.bundles import purge_old_bundles


class Command(BaseCommand):
    help = "Supprime les archives ZIP des dossiers préparées depuis plus d’un jour."

    def handle(self, *args, **options) -> None:
        removed = purge_old_bundles()
        self.stdout.write(f"{removed} archive(s) supprimée(s).")
