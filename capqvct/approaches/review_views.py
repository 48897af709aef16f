"""The fourth sequence's page, « Bilan et évaluation »: the indicators before and after, what worked
and what continues, the comité's validation, and the bilan as a PDF."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from capqvct.approaches import diagnosis_selectors, review_selectors, review_services, selectors
from capqvct.approaches.bilan import bilan_file_name, bilan_pdf
from capqvct.approaches.export import export_file_name, workspace_zip
from capqvct.approaches.forms import ReviewForm
from capqvct.approaches.models import Part
from capqvct.approaches.permissions import can_record_comite_decision, can_work_on
from capqvct.approaches.sequences import in_review
from capqvct.approaches.views import _back, _crumbs, _run, _visible, _writable
from capqvct.core.outcomes import report_outcome
from capqvct.core.services import record_event


def review(request, pk: int):
    participant = _visible(request, pk)
    approach = selectors.approach_of(participant)
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        initial={
            "what_worked": approach.what_worked,
            "what_did_not": approach.what_did_not,
            "what_continues": approach.what_continues,
        },
    )
    if request.method == "POST":
        participant = _writable(request, pk)
        form.is_valid()
        data = form.cleaned_data
        if _run(
            request,
            form,
            lambda: review_services.save_review(
                participant=participant,
                by=request.user,
                what_worked=data.get("what_worked", ""),
                what_did_not=data.get("what_did_not", ""),
                what_continues=data.get("what_continues", ""),
            ),
        ):
            messages.success(request, "Bilan enregistré.")
            return _back(participant, "review")
    return render(
        request,
        "approaches/review.html",
        {
            "page_title": f"Bilan et évaluation — {participant.establishment.name}",
            "participant": participant,
            "approach": approach,
            "before_after": review_selectors.before_after(diagnosis_selectors.indicator_years_of(approach)),
            "closures": review_selectors.closures_of(approach),
            "form": form,
            "may_work": bool(can_work_on(request.user, participant)),
            "may_validate": bool(can_record_comite_decision(request.user, participant)),
            "in_review": in_review(approach),
            "documents": selectors.documents_of(approach, Part.REVIEW),
            "part": Part.REVIEW,
            "breadcrumb": _crumbs(request, participant, "Bilan et évaluation"),
        },
    )


@require_POST
def review_validate(request, pk: int):
    participant = _writable(request, pk)
    report_outcome(
        request,
        lambda: review_services.validate_review(participant=participant, by=request.user),
        success="Validation du bilan par le comité enregistrée.",
    )
    return _back(participant, "review")


@require_GET
def bilan(request, pk: int):
    participant = _visible(request, pk)
    response = HttpResponse(bilan_pdf(participant), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{bilan_file_name(participant)}"'
    return response


@require_GET
def export(request, pk: int):
    """The whole workspace as a ZIP (the bilan, a CSV per part, the documents), written to the audit log."""
    participant = _visible(request, pk)
    content = workspace_zip(participant)
    record_event(
        action="approach_exported",
        actor=request.user,
        target=participant,
        details={"size": len(content)},
        request=request,
    )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export_file_name(participant)}"'
    return response
