"""Background work of the review, run by `manage.py db_worker`."""

from django_tasks import task

from capqvct.review import services


@task()
def send_review_digests() -> int:
    """The daily digest of new assignments to each reviewer (see the send_review_digests command)."""
    return services.send_daily_digests()
