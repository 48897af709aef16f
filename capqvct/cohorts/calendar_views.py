"""The calendar's pages: a cohort's sessions and visits (create, change, cancel), the planning
assistant, the call's presentation and school holidays, the documents of a session, « Mon agenda » and
the private feed.

Every object comes through a QuerySet scoped to the user (`cohorts_followed_by`, `sessions_followed_by`,
`visits_followed_by`, `documents_visible_to`, `calls_managed_by`): anyone else gets a 404. The feed is
the one page open without signing in: its secret token is its key, and an unknown token is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from capqvct.calls.models import Call
from capqvct.calls.selectors import calls_managed_by
from capqvct.cohorts import calendar_ics, calendar_selectors, calendar_services
from capqvct.cohorts.calendar_forms import (
    DaysForm,
    DocumentForm,
    PlanningForm,
    SchoolHolidayForm,
    SessionForm,
    VisitForm,
)
from capqvct.cohorts.cohort_views import _cohort_crumbs, _linked
from capqvct.cohorts.models import Cohort, SchoolHoliday, Session, SessionKind, SupportVisit
from capqvct.cohorts.permissions import can_plan_cohort_calendar
from capqvct.cohorts.selectors import cohorts_followed_by
from capqvct.core.exceptions import Refusal
from capqvct.core.outcomes import report_outcome


def _posted(request):
    return request.POST if request.method == "POST" else None


def _cohort_for(request, pk: int) -> Cohort:
    return get_object_or_404(cohorts_followed_by(request.user).select_related("call__grouping"), pk=pk)


def _back(cohort: Cohort, anchor: str = "calendrier"):
    return redirect(f"{reverse('cohorts:cohort', args=[cohort.pk])}#{anchor}")


def _crumbs(user, cohort: Cohort, title: str) -> list:
    return [*_cohort_crumbs(user, cohort)[:-1], _linked(cohort), (title, None)]


def _refused_planning(request, cohort: Cohort):
    """A cohort whose calendar cannot be planned yet (cohorts not confirmed): said on its page."""
    if not (allowed := can_plan_cohort_calendar(request.user, cohort)):
        messages.error(request, allowed.reason)
        return _back(cohort)
    return None


def _pair_people(cohort: Cohort):
    from django.contrib.auth import get_user_model

    pair = cohort.pair
    ids = [pair.first_id, pair.second_id] if pair else []
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name")


# Sessions


def session_new(request, pk: int):
    cohort = _cohort_for(request, pk)
    if refused := _refused_planning(request, cohort):
        return refused
    zone = cohort.call.time_zone
    form = SessionForm(_posted(request), zone=zone)
    if request.method == "POST" and form.is_valid():
        try:
            session = calendar_services.schedule_session(
                cohort=cohort, by=request.user, agenda=form.cleaned_data["agenda"], **form.place()
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, f"{session} planifiée : l’invitation part aux personnes invitées.")
            return _back(cohort)
    title = "Nouvelle séance collective"
    return render(
        request,
        "cohorts/calendar/session_form.html",
        {
            "page_title": f"{title} — {cohort.name}",
            "title": title,
            "cohort": cohort,
            "call": cohort.call,
            "form": form,
            "breadcrumb": _crumbs(request.user, cohort, title),
        },
    )


def presentation_new(request, pk: int):
    call = get_object_or_404(calls_managed_by(request.user).select_related("programme__region"), pk=pk)
    form = SessionForm(_posted(request), zone=call.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            calendar_services.schedule_presentation(
                call=call, by=request.user, agenda=form.cleaned_data["agenda"], **form.place()
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(
                request, "Présentation planifiée : l’invitation part à tous les collectifs de l’appel."
            )
            return redirect("cohorts:page", call.pk)
    title = "Séance de présentation du dispositif"
    return render(
        request,
        "cohorts/calendar/session_form.html",
        {
            "page_title": f"{title} — {call.title}",
            "title": title,
            "call": call,
            "form": form,
            "breadcrumb": [
                ("Gestion des appels", reverse("calls:manage_list")),
                (call.title, reverse("calls:manage_call", args=[call.pk])),
                ("Constituer les collectifs", reverse("cohorts:page", args=[call.pk])),
                (title, None),
            ],
        },
    )


def _session_for(request, pk: int) -> Session:
    return get_object_or_404(calendar_selectors.sessions_followed_by(request.user), pk=pk)


def _session_back(session: Session):
    if session.kind == SessionKind.PRESENTATION:
        return redirect("cohorts:calendar_session", session.pk)
    return _back(session.cohort)


def session(request, pk: int):
    """One session: change it (a new invitation, SEQUENCE + 1), add documents, cancel it."""
    found = _session_for(request, pk)
    zone = found.call.time_zone
    form = SessionForm(
        _posted(request), zone=zone, initial={**SessionForm.initial_for(found, zone), "agenda": found.agenda}
    )
    if request.method == "POST" and form.is_valid():
        try:
            calendar_services.change_session(
                session=found, by=request.user, agenda=form.cleaned_data["agenda"], **form.place()
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, f"{found} modifiée : les personnes invitées reçoivent la mise à jour.")
            return _session_back(found)
    title = str(found) if found.kind == SessionKind.PRESENTATION else f"{found} — {found.cohort.name}"
    crumbs = (
        _crumbs(request.user, found.cohort, str(found))
        if found.cohort_id
        else [
            ("Constituer les collectifs", reverse("cohorts:page", args=[found.call_id])),
            (str(found), None),
        ]
    )
    return render(
        request,
        "cohorts/calendar/session.html",
        {
            "page_title": title,
            "title": title,
            "session": found,
            "cohort": found.cohort,
            "call": found.call,
            "form": form,
            "document_form": DocumentForm(),
            "documents": list(found.documents.order_by("uploaded_at", "pk")),
            "breadcrumb": crumbs,
        },
    )


@require_POST
def session_cancel(request, pk: int):
    found = _session_for(request, pk)
    report_outcome(
        request,
        lambda: calendar_services.cancel_session(session=found, by=request.user),
        success=f"{found} annulée : les personnes invitées en sont informées.",
    )
    return _session_back(found)


@require_POST
def session_document(request, pk: int):
    found = _session_for(request, pk)
    report_outcome(
        request,
        lambda: calendar_services.add_session_document(
            session=found, upload=request.FILES.get("file"), by=request.user
        ),
        success="Document ajouté à la séance.",
    )
    return redirect("cohorts:calendar_session", found.pk)


@require_POST
def document_remove(request, pk: int):
    found = get_object_or_404(calendar_selectors.documents_changeable_by(request.user), pk=pk)
    report_outcome(
        request,
        lambda: calendar_services.remove_session_document(document=found, by=request.user),
        success=f"Document « {found.name} » retiré de la séance.",
    )
    return redirect("cohorts:calendar_session", found.session_id)


@require_GET
def document(request, pk: int):
    """A session's document, to whoever may see the session; always downloaded, never shown inline."""
    found = get_object_or_404(calendar_selectors.documents_visible_to(request.user), pk=pk)
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type
    )


