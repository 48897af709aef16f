"""The archive of a call's dossiers (a ZIP, one folder per dossier): prepare, follow, download.

For the managers of the call's region (calls_managed_by): anyone else gets a 404. The task's result
id is kept in the session under the call's id, so a manager downloads only the archive they
prepared for that call.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from capqvct.calls.selectors import calls_managed_by
from capqvct.core.services import record_event
from capqvct.review.bundle_tasks import build_review_bundle
from capqvct.review.bundles import bundle_path
from capqvct.review.models import Review

SESSION_KEY = "review_bundles"


def _review_for(request, call_pk: int) -> Review:
    return get_object_or_404(
        Review.objects.select_related("call__programme__region"),
        call__in=calls_managed_by(request.user),
        call_id=call_pk,
    )


def _bundle_state(request, review: Review) -> tuple[str, str]:
    """(status, file name): status is "", "pending", "failed" or "ready"; the name only when ready."""
    entry = request.session.get(SESSION_KEY, {}).get(str(review.call_id))
    if not entry:
        return "", ""
    if entry.get("file"):
        return "ready", entry["file"]
    try:
        result = build_review_bundle.get_result(entry["result"])
    except (TaskResultDoesNotExist, TaskResultMismatch, NotImplementedError):
        return "", ""
    if list(result.args[:1]) != [review.pk]:
        return "", ""
    if result.status == TaskResultStatus.SUCCESSFUL:
        return "ready", result.return_value
    if result.status == TaskResultStatus.FAILED:
        return "failed", ""
    return "pending", ""


def _remember(request, review: Review, entry: dict) -> None:
    bundles = dict(request.session.get(SESSION_KEY, {}))
    bundles[str(review.call_id)] = entry
    request.session[SESSION_KEY] = bundles


@require_POST
def prepare(request, call_pk: int):
    """Queue the building of the archive; the ranking page then follows its progress."""
    review = _review_for(request, call_pk)
    result = build_review_bundle.enqueue(review.pk, by_id=request.user.pk)
    entry = {"result": result.id}
    if result.status == TaskResultStatus.SUCCESSFUL:
        # A backend that runs the task at once (the tests, the demo) answers right away.
        entry["file"] = result.return_value
    _remember(request, review, entry)
    return redirect(f"{reverse('review:ranking', args=[call_pk])}#archive-dossiers")


def status_fragment(request, call_pk: int):
    """The archive's state, polled by htmx every 2 s while it is being built."""
    review = _review_for(request, call_pk)
    status, file_name = _bundle_state(request, review)
    if status == "ready" and bundle_path(file_name) is None:
        status = ""
    return render(request, "review/_bundle_status.html", {"call": review.call, "status": status})


def download(request, call_pk: int):
    """The archive prepared by this manager for this call, as an attachment."""
    review = _review_for(request, call_pk)
    status, file_name = _bundle_state(request, review)
    path = bundle_path(file_name) if status == "ready" else None
    if path is None:
        raise Http404("Aucune archive prête pour cet appel.")
    record_event(action="archive_downloaded", actor=request.user, target=review.call, request=request)
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"dossiers-appel-{review.call_id}.zip")
