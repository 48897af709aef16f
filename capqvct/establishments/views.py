from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from capqvct.accounts.selectors import can_browse_directory, regions_visible_to
from capqvct.core.exceptions import Refusal
from capqvct.core.next_page import safe_next_path
from capqvct.core.outcomes import report_outcome
from capqvct.establishments import forms, services
from capqvct.establishments.models import Claim, Establishment
from capqvct.establishments.paginator import CappedPaginator
from capqvct.establishments.permissions import require_claim_decider, require_directory
from capqvct.establishments.selectors import (
    category_choices,
    claims_awaiting_director,
    claims_to_decide_by,
    establishments_visible_to,
    pending_claims_of,
    search_directory,
    search_establishments_to_claim,
)
from capqvct.territory.models import Departement

RESULTS_PER_PAGE = 20


def directory(request):
    """Search as you type: an htmx request gets only the results, a plain one the whole page."""
    require_directory(request.user)
    form = forms.DirectorySearchForm(
        request.GET or None,
        departements=Departement.objects.filter(region__in=regions_visible_to(request.user)),
        categories=category_choices(),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    results = search_directory(
        request.user,
        query=filters.get("q", ""),
        departement=filters.get("departement", ""),
        category=filters.get("category", ""),
    )
    page = CappedPaginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
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


CLAIM_RESULTS_PER_PAGE = 10


def claim_search(request):
    """A director finds their establishment by FINESS number, name or commune to join its space."""
    next_path = safe_next_path(request)
    form = forms.ClaimSearchForm(request.GET if "q" in request.GET else None)
    page = None
    if form.is_valid():
        departement = form.cleaned_data["departement"]
        results = search_establishments_to_claim(
            query=form.cleaned_data["q"], departement=departement.code if departement else ""
        )
        page = Paginator(results, CLAIM_RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "establishments/claim_search.html",
        {
            "page_title": "Rattacher mon établissement",
            "form": form,
            "page": page,
            "next": next_path,
            "pending_claims": pending_claims_of(request.user),
        },
    )


def claim_create(request, finess: str):
    establishment = get_object_or_404(
        Establishment.objects.select_related("departement", "commune"), finess_et=finess
    )
    next_path = safe_next_path(request)
    form = forms.ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_claim(
                establishment=establishment, user=request.user, return_path=next_path, **form.cleaned_data
            )
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(
                request,
                f"Demande envoyée pour {establishment.name}\u00a0: l’agence de votre région la traitera et "
                "vous recevrez sa réponse par e-mail. Vous pourrez alors déposer votre dossier.",
            )
            return redirect(next_path or "accounts:dashboard")
    return render(
        request,
        "establishments/claim_form.html",
        {
            "page_title": "Demande de rattachement",
            "form": form,
            "establishment": establishment,
            "has_direction": bool(services.directors_of(establishment)),
            "next": next_path,
        },
    )


def claims(request):
    require_claim_decider(request.user)
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
            messages.success(request, f"Demande de {claim.user} refusée\u00a0; le demandeur est prévenu.")
            return redirect("establishments:claims")
    return render(
        request,
        "establishments/claim_reject.html",
        {"page_title": "Refuser une demande", "form": form, "claim": claim},
    )


def _claim_for_director(request, pk: int) -> Claim:
    return get_object_or_404(claims_awaiting_director(request.user), pk=pk)


@require_POST
def claim_confirm(request, pk: int):
    """« Oui, c’est une collègue »: the direction lets the claimant in as a member."""
    claim = _claim_for_director(request, pk)
    report_outcome(
        request,
        lambda: services.confirm_claim(claim=claim, by=request.user),
        success=f"{claim.user} rejoint l’espace de {claim.establishment.name} comme membre. Vous pouvez "
        "lui confier le rôle de direction depuis «\u00a0Gérer les membres\u00a0».",
    )
    return redirect("accounts:dashboard")


def claim_decline(request, pk: int):
    claim = _claim_for_director(request, pk)
    form = forms.DeclineClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if report_outcome(
            request,
            lambda: services.decline_claim(claim=claim, by=request.user, reason=form.cleaned_data["reason"]),
            success=f"Demande de {claim.user} refusée\u00a0; la personne est prévenue.",
        ):
            return redirect("accounts:dashboard")
    return render(
        request,
        "establishments/claim_decline.html",
        {"page_title": "Refuser une demande", "form": form, "claim": claim},
    )
