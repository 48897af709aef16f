from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from capqvct.core.models import AuditEvent


class Command(BaseCommand):
    help = "Supprime les événements du journal d’audit plus vieux que la durée de conservation."

    def handle(self, *args, **options):
        limit = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
        # QuerySet.delete() on purpose: the trail is append-only everywhere else (no admin delete).
        deleted, _ = AuditEvent.objects.filter(at__lt=limit).delete()
        self.stdout.write(f"{deleted} événement(s) du journal supprimé(s) (avant le {limit:%d/%m/%Y}).")
