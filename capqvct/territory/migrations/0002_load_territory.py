"""Load regions, départements and communes from the committed fixture.

The fixture is built by scripts/build_territory_fixture.py; see capqvct/territory/README.md.
Rows that already exist are left untouched, so the load is safe on a database that has them.
"""

import gzip
import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "territory.json.gz"
BATCH_SIZE = 2000


def load_territory(apps, schema_editor):
    Region = apps.get_model("territory", "Region")
    Departement = apps.get_model("territory", "Departement")
    Commune = apps.get_model("territory", "Commune")
    db = schema_editor.connection.alias

    with gzip.open(FIXTURE, "rt", encoding="utf-8") as file:
        data = json.load(file)

    Region.objects.using(db).bulk_create(
        [Region(code=code, name=name, time_zone=time_zone) for code, name, time_zone in data["regions"]],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    Departement.objects.using(db).bulk_create(
        [Departement(code=code, name=name, region_id=region) for code, name, region in data["departements"]],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    Commune.objects.using(db).bulk_create(
        [
            Commune(code=code, name=name, departement_id=departement, postal_codes=postal_codes)
            for code, name, departement, postal_codes in data["communes"]
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )


def unload_territory(apps, schema_editor):
    db = schema_editor.connection.alias
    # Children first: the foreign keys are PROTECT.
    for model_name in ("Commune", "Departement", "Region"):
        apps.get_model("territory", model_name).objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("territory", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_territory, unload_territory),
    ]
