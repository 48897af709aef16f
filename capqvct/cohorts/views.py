"""« Constituer les collectifs »: the pages of a call's cohorts, for the programme managers of its region.

Every call comes through calls_managed_by and every cohort through cohorts_managed_by, so an agent of
another region, or anyone else, gets a 404. The views parse the request through a form, call one
service and go back to the cohorts page, which shows every rule the grouping now breaks.
"""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from capqvct.calls.models import Call
from capqvct.calls.selectors import calls_managed_by
from capqvct.cohorts import services
from capqvct.cohorts.forms import (
    ConfirmForm,
    MergeForm,
    MoveForm,
    PairForm,
    RulesForm,
    SetPairForm,
    SplitForm,
)
from capqvct.cohorts.map import region_map
from capqvct.cohorts.models import Cohort, ConsultantPair, GroupingStatus
from capqvct.cohorts.selectors import (
    category_family,
    cohorts_of,
    grouping_of,
    locate,
    pairs_of,
    region_consultants,
    selected_by_departement,
    selected_dossiers,
)
from capqvct.cohorts.states import ALREADY_CONFIRMED, GROUPING
from capqvct.core.exceptions import Refusal
from capqvct.core.outcomes import report_outcome
from capqvct.establishments.models import Establishment
from capqvct.territory.models import Departement

PAGE_TITLE = "Constituer les collectifs"


def _call_for(request, pk: int) -> Call:
    return get_object_or_404(calls_managed_by(request.user), pk=pk)


def _cohort_for(request, pk: int) -> Cohort:
    cohorts = Cohort.objects.select_related("call__programme__region", "pair").filter(
        call__in=calls_managed_by(request.user)
    )
    return get_object_or_404(cohorts, pk=pk)


def _crumbs(call: Call, *last: str) -> list:
    crumbs = [
        ("Gestion des appels", reverse("calls:manage_list")),
        (call.title, reverse("calls:manage_call", args=[call.pk])),
    ]
    if last:
        return [*crumbs, (PAGE_TITLE, reverse("cohorts:page", args=[call.pk])), (last[0], None)]
    return [*crumbs, (PAGE_TITLE, None)]


def _posted(request):
    """What was posted, even nothing (an unchecked box, no establishment chosen): a bound form."""
    return request.POST if request.method == "POST" else None


def _back(call: Call):
    return redirect("cohorts:page", call.pk)


def _is_confirmed(call: Call) -> bool:
    grouping = grouping_of(call)
    return grouping is not None and grouping.status == GroupingStatus.CONFIRMED


def kilometres(metres: float | None) -> int:
    return round((metres or 0) / 1000)


