"""Following the approaches: the table of a cohort's establishments for its pair and the programme
managers, and for the managers the table of a whole call, a page at a time, that can show only the
establishments with no recent activity."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from capqvct.approaches.following_selectors import INACTIVE_AFTER, following_of_call, following_of_cohort
from capqvct.calls.selectors import calls_managed_by
from capqvct.cohorts.selectors import cohorts_followed_by


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
    only_inactive = request.GET.get("inactifs") == "1"
    page, rows = following_of_call(call, only_inactive=only_inactive, page_number=request.GET.get("page"))
    return render(
        request,
        "approaches/following_call.html",
        {
            "page_title": f"Suivi des démarches — {call.title}",
            "call": call,
            "page": page,
            "rows": rows,
            "only_inactive": only_inactive,
            "weeks": INACTIVE_AFTER.days // 7,
            "breadcrumb": [
                ("Gestion des appels", reverse("calls:manage_list")),
                (call.title, reverse("calls:manage_call", args=[call.pk])),
                ("Suivi des démarches", None),
            ],
        },
    )
