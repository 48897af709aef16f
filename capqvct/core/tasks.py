"""Background work of the outbox, run by `manage.py db_worker`."""

from django_tasks import task

from capqvct.core import outbox


@task()
def deliver_email(*, email_id: int) -> str:
    """Send one e-mail of the outbox (nothing happens if it was sent or claimed meanwhile)."""
    return outbox.deliver(email_id)
