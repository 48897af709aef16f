"""The second sequence's page, « État des lieux partagé et priorisation »: the EDT work groups, the HR
indicators by year with their formulas, the work situations and the comité's matrix."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from capqvct.approaches import diagnosis_selectors, diagnosis_services, selectors
from capqvct.approaches.diagnosis_forms import (
    IndicatorYearForm,
    RatingForm,
    SituationForm,
    WorkGroupForm,
    WorkGroupMeetingForm,
)
from capqvct.approaches.models import Part, Situation
from capqvct.approaches.permissions import can_work_on
from capqvct.approaches.priorities import QUADRANT_LABELS
from capqvct.approaches.views import _back, _crumbs, _run, _visible, _writable
from capqvct.cohorts.attendance_forms import PostedForm
from capqvct.core.exceptions import Refusal

SAVED = {
    "group": "Espace de discussion sur le travail (EDT) ajouté.",
    "group_meeting": "Réunion du groupe enregistrée.",
    "indicators": "Indicateurs de l’année enregistrés.",
    "situation": "Situation de travail ajoutée.",
}


def diagnosis(request, pk: int):
    participant = _visible(request, pk)
    approach = selectors.approach_of(participant)
    groups = diagnosis_selectors.work_groups_of(approach)
    years = diagnosis_selectors.indicator_years_of(approach)
    situations = diagnosis_selectors.situations_of(approach)
    posted = PostedForm(request.POST).posted() if request.method == "POST" else ""
    data = request.POST if posted else None
    forms = {
        "group": WorkGroupForm(data if posted == "group" else None),
        "group_meeting": WorkGroupMeetingForm(data if posted == "group_meeting" else None, groups=groups),
        "indicators": IndicatorYearForm(data if posted == "indicators" else None),
        "situation": SituationForm(data if posted == "situation" else None),
    }
    if posted in forms:
        participant = _writable(request, pk)
        form = forms[posted]
        form.is_valid()
        if _run(request, form, lambda: _save(posted, participant, request.user, form, groups)):
            messages.success(request, SAVED[posted])
            return _back(participant, "diagnosis", posted)
    return render(
        request,
        "approaches/diagnosis.html",
        {
            "page_title": f"État des lieux partagé — {participant.establishment.name}",
            "participant": participant,
            "approach": approach,
            "groups": groups,
            "table": diagnosis_selectors.indicator_table(years),
            "situations": situations,
            "ranked": diagnosis_selectors.ranked_situations(situations),
            "matrix": diagnosis_selectors.matrix_of(situations),
            "quadrants": QUADRANT_LABELS,
            "forms": forms,
            "rating_forms": [
                (
                    situation,
                    RatingForm(
                        initial={
                            "importance": situation.importance,
                            "feasibility": situation.feasibility,
                            "retained": situation.retained,
                        },
                        prefix=f"s{situation.pk}",
                    ),
                )
                for situation in situations
            ],
            "may_work": bool(can_work_on(request.user, participant)),
            "documents": selectors.documents_of(approach, Part.DIAGNOSIS),
            "part": Part.DIAGNOSIS,
            "breadcrumb": _crumbs(request, participant, "État des lieux partagé"),
        },
    )


def _save(posted: str, participant, by, form, groups) -> None:
    data = form.cleaned_data
    if posted == "group":
        diagnosis_services.add_work_group(
            participant=participant,
            by=by,
            name=data.get("name", ""),
            members=data.get("members", ""),
            subject=data.get("subject", ""),
        )
    elif posted == "group_meeting":
        group = next((group for group in groups if str(group.pk) == data.get("group")), None)
        if group is None:
            raise Refusal("Choisissez le groupe qui s’est réuni.", field="group")
        diagnosis_services.record_work_group_meeting(
            group=group, by=by, held_on=data.get("held_on"), notes=data.get("notes", "")
        )
    elif posted == "indicators":
        diagnosis_services.save_indicator_year(
            participant=participant, by=by, year=data.get("year"), figures=form.figures()
        )
    else:
        diagnosis_services.add_situation(
            participant=participant,
            by=by,
            title=data.get("title", ""),
            theme=data.get("theme", ""),
            description=data.get("description", ""),
        )


@require_POST
def situation_rating(request, pk: int):
    situation = get_object_or_404(selectors.worked_on_by(Situation, request.user), pk=pk)
    form = RatingForm(request.POST, prefix=f"s{situation.pk}")
    form.is_valid()
    participant = situation.approach.participant
    try:
        diagnosis_services.rate_situation(
            situation=situation,
            by=request.user,
            importance=form.cleaned_data.get("importance"),
            feasibility=form.cleaned_data.get("feasibility"),
            retained=form.cleaned_data.get("retained", False),
        )
    except Refusal as refusal:
        messages.error(request, f"{situation.title}\u00a0: {refusal.message}")
    else:
        messages.success(request, f"Cotation de «\u00a0{situation.title}\u00a0» enregistrée.")
    return _back(participant, "diagnosis", f"situation-{situation.pk}")