def above_bound(total: float, bound: float | None) -> int | None:
    """How far the grouping's travel is above the solver's lower bound, in whole per cent (rounded up,
    so « au plus X % » stays true)."""
    if bound is None or bound <= 0:
        return None
    return max(0, -int(-(total / bound - 1) * 100 // 1))


def page(request, pk: int):
    call = _call_for(request, pk)
    grouping = grouping_of(call)
    cohorts = cohorts_of(call)
    pairs = list(pairs_of(call))
    warnings = services.breaches_of(call, cohorts, pairs)
    total = sum(cohort.travel for cohort in cohorts)
    counts = selected_by_departement(call)
    approximate = [p for cohort in cohorts for p in cohort.participants.all() if p.approximate]
    by_cohort: dict[int, list] = {}
    for warning in warnings:
        if warning.cohort is not None:
            by_cohort.setdefault(warning.cohort.pk, []).append(warning)
    for cohort in cohorts:
        for participant in cohort.participants.all():
            participant.category = category_family(participant.establishment)
        cohort.warnings = by_cohort.get(cohort.pk, [])
        cohort.travel_km = kilometres(cohort.travel)
    confirmed = grouping is not None and grouping.status == GroupingStatus.CONFIRMED
    # Before any proposal, the selected establishments themselves (a fixed number of queries too).
    selected = [] if cohorts else locate(selected_dossiers(call))
    if selected:
        approximate = [item for item in selected if item.approximate]
    return render(
        request,
        "cohorts/page.html",
        {
            "page_title": f"{PAGE_TITLE} — {call.title}",
            "call": call,
            "rules": services.rules_of(call),
            "grouping": grouping,
            "confirmed": confirmed,
            "actions": GROUPING.allowed_actions(grouping, by=request.user) if grouping and cohorts else {},
            "cohorts": cohorts,
            "pairs": pairs,
            "warnings": warnings,
            "general_warnings": [w for w in warnings if w.cohort is None],
            "total_km": kilometres(total),
            "bound_km": kilometres(grouping.lower_bound) if grouping else None,
            "above_bound": above_bound(total, grouping.lower_bound) if grouping else None,
            "selected_count": sum(c.count for c in counts),
            "map": region_map(call.programme.region_id, counts),
            "approximate": approximate,
            "selected": selected,
            "breadcrumb": _crumbs(call),
        },
    )


def rules(request, pk: int):
    call = _call_for(request, pk)
    current = services.rules_of(call)
    initial = {
        "max_size": current.max_size,
        "min_size": current.min_size,
        "same_departement": current.same_departement,
        "balance_categories": current.balance_categories,
    }
    form = RulesForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rules(call=call, by=request.user, **form.cleaned_data)
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, "Règles enregistrées : elles s’appliquent à la prochaine proposition.")
            return _back(call)
    return render(
        request,
        "cohorts/rules.html",
        {
            "page_title": "Règles des collectifs",
            "call": call,
            "form": form,
            "breadcrumb": _crumbs(call, "Règles"),
        },
    )


def _pair_page(request, call: Call, pair: ConsultantPair | None):
    form = PairForm(
        _posted(request),
        initial=PairForm.initial_for(pair) if pair else None,
        consultants=region_consultants(call),
        departements=Departement.objects.filter(region_id=call.programme.region_id).order_by("code"),
        establishments=Establishment.objects.filter(
            Q(pk__in=selected_dossiers(call).values("establishment_id"))
            | Q(pk__in=pair.conflicts.values("pk") if pair else [])
        ).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_pair(call=call, by=request.user, pair=pair, **form.cleaned_data)
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, "Binôme enregistré." if pair else "Binôme créé.")
            return _back(call)
    title = "Modifier le binôme" if pair else "Nouveau binôme d’intervenants"
    return render(
        request,
        "cohorts/pair.html",
        {"page_title": title, "call": call, "pair": pair, "form": form, "breadcrumb": _crumbs(call, title)},
    )


def pair_create(request, pk: int):
    return _pair_page(request, _call_for(request, pk), None)


def pair_edit(request, pk: int, pair_pk: int):
    call = _call_for(request, pk)
    pair = get_object_or_404(ConsultantPair.objects.filter(programme_id=call.programme_id), pk=pair_pk)
    return _pair_page(request, call, pair)


@require_POST
def propose(request, pk: int):
    call = _call_for(request, pk)
    report_outcome(
        request,
        lambda: services.propose_cohorts(call=call, by=request.user),
        success="Collectifs proposés : ajustez-les si besoin, puis confirmez-les.",
    )
    return _back(call)


def confirm(request, pk: int):
    call = _call_for(request, pk)
    if _is_confirmed(call):
        messages.info(request, ALREADY_CONFIRMED)
        return _back(call)
    cohorts = cohorts_of(call)
    warnings = services.breaches_of(call, cohorts, list(pairs_of(call)))
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_cohorts(
                call=call, by=request.user, acknowledged=form.cleaned_data["acknowledged"]
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(
                request, "Collectifs confirmés : chaque établissement participe à son collectif."
            )
            return _back(call)
    return render(
        request,
        "cohorts/confirm.html",
        {
            "page_title": "Confirmer les collectifs",
            "call": call,
            "cohorts": cohorts,
            "warnings": warnings,
            "form": form,
            "breadcrumb": _crumbs(call, "Confirmer"),
        },
    )


def _cohort_action(request, pk: int, form_class, template: str, title: str, act, success):
    """The page of one change to a cohort: its form (GET), the service (POST), back to the cohorts."""
    cohort = _cohort_for(request, pk)
    call = cohort.call
    if _is_confirmed(call):
        messages.info(request, ALREADY_CONFIRMED)
        return _back(call)
    form = form_class(_posted(request), cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            result = act(cohort, form.cleaned_data)
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, success(cohort, form.cleaned_data, result))
            return _back(call)
    return render(
        request,
        template,
        {
            "page_title": f"{title} — {cohort.name}",
            "title": title,
            "call": call,
            "cohort": cohort,
            "form": form,
            "breadcrumb": _crumbs(call, f"{title} — {cohort.name}"),
        },
    )


def move(request, pk: int):
    return _cohort_action(
        request,
        pk,
        MoveForm,
        "cohorts/move.html",
        "Déplacer un établissement",
        lambda cohort, data: services.move_participant(
            participant=data["participant"], to=data["to"], by=request.user
        ),
        lambda cohort, data, result: f"{data['participant'].establishment} rejoint « {data['to'].name} ».",
    )


def split(request, pk: int):
    return _cohort_action(
        request,
        pk,
        SplitForm,
        "cohorts/split.html",
        "Scinder le collectif",
        lambda cohort, data: services.split_cohort(
            cohort=cohort, participants=data["participants"], by=request.user
        ),
        lambda cohort, data, new: f"« {new.name} » créé à partir de « {cohort.name} ».",
    )


def merge(request, pk: int):
    return _cohort_action(
        request,
        pk,
        MergeForm,
        "cohorts/merge.html",
        "Fusionner le collectif",
        lambda cohort, data: services.merge_cohorts(cohort=cohort, into=data["into"], by=request.user),
        lambda cohort, data, into: f"« {cohort.name} » fusionné dans « {into.name} ».",
    )


def set_pair(request, pk: int):
    return _cohort_action(
        request,
        pk,
        SetPairForm,
        "cohorts/set_pair.html",
        "Changer de binôme",
        lambda cohort, data: services.set_pair(cohort=cohort, pair=data["pair"], by=request.user),
        lambda cohort, data, result: (
            f"« {cohort.name} » est suivi par {data['pair']}."
            if data["pair"]
            else f"« {cohort.name} » n’a plus de binôme."
        ),
    )
