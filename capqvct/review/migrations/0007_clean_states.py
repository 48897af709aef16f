"""Before the assignments' and decisions' state constraints (next migration): rows written before them
are brought in line (a conflict declared after « no conflict » replaces it; a changed decision forgets
an earlier bounce; waiting ranks exactly on the waiting list)."""

from django.db import migrations
from django.db.models import F, Max


def clean(apps, schema_editor):
    Assignment = apps.get_model("review", "Assignment")
    Decision = apps.get_model("review", "Decision")
    Assignment.objects.filter(conflict_declared_at__isnull=False, conflict_reason="").update(
        conflict_reason="Motif non consigné."
    )
    Assignment.objects.filter(conflict_declared_at__isnull=False).update(no_conflict_declared_at=None)
    Assignment.objects.filter(submitted_at__isnull=False, no_conflict_declared_at__isnull=True).update(
        no_conflict_declared_at=F("submitted_at")
    )
    Decision.objects.filter(notified_at__isnull=False, confirmed_at__isnull=True).update(
        confirmed_at=F("notified_at")
    )
    Decision.objects.filter(notified_at__isnull=True, bounced_at__isnull=False).update(
        bounced_at=None, bounce_reason=""
    )
    Decision.objects.filter(notified_at__isnull=False).exclude(notification_error="").update(
        notification_error=""
    )
    Decision.objects.exclude(outcome="waiting_list").update(waiting_rank=None)
    Decision.objects.filter(outcome="waiting_list", waiting_rank=0).update(waiting_rank=None)
    for decision in Decision.objects.filter(outcome="waiting_list", waiting_rank__isnull=True).order_by("pk"):
        call = decision.application.call_id
        last = Decision.objects.filter(application__call_id=call, outcome="waiting_list").aggregate(
            last=Max("waiting_rank")
        )["last"]
        Decision.objects.filter(pk=decision.pk).update(waiting_rank=(last or 0) + 1)


class Migration(migrations.Migration):
    dependencies = [("review", "0006_review_started_at"), ("applications", "0004_applicant_stage")]

    operations = [migrations.RunPython(clean, migrations.RunPython.noop)]
