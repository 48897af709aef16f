from django.core.management.base import BaseCommand

from capqvct.accounts.signup import UNCONFIRMED_KEPT_FOR, purge_unconfirmed_accounts


class Command(BaseCommand):
    help = (
        f"Supprime les comptes créés sans invitation et jamais confirmés au bout de "
        f"{UNCONFIRMED_KEPT_FOR.days} jours."
    )

    def handle(self, *args, **options):
        count = purge_unconfirmed_accounts()
        plural = "s" if count > 1 else ""
        self.stdout.write(f"{count} compte{plural} jamais confirmé{plural} supprimé{plural}.")
