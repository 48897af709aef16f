"""Decisions pages: the managers' drafting, commission and notification page, the letter, and the
applicant's view of their decision.

Managers reach a call through calls_managed_by, applicants a dossier through
applications_of_applicant: anyone else gets a 404.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from dsfr.forms import DsfrBaseForm

from capqvct.applications.models import Application, ApplicationStatus
from capqvct.applications.selectors import applications_of_applicant
from capqvct.calls.models import Call
from capqvct.calls.selectors import calls_managed_by
from capqvct.core.exceptions import Refusal
from capqvct.core.outcomes import report_outcome
from capqvct.core.services import record_event
from capqvct.review import decisions, selectors
from capqvct.review.letters import decision_letter_pdf, letter_file_name
from capqvct.review.models import Decision, Outcome, Review
from capqvct.review.states import DECISION


@dataclass(frozen=True)
class Progress:
    notified: int  # sent and not come back
    failed: int  # the mail server refused it at once
    bounced: int  # accepted, then came back in error
    pending: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.notified / self.total) if self.total else 0

    @property
    def unsent(self) -> int:
        """Decisions that « Notifier les décisions » would still send (bounced ones are sent one by one)."""
        return self.total - self.notified - self.bounced


def notification_progress(review: Review | None, call: Call) -> Progress:
    confirmed = decisions.decisions_of_call(call).filter(confirmed_at__isnull=False)
    requested_at = decisions.notification_requested_at(review) if review else None
    counts = confirmed.aggregate(
        total=Count("pk"),
        notified=Count("pk", filter=Q(notified_at__isnull=False, bounced_at__isnull=True)),
        failed=Count("pk", filter=Q(notified_at__isnull=True) & ~Q(notification_error="")),
        bounced=Count("pk", filter=Q(notified_at__isnull=False, bounced_at__isnull=False)),
        pending=Count(
            "pk",
            filter=Q(notified_at__isnull=True, notification_error="", confirmed_at__lte=requested_at)
            if requested_at
            else Q(pk__in=[]),
        ),
    )
    return Progress(**counts)


def _call_for(request, pk: int) -> Call:
    return get_object_or_404(calls_managed_by(request.user), pk=pk)


def _crumbs(call: Call) -> list:
    return [
        ("Gestion des appels", reverse("calls:manage_list")),
        (call.title, reverse("calls:manage_call", args=[call.pk])),
        ("Décisions", None),
    ]


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def decisions_page(request, pk: int):
    """Each dossier in review with its decision; the commission; the notification and its progress."""
    call = _call_for(request, pk)
    review = Review.objects.filter(call=call).first()
    dossiers = list(
        Application.objects.filter(call=call, status=ApplicationStatus.IN_REVIEW)
        .select_related("call__programme", "establishment__departement", "decision__confirmed_by")
        .order_by("establishment__name", "pk")
    )
    for dossier in dossiers:
        dossier.current = getattr(dossier, "decision", None)
        # What the row offers: the draft form, « Modifier » or « Renvoyer ».
        dossier.actions = (
            DECISION.allowed_actions(dossier.current, by=request.user) if dossier.current else {}
        )
    drafted = [d.current for d in dossiers if d.current and d.current.confirmed_at is None]
    confirmed = [d.current for d in dossiers if d.current and d.current.confirmed_at is not None]
    counts = {outcome: 0 for outcome in Outcome.values}
    for dossier in dossiers:
        if dossier.current:
            counts[dossier.current.outcome] += 1
    undecided = len(dossiers) - len(confirmed)
    progress = notification_progress(review, call)
    return render(
        request,
        "review/decisions/page.html",
        {
            "page_title": f"Décisions — {call.title}",
            "breadcrumb": _crumbs(call),
            "call": call,
            "review": review,
            "dossiers": dossiers,
            "outcomes": Outcome.choices,
            "counts": [(label, counts[value]) for value, label in Outcome.choices],
            "selected": counts[Outcome.SELECTED],
            "over_places": call.places is not None and counts[Outcome.SELECTED] > call.places,
            "drafted_count": len(drafted),
            "undecided": undecided,
            "warning": selectors.notification_warning(
                call, undecided=undecided, today=selectors.local_today(call)
            ),
            "progress": progress,
        },
    )


def progress_fragment(request, pk: int):
    """The notification progress, polled by htmx every 2 s while letters are being sent."""
    call = _call_for(request, pk)
    review = Review.objects.filter(call=call).first()
    return render(
        request,
        "review/decisions/_progress.html",
        {"call": call, "progress": notification_progress(review, call)},
    )


@require_POST
def draft(request, pk: int, application_pk: int):
    call = _call_for(request, pk)
    application = get_object_or_404(
        call.applications.select_related("call__programme__region"), pk=application_pk
    )
    report_outcome(
        request,
        lambda: decisions.draft_decision(
            application=application,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", ""),
            waiting_rank=_int_or_none(request.POST.get("waiting_rank", "")),
            by=request.user,
        ),
        success=f"Projet de décision enregistré pour « {application.establishment.name} ».",
    )
    return redirect(f"{reverse('review:decisions', args=[call.pk])}#dossier-{application.pk}")


def _review_of(call: Call) -> Review:
    return get_object_or_404(Review, call=call)


@require_POST
def confirm(request, pk: int):
    call = _call_for(request, pk)
    review = _review_of(call)
    report_outcome(
        request,
        lambda: decisions.confirm_decisions(
            review=review,
            by=request.user,
            places_override_reason=request.POST.get("places_override_reason", ""),
        ),
        success="Décisions confirmées en commission.",
    )
    return redirect("review:decisions", call.pk)


@require_POST
def notify(request, pk: int):
    call = _call_for(request, pk)
    review = _review_of(call)
    report_outcome(
        request,
        lambda: decisions.notify_decisions(review=review, by=request.user),
        success="Notification lancée : les lettres et e-mails partent en arrière-plan.",
    )
    return redirect("review:decisions", call.pk)


def _managed_decision(request, pk: int) -> Decision:
    return get_object_or_404(
        Decision.objects.select_related("application__call__programme__region", "application__establishment"),
        pk=pk,
        application__call__in=calls_managed_by(request.user),
    )


@require_POST
def retry(request, pk: int):
    decision = _managed_decision(request, pk)
    report_outcome(
        request,
        lambda: decisions.retry_notification(decision=decision, by=request.user),
        success="Nouvel envoi lancé.",
    )
    return redirect("review:decisions", decision.application.call_id)


class ChangeDecisionForm(DsfrBaseForm):
    outcome = forms.ChoiceField(label="Nouvelle décision", choices=Outcome.choices)
    waiting_rank = forms.IntegerField(
        label="Rang sur la liste d’attente",
        required=False,
        min_value=1,
        help_text="Pour une inscription sur la liste d’attente ; en dernier si vide.",
    )
    reason = forms.CharField(label="Motif adressé au candidat", widget=forms.Textarea(attrs={"rows": 4}))
    change_reason = forms.CharField(
        label="Motif du changement",
        help_text="Consigné dans l’historique ; le candidat ne le lit pas.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    places_override_reason = forms.CharField(
        label="Motif du dépassement du nombre de places",
        required=False,
        help_text="Seulement si cette décision fait dépasser le nombre de places.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def add_refusal(self, refusal: Refusal) -> None:
        self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)


def change(request, pk: int):
    """Change a confirmed decision, with a reason; the applicant is notified again."""
    decision = _managed_decision(request, pk)
    call = decision.application.call
    initial = {"outcome": decision.outcome, "reason": decision.reason, "waiting_rank": decision.waiting_rank}
    form = ChangeDecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decisions.change_decision(decision=decision, by=request.user, **data)
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            return redirect("review:decisions", call.pk)
    return render(
        request,
        "review/decisions/change.html",
        {
            "page_title": "Modifier une décision confirmée",
            "breadcrumb": [
                *_crumbs(call)[:2],
                ("Décisions", reverse("review:decisions", args=[call.pk])),
                ("Modifier", None),
            ],
            "call": call,
            "decision": decision,
            "form": form,
        },
    )


def letter(request, pk: int):
    """The decision letter: managers of the call at any time (a preview before sending), the
    establishment's members once it has been notified."""
    application = _application_for_letter(request, pk)
    decision = getattr(application, "decision", None)
    if decision is None:
        raise Http404("Aucune décision pour ce dossier.")
    record_event(action="letter_downloaded", actor=request.user, target=application, request=request)
    return FileResponse(
        iter([decision_letter_pdf(decision)]),
        content_type="application/pdf",
        filename=letter_file_name(decision),
    )


def _application_for_letter(request, pk: int) -> Application:
    related = ("call__programme__region", "establishment", "decision__confirmed_by")
    managed = Application.objects.filter(pk=pk, call__in=calls_managed_by(request.user)).select_related(
        *related
    )
    if application := managed.first():
        return application
    return get_object_or_404(
        applications_of_applicant(request.user).select_related(*related),
        pk=pk,
        decision__notified_at__isnull=False,
    )


def applicant_decision(request, pk: int):
    """The applicant's view of their dossier's state and, once notified, the decision and its letter."""
    application = get_object_or_404(applications_of_applicant(request.user).select_related("decision"), pk=pk)
    decision = getattr(application, "decision", None)
    if decision is not None and decision.notified_at is None:
        decision = None
    return render(
        request,
        "review/decisions/applicant_decision.html",
        {
            "page_title": f"Décision — {application.call.title}",
            "breadcrumb": [("Mes dossiers", reverse("applications:mine")), ("Décision", None)],
            "application": application,
            "call": application.call,
            "decision": decision,
            "state": application.state_for_applicant,
        },
    )
