"""The shape of the hourly commands run by cron or a systemd timer: queue a task for `db_worker`, or do
its work in the command's own process with --sync."""

from collections.abc import Callable

from django.core.management.base import BaseCommand


class RoundCommand(BaseCommand):
    """Set `task` (a django-tasks task taking no argument), `work` (what it runs, returning a count) and
    the two French messages; `done` is formatted with the count."""

    task = None
    work: Callable[[], int]
    done = "{count}"
    queued = "Tâche mise en file d’attente"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--sync",
            action="store_true",
            help="Faire le travail dans ce processus au lieu de passer par db_worker.",
        )

    def handle(self, *args, sync: bool = False, **options) -> None:
        if sync:
            self.stdout.write(self.done.format(count=self.work()))
            return
        result = self.task.enqueue()
        self.stdout.write(f"{self.queued} (tâche {result.id}).")
