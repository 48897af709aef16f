"""Before the dossiers' state constraints (next migration): rows written before them are brought in line."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def clean(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    Submission = apps.get_model("applications", "Submission")
    latest = Submission.objects.filter(application=OuterRef("pk")).order_by("-number").values("submitted_at")[:1]
    undated = Application.objects.filter(status__in=["submitted", "in_review"], submitted_at__isnull=True)
    undated.update(submitted_at=Subquery(latest))
    undated.update(submitted_at=F("updated_at"))
    Application.objects.exclude(channel="online").filter(received_at__isnull=True).update(
        received_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [("applications", "0004_applicant_stage")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
