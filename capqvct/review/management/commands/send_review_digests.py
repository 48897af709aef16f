"""Run once a day (cron or a systemd timer): each reviewer's digest of the dossiers given to them."""

from django.core.management.base import BaseCommand

from capqvct.review.services import send_daily_digests
from capqvct.review.tasks import send_review_digests


class Command(BaseCommand):
    help = (
        "Envoie à chaque instructeur un e-mail récapitulant les dossiers qui lui ont été confiés "
        "depuis le précédent. Sans option, met la tâche en file pour db_worker ; à lancer une fois par jour."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Envoyer les récapitulatifs dans ce processus au lieu de passer par db_worker.",
        )

    def handle(self, *args, sync: bool = False, **options) -> None:
        if sync:
            count = send_daily_digests()
            self.stdout.write(f"{count} récapitulatif(s) envoyé(s).")
            return
        result = send_review_digests.enqueue()
        self.stdout.write(f"Récapitulatifs mis en file d’attente (tâche {result.id}).")
