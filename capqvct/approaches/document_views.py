"""The files of the workspace's pages: added from each page, downloaded by whoever reads the workspace
(always as a download, never shown inline), taken off by those who work in it."""

from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from capqvct.approaches import document_services, selectors
from capqvct.approaches.models import ApproachDocument, Part
from capqvct.approaches.views import _writable
from capqvct.core.outcomes import report_outcome

# The page of each part, to come back to after a change.
PAGES = {Part.LAUNCH: "launch", Part.DIAGNOSIS: "diagnosis", Part.ACTIONS: "actions", Part.REVIEW: "review"}


def _page(participant_pk: int, part: str):
    return HttpResponseRedirect(
        reverse(f"approaches:{PAGES.get(part, 'launch')}", args=[participant_pk]) + "#documents"
    )


@require_POST
def document_add(request, pk: int, part: str):
    participant = _writable(request, pk)
    report_outcome(
        request,
        lambda: document_services.add_document(
            participant=participant, by=request.user, part=part, upload=request.FILES.get("file")
        ),
        success="Document ajouté.",
    )
    return _page(participant.pk, part)


@require_GET
def document(request, pk: int):
    found = get_object_or_404(selectors.read_by(ApproachDocument, request.user), pk=pk)
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type
    )


@require_POST
def document_remove(request, pk: int):
    found = get_object_or_404(selectors.worked_on_by(ApproachDocument, request.user), pk=pk)
    participant_pk = found.approach.participant_id
    report_outcome(
        request,
        lambda: document_services.remove_document(document=found, by=request.user),
        success=f"Document «\u00a0{found.name}\u00a0» retiré.",
    )
    return _page(participant_pk, found.part)
