"""Background work of the dossiers' archive, run by `manage.py db_worker`."""

from django.contrib.auth import get_user_model
from django_tasks import task

from capqvct.core.services import record_event
from capqvct.review.bundles import build_bundle, bundle_dossiers
from capqvct.review.models import Review


@task()
def build_review_bundle(review_id: int, by_id: int | None = None) -> str:
    """The ZIP of the review's dossiers in review; returns its file name under MEDIA_ROOT/exports."""
    file_name = build_bundle(review_id)
    review = Review.objects.select_related("call").get(pk=review_id)
    record_event(
        action="review_bundle_built",
        actor=get_user_model().objects.filter(pk=by_id).first() if by_id else None,
        target=review.call,
        details={"file": file_name, "dossiers": bundle_dossiers(review).count()},
    )
    return file_name