# Visits


def _visit_page(request, cohort: Cohort, visit: SupportVisit | None):
    zone = cohort.call.time_zone
    initial = None
    if visit is not None:
        initial = {
            **VisitForm.initial_for(visit, zone),
            "participant": visit.participant_id,
            "kind": visit.kind,
            "length": visit.length,
            "consultant": visit.consultant_id,
            "subject": visit.subject,
        }
    elif request.GET.get("participant", "").isdigit():
        initial = {"participant": int(request.GET["participant"])}
    form = VisitForm(
        _posted(request),
        zone=zone,
        initial=initial,
        cohort=cohort,
        consultants=_pair_people(cohort),
        participant_fixed=visit.participant if visit else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if visit is None:
                saved = calendar_services.schedule_visit(
                    participant=form.cleaned_data["participant"], by=request.user, **form.visit()
                )
            else:
                saved = calendar_services.change_visit(visit=visit, by=request.user, **form.visit())
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            done = "planifiée" if visit is None else "modifiée"
            messages.success(
                request, f"{saved.get_kind_display()} avec {saved.participant.establishment.name} {done}."
            )
            return _back(cohort, "rencontres")
    title = "Nouvelle rencontre avec un établissement" if visit is None else str(visit)
    return render(
        request,
        "cohorts/calendar/visit.html",
        {
            "page_title": f"{title} — {cohort.name}",
            "title": title,
            "cohort": cohort,
            "call": cohort.call,
            "visit": visit,
            "form": form,
            "breadcrumb": _crumbs(request.user, cohort, title),
        },
    )


def visit_new(request, pk: int):
    cohort = _cohort_for(request, pk)
    if refused := _refused_planning(request, cohort):
        return refused
    return _visit_page(request, cohort, None)


def _visit_for(request, pk: int) -> SupportVisit:
    return get_object_or_404(calendar_selectors.visits_followed_by(request.user), pk=pk)


def visit(request, pk: int):
    found = _visit_for(request, pk)
    return _visit_page(request, found.participant.cohort, found)


@require_POST
def visit_cancel(request, pk: int):
    found = _visit_for(request, pk)
    report_outcome(
        request,
        lambda: calendar_services.cancel_visit(visit=found, by=request.user),
        success=f"{found.get_kind_display()} avec {found.participant.establishment.name} annulée.",
    )
    return _back(found.participant.cohort, "rencontres")


# The planning assistant


def _planning_data(request) -> list[tuple[str, list[str]]]:
    """The assistant's question as posted, carried along with the proposal as hidden fields."""
    kept = PlanningForm.base_fields
    return [(name, values) for name, values in request.POST.lists() if name in kept]


def planning(request, pk: int):
    """Step one: the question (span, number, weekdays, hours); step two: the proposed dates, which the
    person adjusts; then the sessions are created in one go."""
    cohort = _cohort_for(request, pk)
    if refused := _refused_planning(request, cohort):
        return refused
    call = cohort.call
    form = PlanningForm(_posted(request))
    proposal, days_form = None, None
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = calendar_selectors.planning_proposal(
                cohort,
                first=data["first"],
                last=data["last"],
                count=data["count"],
                weekdays=data["weekdays"],
                avoid_school_holidays=data["avoid_school_holidays"],
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            if step == "create":
                days_form = DaysForm(request.POST, count=data["count"])
                if days_form.is_valid():
                    try:
                        created = calendar_services.plan_sessions(
                            cohort=cohort,
                            by=request.user,
                            days=days_form.days(),
                            starts=data["starts"],
                            ends=data["ends"],
                            mode=data["mode"],
                            address=data["address"],
                            video_url=data["video_url"],
                        )
                    except Refusal as refusal:
                        days_form.add_refusal(refusal)
                    else:
                        messages.success(
                            request,
                            f"{len(created)} séances planifiées : les invitations partent.",
                        )
                        return _back(cohort)
            else:
                days_form = DaysForm(
                    count=data["count"], initial={f"day_{i}": day for i, day in enumerate(proposal.days)}
                )
    title = "Planifier les séances"
    return render(
        request,
        "cohorts/calendar/planning.html",
        {
            "page_title": f"{title} — {cohort.name}",
            "title": title,
            "cohort": cohort,
            "call": call,
            "form": form,
            "proposal": proposal,
            "days_form": days_form,
            "planning_data": _planning_data(request) if proposal else [],
            "school_holidays": calendar_selectors.school_holidays_of(call),
            "manages": bool(calls_managed_by(request.user).filter(pk=call.pk).exists()),
            "breadcrumb": _crumbs(request.user, cohort, title),
        },
    )


def school_holidays(request, pk: int):
    """The call's school holidays, typed by its managers, which the planning assistant avoids."""
    call: Call = get_object_or_404(calls_managed_by(request.user).select_related("programme__region"), pk=pk)
    form = SchoolHolidayForm(
        request.POST if request.method == "POST" and "remove" not in request.POST else None
    )
    if request.method == "POST" and "remove" in request.POST:
        holiday = get_object_or_404(
            SchoolHoliday.objects.filter(call=call), pk=request.POST.get("remove") or 0
        )
        report_outcome(
            request,
            lambda: calendar_services.remove_school_holiday(holiday=holiday, by=request.user),
            success=f"« {holiday.name} » retirée.",
        )
        return redirect("cohorts:calendar_school_holidays", call.pk)
    if request.method == "POST" and form.is_valid():
        try:
            added = calendar_services.add_school_holiday(call=call, by=request.user, **form.cleaned_data)
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(request, f"« {added.name} » ajoutée.")
            return redirect("cohorts:calendar_school_holidays", call.pk)
    title = "Vacances scolaires"
    return render(
        request,
        "cohorts/calendar/school_holidays.html",
        {
            "page_title": f"{title} — {call.title}",
            "title": title,
            "call": call,
            "form": form,
            "holidays": calendar_selectors.school_holidays_of(call),
            "breadcrumb": [
                ("Gestion des appels", reverse("calls:manage_list")),
                (call.title, reverse("calls:manage_call", args=[call.pk])),
                ("Constituer les collectifs", reverse("cohorts:page", args=[call.pk])),
                (title, None),
            ],
        },
    )


# « Mon agenda » and the private feed


def agenda(request):
    """The user's events, and the secret address of their feed to subscribe to."""
    feed = calendar_selectors.feed_of(request.user)
    return render(
        request,
        "cohorts/calendar/agenda.html",
        {
            "page_title": "Mon agenda",
            "events": calendar_selectors.invited_events(request.user),
            "feed_url": request.build_absolute_uri(reverse("cohorts:calendar_feed", args=[feed.token]))
            if feed
            else "",
            "breadcrumb": [("Mes collectifs", reverse("cohorts:mine")), ("Mon agenda", None)],
        },
    )


@require_POST
def feed_renew(request):
    report_outcome(
        request,
        lambda: calendar_services.renew_feed(user=request.user),
        success="Adresse de votre agenda créée : toute adresse précédente ne fonctionne plus.",
    )
    return redirect("cohorts:calendar_agenda")


@login_not_required
@require_GET
def feed(request, token: str):
    """The user's events as iCalendar, for a calendar application; no sign-in, the token is the key."""
    found = calendar_selectors.feed_of_token(token)
    if found is None:
        raise Http404("Agenda introuvable.")
    events = calendar_selectors.invited_events(found.user)
    content = calendar_ics.feed(events, name="Cap QVCT")
    response = HttpResponse(content, content_type=f"{calendar_ics.ICS_MIME}; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cap-qvct.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
