"""Following the approaches: the table of a cohort's establishments for its pair and the programme
managers, and for the managers the table of a whole call, a page at a time, that can show only the
establishments with no recent activity."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from capqvct.approaches.following_selectors import (
    INACTIVE_AFTER,
    followed,
    following_of_cohort,
    following_page,
    inactive_filter,
)
from capqvct.calls.selectors import calls_managed_by
from capqvct.cohorts.models import Participant
from capqvct.cohorts.selectors import cohorts_followed_by

ROWS_PER_PAGE = 50


def cohort_following(request, pk: int):
    cohort = get_object_or_404(cohorts_followed_by(request.user).select_related("call"), pk=pk)
    return render(
        request,
        "approaches/following_cohort.html",
        {
            "page_title": f"Suivi des démarches — {cohort.name}",
            "cohort": cohort,
            "rows": following_of_cohort(cohort),
            "weeks": INACTIVE_AFTER.days // 7,
            "breadcrumb": [
                ("Mes collectifs", reverse("cohorts:mine")),
                (cohort.name, reverse("cohorts:cohort", args=[cohort.pk])),
                ("Suivi des démarches", None),
            ],
        },
    )


def call_following(request, pk: int):
    call = get_object_or_404(calls_managed_by(request.user), pk=pk)
    now = timezone.now()
    only_inactive = request.GET.get("inactifs") == "1"
    participants = Participant.objects.filter(call=call)
    if only_inactive:
        participants = participants.filter(inactive_filter(now))
    # The page is cut on the bare list first: the counts of late items are computed for its rows only.
    order = ("cohort__number", "establishment__name", "pk")
    page = Paginator(participants.order_by(*order).values_list("pk", flat=True), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = followed(Participant.objects.filter(pk__in=list(page.object_list)), now=now).order_by(*order)
    return render(
        request,
        "approaches/following_call.html",
        {
            "page_title": f"Suivi des démarches — {call.title}",
            "call": call,
            "page": page,
            "rows": following_page(list(rows), now=now),
            "only_inactive": only_inactive,
            "weeks": INACTIVE_AFTER.days // 7,
            "breadcrumb": [
                ("Gestion des appels", reverse("calls:manage_list")),
                (call.title, reverse("calls:manage_call", args=[call.pk])),
                ("Suivi des démarches", None),
            ],
        },
    )
