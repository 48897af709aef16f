"""A confirmed cohort as the people who follow it see it (its programme managers and its consultant
pair), and a participation as the establishment sees it. Every object comes through a scoped QuerySet
(`cohorts_followed_by`, `participations_visible_to`): anyone else gets a 404."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from capqvct.calls.permissions import can_manage_region
from capqvct.cohorts import attendance_selectors, calendar_selectors, engagement_selectors
from capqvct.cohorts.models import Participant
from capqvct.cohorts.selectors import (
    cohorts_followed_by,
    cohorts_of_consultant,
    participations_of,
    participations_visible_to,
    with_trios,
)


def mine(request):
    """« Mes collectifs »: the cohorts the user follows as a consultant, the participations they take
    part in; a page anyone signed in may open (it is empty for the others)."""
    participations = participations_of(request.user).select_related(
        "call", "cohort__pair__first", "cohort__pair__second", "establishment"
    )
    cohorts = list(cohorts_of_consultant(request.user))
    context = {
        "page_title": "Mes collectifs",
        "cohorts": cohorts,
        "participations": list(participations.order_by("call__title", "establishment__name")),
    }
    context.update(attendance_selectors.consultant_home(request.user, cohorts))
    followed = [participant for cohort in cohorts for participant in cohort.participants.all()]
    context["unsigned_letters"] = engagement_selectors.unsigned_letters(followed)
    return render(request, "cohorts/mine.html", context)


def cohort(request, pk: int):
    found = get_object_or_404(cohorts_followed_by(request.user), pk=pk)
    participants = with_trios(Participant.objects.filter(cohort=found).order_by("establishment__name"))
    context = {
        "page_title": f"{found.name} — {found.call.title}",
        "cohort": found,
        "call": found.call,
        "participants": participants,
        "manages": bool(can_manage_region(request.user, found.call.programme.region_id)),
        "breadcrumb": _cohort_crumbs(request.user, found),
    }
    context.update(calendar_selectors.cohort_section(found, request.user))
    context.update(engagement_selectors.cohort_section(found, request.user))
    context.update(attendance_selectors.cohort_section(found, request.user))
    return render(request, "cohorts/cohort/page.html", context)


def participation(request, pk: int):
    found = get_object_or_404(with_trios(participations_visible_to(request.user)), pk=pk)
    context = {
        "page_title": f"{found.establishment.name} — {found.cohort.name}",
        "participant": found,
        "cohort": found.cohort,
        "call": found.call,
        "breadcrumb": _participation_crumbs(request.user, found),
    }
    context.update(calendar_selectors.participation_section(found, request.user))
    context.update(engagement_selectors.participation_section(found, request.user))
    context.update(attendance_selectors.participation_section(found, request.user))
    return render(request, "cohorts/participation/page.html", context)


def _cohort_crumbs(user, cohort) -> list:
    call = cohort.call
    if can_manage_region(user, call.programme.region_id):
        return [
            ("Gestion des appels", reverse("calls:manage_list")),
            (call.title, reverse("calls:manage_call", args=[call.pk])),
            ("Constituer les collectifs", reverse("cohorts:page", args=[call.pk])),
            (cohort.name, None),
        ]
    return [(call.title, None), (cohort.name, None)]


def _participation_crumbs(user, participant) -> list:
    if cohorts_followed_by(user).filter(pk=participant.cohort_id).exists():
        return [
            *_cohort_crumbs(user, participant.cohort)[:-1],
            _linked(participant.cohort),
            (participant.establishment.name, None),
        ]
    return [("Mes collectifs", reverse("cohorts:mine")), (participant.establishment.name, None)]


def _linked(cohort) -> tuple:
    return (cohort.name, reverse("cohorts:cohort", args=[cohort.pk]))
