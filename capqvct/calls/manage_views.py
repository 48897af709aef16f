"""The programme managers' pages: programmes, calls, their form, publication, closing and cloning.

Every object is fetched through programmes_managed_by / calls_managed_by, so an agent of another
region gets a 404; the list and creation pages answer 403 to whoever manages no region.
"""

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from capqvct.accounts.selectors import is_platform_admin
from capqvct.calls import services
from capqvct.calls.application_form import dossier_form
from capqvct.calls.deadlines import days_left, describe_deadline
from capqvct.calls.formdef.render import render_form
from capqvct.calls.formdef.schema import InvalidDefinition
from capqvct.calls.formdef.templates_library import standard_qvct_application
from capqvct.calls.manage_forms import (
    CallForm,
    CloneCallForm,
    CloseCallForm,
    FormDefinitionForm,
    ProgrammeForm,
)
from capqvct.calls.models import Call, Programme, call_is_open
from capqvct.calls.permissions import managed_region_codes, require_manager
from capqvct.calls.selectors import calls_managed_by, programmes_managed_by
from capqvct.calls.states import CALL
from capqvct.core.exceptions import Refusal
from capqvct.core.outcomes import report_outcome
from capqvct.establishments.categories import CATEGORIES
from capqvct.territory.models import Region

LIST_TITLE = "Gestion des appels"


def _regions_managed_by(user) -> QuerySet[Region]:
    if is_platform_admin(user):
        return Region.objects.all()
    return Region.objects.filter(code__in=managed_region_codes(user))


def _call_for(request, pk: int) -> Call:
    return get_object_or_404(calls_managed_by(request.user), pk=pk)


def _with_deadline(call: Call, now) -> Call:
    call.deadline_text = describe_deadline(call.closes_at, call.time_zone)
    call.days_left = days_left(now, call.closes_at, call.time_zone)
    return call


def _programme_crumbs(programme: Programme) -> list:
    return [
        (LIST_TITLE, reverse("calls:manage_list")),
        (programme.title, reverse("calls:manage_programme", args=[programme.pk])),
    ]


def _call_crumbs(call: Call, *last: str) -> list:
    crumbs = _programme_crumbs(call.programme)
    if last:
        return [*crumbs, (call.title, reverse("calls:manage_call", args=[call.pk])), (last[0], None)]
    return [*crumbs, (call.title, None)]


def manage_list(request):
    """The programmes of the manager's regions, each with its calls."""
    require_manager(request.user)
    programmes = programmes_managed_by(request.user).prefetch_related(
        Prefetch("calls", queryset=Call.objects.order_by("-opens_at", "-pk"))
    )
    now = timezone.now()
    for programme in programmes:
        for call in programme.calls.all():
            _with_deadline(call, now)
    return render(
        request,
        "calls/manage/list.html",
        {"page_title": LIST_TITLE, "programmes": programmes},
    )


