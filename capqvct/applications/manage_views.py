"""The programme managers' pages on a call's dossiers: the list, and recording one received off the site.

Calls are fetched through calls_managed_by, so an agent of another region gets a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from capqvct.applications import services
from capqvct.applications.forms import RecordReceivedForm
from capqvct.applications.models import ApplicationStatus, Channel
from capqvct.applications.selectors import dossier_counts, dossiers_of_call
from capqvct.calls.deadlines import describe_deadline
from capqvct.calls.selectors import calls_managed_by
from capqvct.core.exceptions import Refusal
from capqvct.establishments.models import Establishment

PAGE_SIZE = 50


def _call_for(request, call_pk: int):
    return get_object_or_404(calls_managed_by(request.user), pk=call_pk)


def _crumbs(call, *last: str) -> list:
    crumbs = [
        ("Gestion des appels", reverse("calls:manage_list")),
        (call.title, reverse("calls:manage_call", args=[call.pk])),
    ]
    if last:
        return [*crumbs, ("Dossiers", reverse("applications:call_dossiers", args=[call.pk])), (last[0], None)]
    return [*crumbs, ("Dossiers", None)]


def call_dossiers(request, call_pk: int):
    """Every dossier of the call, with its state, how it came and when."""
    call = _call_for(request, call_pk)
    status = request.GET.get("etat", "")
    status = status if status in ApplicationStatus.values else ""
    channel = request.GET.get("canal", "")
    channel = channel if channel in Channel.values else ""
    page = Paginator(dossiers_of_call(call, status=status, channel=channel), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = dossier_counts(call)
    return render(
        request,
        "applications/manage/call_dossiers.html",
        {
            "page_title": f"Dossiers — {call.title}",
            "call": call,
            "page": page,
            "status": status,
            "channel": channel,
            "statuses": [(value, label, counts[value]) for value, label in ApplicationStatus.choices],
            "channels": Channel.choices,
            "total": sum(counts.values()),
            "deadline_text": describe_deadline(call.closes_at, call.time_zone),
            "breadcrumb": _crumbs(call),
        },
    )


def record(request, call_pk: int):
    """Record a dossier received by e-mail or post, with its originals; it is then transcribed."""
    call = _call_for(request, call_pk)
    form = RecordReceivedForm(request.POST or None, request.FILES or None, zone=call.time_zone)
    if request.method == "POST" and form.is_valid():
        establishment = Establishment.objects.filter(
            finess_et=form.cleaned_data["finess"], departement__region_id=call.programme.region_id
        ).first()
        if establishment is None:
            form.add_error(
                "finess",
                f"Aucun établissement de la région {call.programme.region.name} n’a ce numéro FINESS.",
            )
        else:
            try:
                application = services.record_received_application(
                    call=call,
                    establishment=establishment,
                    channel=form.cleaned_data["channel"],
                    received_at=form.received_at(),
                    sender_email=form.cleaned_data["sender_email"],
                    originals=form.cleaned_data["originals"],
                    by=request.user,
                )
            except Refusal as refusal:
                form.add_refusal(refusal)
            else:
                messages.success(
                    request,
                    "Dossier enregistré : saisissez ses réponses à partir des pièces reçues, "
                    "puis enregistrez-le comme déposé.",
                )
                return redirect("applications:edit", pk=application.pk)
    return render(
        request,
        "applications/manage/record.html",
        {
            "page_title": "Enregistrer un dossier reçu",
            "call": call,
            "form": form,
            "deadline_text": describe_deadline(call.closes_at, call.time_zone),
            "breadcrumb": _crumbs(call, "Enregistrer un dossier reçu"),
        },
    )
