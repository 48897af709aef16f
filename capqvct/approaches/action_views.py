"""The action plan pages (sequence 3): the plan with its timeline and its table, the form to add an
action, and the page of one action to change it. Read by the establishment's side, the pair and the
programme managers; a POST is taken from the first two only (404 for the others), as views.py does."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from capqvct.approaches import action_selectors, action_services, selectors
from capqvct.approaches.action_forms import ActionForm
from capqvct.approaches.models import Action, Part
from capqvct.approaches.permissions import can_work_on
from capqvct.approaches.views import _back, _crumbs, _run, _visible, _writable

PLAN = "Plan d’actions"


def _today(participant):
    """Today in the region of the participant's call: an action due yesterday there is late."""
    return timezone.localdate(timezone=participant.call.programme.region.zone)


def actions(request, pk: int):
    participant = _visible(request, pk)
    approach = selectors.approach_of(participant)
    situations = action_selectors.situations_of(approach)
    form = ActionForm(request.POST if request.method == "POST" else None, situations=situations)
    if request.method == "POST":
        participant = _writable(request, pk)
        # A value the form cannot read (a date like 31/02) is shown at its field, not dropped.
        if form.is_valid() and _run(
            request,
            form,
            lambda: action_services.add_action(
                participant=participant, by=request.user, **form.action_fields()
            ),
        ):
            messages.success(request, "Action ajoutée au plan.")
            return _back(participant, "actions", "plan")
    plan = action_selectors.plan_of(approach, _today(participant))
    return render(
        request,
        "approaches/actions.html",
        {
            "page_title": f"{PLAN} — {participant.establishment.name}",
            "participant": participant,
            "approach": approach,
            "plan": plan,
            # timeline.py escapes every text it draws (titles, themes, labels) and drops what XML
            # forbids, so its markup is safe to insert as it is.
            "timeline": mark_safe(plan.svg),
            "form": form,
            "may_work": bool(can_work_on(request.user, participant)),
            "documents": selectors.documents_of(approach, Part.ACTIONS),
            "part": Part.ACTIONS,
            "breadcrumb": _crumbs(request, participant, PLAN),
        },
    )


def action(request, pk: int):
    scope = selectors.worked_on_by if request.method == "POST" else selectors.read_by
    action = get_object_or_404(scope(Action, request.user).select_related("situation"), pk=pk)
    approach = action.approach
    participant = approach.participant
    situations = action_selectors.situations_of(approach)
    if request.method == "POST":
        form = ActionForm(request.POST, situations=situations)
        if form.is_valid() and _run(
            request,
            form,
            lambda: action_services.change_action(action=action, by=request.user, **form.action_fields()),
        ):
            messages.success(request, "Action enregistrée.")
            return _back(participant, "actions", f"action-{action.pk}")
    else:
        form = ActionForm(initial=ActionForm.initial_for(action), situations=situations)
    plan_path = reverse("approaches:actions", args=[participant.pk])
    return render(
        request,
        "approaches/action.html",
        {
            "page_title": f"{action.title} — {PLAN} — {participant.establishment.name}",
            "participant": participant,
            "action": action,
            "late": action_selectors.is_late(action, _today(participant)),
            "form": form,
            "may_work": bool(can_work_on(request.user, participant)),
            "breadcrumb": [
                *_crumbs(request, participant, PLAN)[:-1],
                (PLAN, plan_path),
                (action.title, None),
            ],
        },
    )
