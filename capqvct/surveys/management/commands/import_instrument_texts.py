"""Load the texts of a licensed instrument into its shipped structure for one agency:

    manage.py import_instrument_texts copsoq-iii-middle textes-copsoq.json --agence "ARS Occitanie"

The JSON file maps each item code to its text, as the agency obtained it from the instrument's
owners (for COPSOQ III, the French texts of the international COPSOQ network, CC BY-NC-ND: loaded
unchanged). Every item must have its text; an unknown code is refused. The campaigns of the agency's
programmes may then use it, and their results compare with every campaign of the same version."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capqvct.accounts.models import Organisation
from capqvct.core.exceptions import Refusal
from capqvct.surveys import services
from capqvct.surveys.models import InstrumentVersion


class Command(BaseCommand):
    help = "Charge les textes d’un questionnaire sous licence pour une agence."

    def add_arguments(self, parser):
        parser.add_argument("code", help="Code du questionnaire livré, par exemple copsoq-iii-middle.")
        parser.add_argument("texts", help="Fichier JSON : code de l’item → texte.")
        parser.add_argument("--agence", required=True, help="Nom exact de l’agence (ARS ou Aract).")

    def handle(self, *args, code: str, texts: str, agence: str, **options):
        services.ensure_shipped_instruments()
        base = InstrumentVersion.objects.filter(code=code, agency=None).order_by("-version").first()
        if base is None:
            raise CommandError(f"Aucun questionnaire livré n’a le code « {code} ».")
        agency = Organisation.objects.filter(name=agence).first()
        if agency is None or not agency.is_agency:
            raise CommandError(f"Aucune agence ne s’appelle « {agence} ».")
        try:
            loaded = json.loads(Path(texts).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Le fichier de textes ne se lit pas : {error}") from error
        if not isinstance(loaded, dict):
            raise CommandError("Le fichier de textes doit associer chaque code d’item à son texte.")
        try:
            version = services.import_texts(base=base, agency=agency, texts=loaded)
        except Refusal as refusal:
            raise CommandError(refusal.message) from refusal
        self.stdout.write(f"{version} chargé pour {agency} : {len(loaded)} textes.")
