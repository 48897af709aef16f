from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from capqvct.accounts.selectors import can_browse_directory, regions_visible_to
from capqvct.core.exceptions import Refusal
from capqvct.core.outcomes import report_outcome
from capqvct.establishments import forms, services
from capqvct.establishments.models import Claim, Establishment
from capqvct.establishments.selectors import (
    categories_visible_to,
    claims_to_decide_by,
    establishments_visible_to,
    search_directory,
)
from capqvct.territory.models import Departement

RESULTS_PER_PAGE = 20


def _require_directory(user) -> None:
    if not can_browse_directory(user):
        raise PermissionDenied("L’annuaire est réservé aux agents des agences et aux observateurs nationaux.")


def directory(request):
    """Search as you type: an htmx request gets only the results, a plain one the whole page."""
    _require_directory(request.user)
    form = forms.DirectorySearchForm(
        request.GET or None,
        departements=Departement.objects.filter(region__in=regions_visible_to(request.user)),
        categories=categories_visible_to(request.user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    results = search_directory(
        request.user,
        query=filters.get("q", ""),
        departement=filters.get("departement", ""),
        category=filters.get("category", ""),
    )
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page_title": "Annuaire des établissements", "form": form, "page": page}
    if request.htmx and not request.htmx.boosted:
        return render(request, "establishments/_results.html", context)
    return render(request, "establishments/directory.html", context)


def establishment_detail(request, finess: str):
    establishment = get_object_or_404(establishments_visible_to(request.user), finess_et=finess)
    members = []
    if establishment.organisation_id:
        members = establishment.organisation.memberships.select_related("user").order_by("user__last_name")
    return render(
        request,
        "establishments/detail.html",
        {
            "page_title": establishment.name,
            "establishment": establishment,
            "members": members,
            # Only those who may decide see who asked for the space.
            "pending_claims": claims_to_decide_by(request.user).filter(establishment=establishment),
            "breadcrumb": [("Annuaire", "/etablissements/"), (establishment.name, None)]
            if can_browse_directory(request.user)
            else [],
        },
    )


def claim_search(request):
    """A director finds their establishment by its FINESS number to ask for its space."""
    form = forms.ClaimSearchForm(request.GET or None)
    establishment = None
    if form.is_valid():
        establishment = (
            Establishment.objects.select_related("commune", "departement")
            .filter(finess_et=form.cleaned_data["finess"].strip())
            .first()
        )
        if establishment is None:
            form.add_error("finess", "Aucun établissement social ou médico-social ne porte ce numéro FINESS.")
    return render(
        request,
        "establishments/claim_search.html",
        {"page_title": "Rattacher mon établissement", "form": form, "establishment": establishment},
    )


def claim_create(request, finess: str):
    establishment = get_object_or_404(Establishment.objects.select_related("departement"), finess_et=finess)
    form = forms.ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_claim(establishment=establishment, user=request.user, **form.cleaned_data)
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(
                request,
                "Demande envoyée : un agent de votre région la traitera "
                "et vous recevrez sa réponse par e-mail.",
            )
            return redirect("accounts:dashboard")
    return render(
        request,
        "establishments/claim_form.html",
        {"page_title": "Demande de rattachement", "form": form, "establishment": establishment},
    )


def claims(request):
    _require_directory(request.user)
    return render(
        request,
        "establishments/claims.html",
        {
            "page_title": "Demandes de rattachement",
            "claims": claims_to_decide_by(request.user),
            "reject_form": forms.RejectClaimForm(),
        },
    )


def _claim_for(request, pk: int) -> Claim:
    return get_object_or_404(claims_to_decide_by(request.user), pk=pk)


@require_POST
def claim_approve(request, pk: int):
    claim = _claim_for(request, pk)
    report_outcome(
        request,
        lambda: services.approve_claim(claim=claim, by=request.user),
        success=f"{claim.user} dirige désormais l’espace de {claim.establishment.name}.",
    )
    return redirect("establishments:claims")


def claim_reject(request, pk: int):
    claim = _claim_for(request, pk)
    form = forms.RejectClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reject_claim(claim=claim, by=request.user, reason=form.cleaned_data["reason"])
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, f"Demande de {claim.user} refusée ; le demandeur est prévenu.")
            return redirect("establishments:claims")
    return render(
        request,
        "establishments/claim_reject.html",
        {"page_title": "Refuser une demande", "form": form, "claim": claim},
    )