def programme_create(request):
    require_manager(request.user)
    form = ProgrammeForm(request.POST or None, regions=_regions_managed_by(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = services.create_programme(
                by=request.user,
                region_id=data["region"],
                agencies=data["agencies"],
                title=data["title"],
                description=data["description"],
                target_categories=data["target_categories"],
                format=data["format"],
                funding_rule=data["funding_rule"],
                flat_rate_amount=data["flat_rate_amount"],
                budget=data["budget"],
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, f"Programme « {programme.title} » créé.")
            return redirect("calls:manage_programme", programme.pk)
    return render(
        request,
        "calls/manage/programme_form.html",
        {
            "page_title": "Nouveau programme",
            "form": form,
            "breadcrumb": [(LIST_TITLE, reverse("calls:manage_list")), ("Nouveau programme", None)],
        },
    )


def programme_detail(request, pk: int):
    programme = get_object_or_404(programmes_managed_by(request.user).prefetch_related("agencies"), pk=pk)
    now = timezone.now()
    calls = [_with_deadline(call, now) for call in programme.calls.order_by("-opens_at", "-pk")]
    return render(
        request,
        "calls/manage/programme_detail.html",
        {
            "page_title": programme.title,
            "programme": programme,
            "calls": calls,
            "categories": [CATEGORIES[code] for code in programme.target_categories if code in CATEGORIES],
            "breadcrumb": [(LIST_TITLE, reverse("calls:manage_list")), (programme.title, None)],
        },
    )


def call_create(request, pk: int):
    """A new draft call, starting from the standard QVCT application form."""
    programme = get_object_or_404(programmes_managed_by(request.user), pk=pk)
    form = CallForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.create_call(
                programme=programme,
                by=request.user,
                definition=standard_qvct_application().to_json(),
                **form.call_fields(),
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(
                request,
                "Appel créé en préparation, avec le formulaire de candidature QVCT standard : "
                "adaptez-le puis publiez l’appel.",
            )
            return redirect("calls:manage_call", call.pk)
    return render(
        request,
        "calls/manage/call_form.html",
        {
            "page_title": "Nouvel appel",
            "form": form,
            "programme": programme,
            "submit_label": "Créer l’appel",
            "cancel_url": reverse("calls:manage_programme", args=[programme.pk]),
            "breadcrumb": [*_programme_crumbs(programme), ("Nouvel appel", None)],
        },
    )


def call_dashboard(request, pk: int):
    call = _call_for(request, pk)
    now = timezone.now()
    return render(
        request,
        "calls/manage/call_dashboard.html",
        {
            "page_title": call.title,
            "call": _with_deadline(call, now),
            "is_open": call_is_open(call, now),
            "actions": CALL.allowed_actions(call, by=request.user, now=now),
            "refusals": CALL.refused_actions(call, by=request.user, now=now),
            "versions": call.form_versions.order_by("-number"),
            "departements": call.departements.order_by("code"),
            "categories": [CATEGORIES[code] for code in call.categories if code in CATEGORIES],
            "breadcrumb": _call_crumbs(call),
        },
    )


def call_edit(request, pk: int):
    call = _call_for(request, pk)
    form = CallForm(request.POST or None, programme=call.programme, initial=CallForm.initial_for(call))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_call(call=call, by=request.user, **form.call_fields())
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, "Appel enregistré.")
            return redirect("calls:manage_call", call.pk)
    return render(
        request,
        "calls/manage/call_form.html",
        {
            "page_title": f"Modifier « {call.title} »",
            "form": form,
            "programme": call.programme,
            "call": call,
            "submit_label": "Enregistrer",
            "cancel_url": reverse("calls:manage_call", args=[call.pk]),
            "breadcrumb": _call_crumbs(call, "Modifier"),
        },
    )


def call_form_definition(request, pk: int):
    """The application form as JSON; what was typed is kept, with the engine's errors, until it is valid."""
    call = _call_for(request, pk)
    version = services.current_form(call)
    form = FormDefinitionForm(
        request.POST or None, initial={"definition": FormDefinitionForm.as_text(version.definition)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_form(call=call, definition=form.cleaned_data["definition"], by=request.user)
        except Refusal as refusal:
            form.add_error("definition" if refusal.field else None, refusal.message)
        else:
            if saved.number != version.number:
                messages.success(request, f"Formulaire enregistré : version {saved.number}.")
            else:
                messages.success(request, "Formulaire enregistré.")
            return redirect("calls:manage_call", call.pk)
    return render(
        request,
        "calls/manage/form_definition.html",
        {
            "page_title": f"Formulaire de « {call.title} »",
            "form": form,
            "call": call,
            "version": version,
            "breadcrumb": _call_crumbs(call, "Formulaire"),
        },
    )


def call_preview(request, pk: int):
    """The current form as an applicant will see it; nothing can be sent from here."""
    call = _call_for(request, pk)
    version = services.current_form(call)
    try:
        form_html, definition_errors = render_form(dossier_form(call, version), {}, {}), []
    except InvalidDefinition as invalid:
        form_html, definition_errors = "", invalid.errors
    return render(
        request,
        "calls/manage/preview.html",
        {
            "page_title": f"Aperçu du formulaire de « {call.title} »",
            "call": call,
            "version": version,
            "form_html": form_html,
            "definition_errors": definition_errors,
            "breadcrumb": _call_crumbs(call, "Aperçu"),
        },
    )


@require_POST
def call_publish(request, pk: int):
    call = _call_for(request, pk)
    report_outcome(
        request,
        lambda: services.publish_call(call=call, by=request.user),
        success="Appel publié : il figure sur la liste publique des appels.",
    )
    return redirect("calls:manage_call", call.pk)


def call_close(request, pk: int):
    call = _call_for(request, pk)
    form = CloseCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_call_early(call=call, by=request.user, reason=form.cleaned_data["reason"])
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, "Appel clos ; le motif est affiché sur sa page publique.")
            return redirect("calls:manage_call", call.pk)
    return render(
        request,
        "calls/manage/close.html",
        {
            "page_title": f"Clore « {call.title} »",
            "form": form,
            "call": call,
            "breadcrumb": _call_crumbs(call, "Clore"),
        },
    )


def call_clone(request, pk: int):
    """A new draft with the same rules and form as this call, and the dates typed here."""
    call = _call_for(request, pk)
    form = CloneCallForm(request.POST or None, zone=call.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            clone = services.clone_call(
                call=call,
                by=request.user,
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, "Appel dupliqué : voici la copie, en préparation.")
            return redirect("calls:manage_call", clone.pk)
    return render(
        request,
        "calls/manage/clone.html",
        {
            "page_title": f"Dupliquer « {call.title} »",
            "form": form,
            "call": call,
            "breadcrumb": _call_crumbs(call, "Dupliquer"),
        },
    )


# TODO(lead): move to capqvct/calls/services.py (not this helper's file to edit) and call it from there.
