"""« Inviter une direction »: from a call's dashboard or its dossiers, a programme manager invites an
establishment's direction, found by FINESS number or by name, to answer the call.

Calls are fetched through calls_managed_by, so anyone but the call's managers gets a 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from capqvct.applications.director_invitations import director_invitations_of_call, invite_director_to_call
from capqvct.applications.eligibility import eligibility_problems
from capqvct.applications.invite_forms import DirectorInvitationForm, FindEstablishmentForm
from capqvct.calls.selectors import calls_managed_by
from capqvct.core.exceptions import Refusal
from capqvct.establishments.models import Establishment
from capqvct.establishments.selectors import search_establishments_to_claim
from capqvct.establishments.services import directors_of

SEARCH_RESULTS = 10


def invite_director(request, call_pk: int):
    call = get_object_or_404(calls_managed_by(request.user), pk=call_pk)
    in_region = Establishment.objects.select_related("departement", "commune").filter(
        departement__region_id=call.programme.region_id
    )
    search = FindEstablishmentForm(request.GET if "q" in request.GET else None)
    results = None
    if search.is_valid():
        found = search_establishments_to_claim(query=search.cleaned_data["q"])
        results = list(found.filter(departement__region_id=call.programme.region_id)[: SEARCH_RESULTS + 1])
    finess = (request.POST.get("finess") or request.GET.get("finess") or "").strip().upper()
    establishment = in_region.filter(finess_et=finess).first() if finess else None
    form = DirectorInvitationForm(
        request.POST or None,
        initial={"finess": finess, "email": establishment.email if establishment else ""},
    )
    if request.method == "POST" and form.is_valid():
        if establishment is None:
            form.add_error(
                "finess",
                f"Aucun établissement de la région {call.programme.region.name} ne porte ce numéro FINESS.",
            )
        else:
            try:
                invitation = invite_director_to_call(
                    call=call, establishment=establishment, email=form.cleaned_data["email"], by=request.user
                )
            except Refusal as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                messages.success(
                    request, f"Invitation envoyée à {invitation.email} pour {establishment.name}."
                )
                return redirect("applications:invite_director", call_pk=call.pk)
    return render(
        request,
        "applications/manage/invite_director.html",
        {
            "page_title": f"Inviter une direction — {call.title}",
            "call": call,
            "search": search,
            "results": results[:SEARCH_RESULTS] if results is not None else None,
            "more_results": results is not None and len(results) > SEARCH_RESULTS,
            "establishment": establishment,
            "directors": directors_of(establishment) if establishment else [],
            "problems": eligibility_problems(call, establishment) if establishment else [],
            "form": form,
            "invitations": director_invitations_of_call(call),
            "breadcrumb": [
                ("Gestion des appels", reverse("calls:manage_list")),
                (call.title, reverse("calls:manage_call", args=[call.pk])),
                ("Inviter une direction", None),
            ],
        },
    )
