"""Background work of the engagement letters, run by `manage.py db_worker`: the reminders' round, and
the co-signed letter attached to the e-mail that tells the trinôme it is complete (built when the
e-mail leaves)."""

from django_tasks import task

from capqvct.cohorts.models import EngagementLetter


@task()
def send_engagement_reminders() -> int:
    """The round of reminders to the members who have not signed (see the command of the same name)."""
    from capqvct.cohorts.engagement_services import send_due_engagement_reminders

    return send_due_engagement_reminders()


def cosigned_letter_of(*, letter_id: int) -> bytes:
    from capqvct.cohorts.engagement_letters import cosigned_pdf

    letter = EngagementLetter.objects.select_related(
        "participant__call__programme__region", "participant__establishment", "participant__cohort"
    ).get(pk=letter_id)
    return cosigned_pdf(letter)
