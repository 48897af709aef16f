from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from capqvct.calls.deadlines import call_dates, days_left, describe_deadline
from capqvct.calls.forms import PublicCallFilterForm
from capqvct.calls.models import call_is_open
from capqvct.calls.selectors import public_calls, visible_calls
from capqvct.establishments.categories import CATEGORIES

CALLS_PER_PAGE = 20


@login_not_required
def public_list(request):
    """The open calls of every region; an htmx request gets only the results."""
    form = PublicCallFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    calls = public_calls(
        now=now,
        region=filters.get("region", ""),
        kind=filters.get("kind", ""),
        category=filters.get("category", ""),
    )
    page = Paginator(calls, CALLS_PER_PAGE).get_page(request.GET.get("page"))
    for call in page.object_list:
        call.deadline_text = describe_deadline(call.closes_at, call.time_zone)
        call.days_left = days_left(now, call.closes_at, call.time_zone)
    context = {"page_title": "Appels ouverts", "form": form, "page": page}
    if request.htmx and not request.htmx.boosted:
        return render(request, "calls/_public_results.html", context)
    return render(request, "calls/public_list.html", context)


@login_not_required
def public_detail(request, pk: int):
    call = get_object_or_404(visible_calls(), pk=pk)
    now = timezone.now()
    dates = call_dates(call)
    return render(
        request,
        "calls/public_detail.html",
        {
            "page_title": call.title,
            "call": call,
            "dates": dates,
            "closed_early_text": dates[-1][1] if call.closed_early_at else "",
            "days_left": days_left(now, call.closes_at, call.time_zone),
            "is_open": call_is_open(call, now),
            "categories": [CATEGORIES[code] for code in call.categories if code in CATEGORIES],
            "departements": call.departements.order_by("code"),
            "breadcrumb": [("Appels ouverts", "/appels/"), (call.title, None)],
        },
    )
