"""Dossiers already under review get the stage their applicant reads (see review.applicant_stage)."""

from django.db import migrations

STAGE_OF_OUTCOME = {
    "selected": "selected",
    "waiting_list": "waiting_list",
    "not_selected": "not_selected",
    "ineligible": "not_selected",
}


def backfill(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    Decision = apps.get_model("review", "Decision")
    InformationRequest = apps.get_model("review", "InformationRequest")
    waiting = InformationRequest.objects.filter(answered_at__isnull=True).values("application_id")
    Application.objects.filter(status="in_review", pk__in=waiting).update(
        applicant_stage="information_requested"
    )
    for outcome, stage in STAGE_OF_OUTCOME.items():
        notified = Decision.objects.filter(outcome=outcome, notified_at__isnull=False).values(
            "application_id"
        )
        Application.objects.filter(pk__in=notified).update(applicant_stage=stage)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_applicant_stage"),
        ("review", "0004_routing_rules_and_bounces"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
