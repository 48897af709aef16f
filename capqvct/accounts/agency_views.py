"""The platform administrator's « Agences » page: every region's ARS and Aract, and a new one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from capqvct.accounts import forms
from capqvct.accounts.agencies import create_agency
from capqvct.accounts.permissions import can_create_agency
from capqvct.accounts.selectors import regions_with_agencies
from capqvct.core.exceptions import Refusal
from capqvct.core.permissions import require


def agencies(request):
    require(can_create_agency(request.user))
    regions = regions_with_agencies()
    return render(
        request,
        "accounts/agencies.html",
        {
            "page_title": "Agences",
            "regions": regions,
            "regions_without_agency": sum(1 for region in regions if not (region.ars or region.aract)),
            "breadcrumb": [("Tableau de bord", reverse("accounts:dashboard")), ("Agences", None)],
        },
    )


def agency_create(request):
    require(can_create_agency(request.user))
    initial = {"kind": request.GET.get("type", ""), "region": request.GET.get("region", "")}
    form = forms.AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agency, invitation = create_agency(by=request.user, **form.cleaned_data)
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(
                request,
                f"{agency.name} est créée. Une invitation de responsable de programme est envoyée "
                f"à {invitation.email}.",
            )
            return redirect("accounts:agencies")
    return render(
        request,
        "accounts/agency_form.html",
        {
            "page_title": "Nouvelle agence",
            "form": form,
            "breadcrumb": [
                ("Tableau de bord", reverse("accounts:dashboard")),
                ("Agences", reverse("accounts:agencies")),
                ("Nouvelle agence", None),
            ],
        },
    )
