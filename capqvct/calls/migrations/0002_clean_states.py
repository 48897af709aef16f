"""Before the calls' state constraints (next migration): rows written before them are brought in line."""

from django.db import migrations
from django.db.models import F


def clean(apps, schema_editor):
    Call = apps.get_model("calls", "Call")
    Call.objects.exclude(status="draft").filter(published_at__isnull=True).update(published_at=F("created_at"))
    Call.objects.filter(status="draft").update(published_at=None)
    Call.objects.filter(closed_early_at__isnull=False, closed_early_reason="").update(
        closed_early_reason="Motif non consigné."
    )
    Call.objects.filter(closed_early_at__isnull=False).exclude(status="closed").update(status="closed")


class Migration(migrations.Migration):
    dependencies = [("calls", "0001_initial")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
