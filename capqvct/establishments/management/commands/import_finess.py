"""``manage.py import_finess FILE``: load the FINESS extraction into the establishments directory."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from capqvct.establishments.finess import NotAFinessFile, import_finess

PHASES = {
    "lecture": ("Lecture du fichier", " lignes"),
    "enregistrement": ("Enregistrement", " établissements"),
}
NBSP = "\u00a0"


class Command(BaseCommand):
    help = (
        "Importe l’extraction FINESS des établissements (fichier etalab-cs1100507-stock-*.csv de "
        "data.gouv.fr) : crée ou met à jour les établissements sociaux et médico-sociaux."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="chemin du fichier CSV de l’extraction FINESS")

    def handle(self, *args, file: str, verbosity: int, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Le fichier «{NBSP}{file}{NBSP}» n’existe pas ou n’est pas un fichier.")
        bars: dict[str, tqdm] = {}
        # tqdm rewrites its line with carriage returns: it needs the raw stream, not Django's wrapper,
        # which would add a newline to every update.
        stream = getattr(self.stderr, "_out", self.stderr)

        def progress(phase: str, done: int, total: int) -> None:
            if verbosity == 0:
                return
            bar = bars.get(phase)
            if bar is None:
                description, unit = PHASES.get(phase, (phase, ""))
                bar = bars[phase] = tqdm(total=total, desc=description, unit=unit, file=stream)
            bar.update(max(0, min(done, bar.total) - bar.n))

        try:
            report = import_finess(path, progress=progress)
        except NotAFinessFile as error:
            raise CommandError(error.message) from error
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write("\n".join(report.summary_lines()))
