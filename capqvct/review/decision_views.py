"""Decisions pages: the managers' drafting, commission and notification page, the letter, and the
applicant's view of their decision.

Managers reach a call through calls_managed_by, applicants a dossier through
applications_of_applicant: anyone else gets a 404.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST
from dsfr.forms import DsfrBaseForm

from capqvct.applications.models import Application
from capqvct.applications.selectors import applications_of_applicant
from capqvct.calls.models import Call
from capqvct.calls.selectors import calls_managed_by
from capqvct.core.exceptions import Refusal
from capqvct.core.outcomes import report_outcome
from capqvct.core.services import record_event
from capqvct.review import decisions, selectors
from capqvct.review.decision_drafts import Draft, RowRefusal, draft_decisions
from capqvct.review.decision_forms import CommissionForm, DraftRowForm, ProposalForm, ProposalReasonsForm
from capqvct.review.decision_selectors import (
    decision_counts,
    decision_page,
    pending_eligibility,
    propose_decisions,
    ranked_dossiers_in_review,
)
from capqvct.review.letters import addressee_name, decision_letter_pdf, letter_file_name
from capqvct.review.models import Decision, Outcome, Review


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


# At most this many dossiers named in the « eligibility not confirmed » warning; the rest are counted.
PENDING_SHOWN = 10


def _page_url(call: Call, page=None) -> str:
    url = reverse("review:decisions", args=[call.pk])
    return f"{url}?page={page}" if page and str(page) != "1" else url


def _summary(call: Call, review: Review | None, dossiers: list) -> dict:
    """What the decisions page and its confirmation pages show of the whole call (constant size)."""
    counts = decision_counts(call)
    pending = pending_eligibility(dossiers)
    undecided = len(dossiers) - counts.confirmed
    return {
        "call": call,
        "review": review,
        "total": len(dossiers),
        "counts": counts,
        "selected": counts.selected,
        "over_places": call.places is not None and counts.selected > call.places,
        "undecided": undecided,
        "pending": pending[:PENDING_SHOWN],
        "pending_more": max(0, len(pending) - PENDING_SHOWN),
        "pending_total": len(pending),
        "ranking_pending_url": f"{reverse('review:ranking', args=[call.pk])}?eligibilite=pending",
    }


def decisions_page(request, pk: int):
    """The call's dossiers in ranking order, a page at a time, with one form for every draft of the
    page; the commission, the notification and its progress."""
    call = _call_for(request, pk)
    review = Review.objects.filter(call=call).first()
    dossiers = ranked_dossiers_in_review(review)
    posted = request.method == "POST"
    page, rows = decision_page(
        dossiers, (request.POST if posted else request.GET).get("page"), call=call, by=request.user
    )
    for row in rows:
        row.form = None
        if row.draftable:
            decision = row.decision
            initial = (
                {
                    "outcome": decision.outcome,
                    "waiting_rank": decision.waiting_rank,
                    "reason": decision.reason,
                }
                if decision
                else {}
            )
            row.form = DraftRowForm(
                request.POST if posted else None, prefix=f"d{row.application_id}", initial=initial
            )
    forms_of = {row.application_id: row.form for row in rows if row.form}
    page_error = ""
    if posted:
        if review is None:
            raise Http404("L’instruction de cet appel n’est pas ouverte.")
        if all([form.is_valid() for form in forms_of.values()]):
            drafts = [
                Draft(
                    application_id=application_id,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    waiting_rank=form.cleaned_data["waiting_rank"],
                )
                for application_id, form in forms_of.items()
                if form.cleaned_data["outcome"] and form.has_changed()
            ]
            if not drafts:
                messages.info(request, "Aucun changement à enregistrer sur cette page.")
                return redirect(_page_url(call, page.number))
            try:
                saved = draft_decisions(call=call, drafts=drafts, by=request.user)
            except RowRefusal as refusal:
                forms_of[refusal.application_id].add_refusal(refusal)
            except Refusal as refusal:
                page_error = refusal.message
            else:
                messages.success(
                    request, f"{saved} projet{pluralize(saved)} de décision enregistré{pluralize(saved)}."
                )
                return redirect(_page_url(call, page.number))
    in_error = [row for row in rows if row.form is not None and row.form.errors]
    progress = notification_progress(review, call)
    summary = _summary(call, review, dossiers)
    return render(
        request,
        "review/decisions/page.html",
        {
            **summary,
            "page_title": f"Décisions — {call.title}",
            "breadcrumb": _crumbs(call),
            "page": page,
            "rows": rows,
            "outcomes": Outcome.choices,
            "in_error": in_error,
            "page_error": page_error,
            "proposal_form": ProposalForm(initial={"retenus": call.places, "attente": 0}),
            "warning": selectors.notification_warning(
                call, undecided=summary["undecided"], today=selectors.local_today(call)
            ),
            "progress": progress,
        },
        status=400 if posted else 200,
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


def _review_of(call: Call) -> Review:
    return get_object_or_404(Review, call=call)


def _confirmation_crumbs(call: Call, label: str) -> list:
    return [*_crumbs(call)[:2], ("Décisions", reverse("review:decisions", args=[call.pk])), (label, None)]


def propose(request, pk: int):
    """« Retenir les N premiers »: the drafts it would make for the whole call, shown for review, then
    saved together."""
    call = _call_for(request, pk)
    review = _review_of(call)
    data = request.POST if request.method == "POST" else request.GET
    # A first visit shows the form with the call's places, without errors.
    form = ProposalForm(data) if data else ProposalForm(initial={"retenus": call.places, "attente": 0})
    proposal = reasons = None
    status = 200
    if form.is_valid():
        dossiers = ranked_dossiers_in_review(review)
        proposal = propose_decisions(
            dossiers, selected=form.cleaned_data["retenus"], waiting=form.cleaned_data["attente"] or 0
        )
        outcomes = [value for value in Outcome.values if proposal.count(value)]
        reasons = ProposalReasonsForm(request.POST if request.method == "POST" else None, outcomes=outcomes)
        if request.method == "POST":
            if reasons.is_valid():
                drafts = [
                    Draft(
                        application_id=row.dossier.application_id,
                        outcome=row.outcome,
                        reason=reasons.reason(row.outcome),
                        waiting_rank=None,
                    )
                    for row in proposal.rows
                ]
                try:
                    saved = draft_decisions(call=call, drafts=drafts, by=request.user)
                except RowRefusal as refusal:
                    name = next(
                        row.dossier.establishment_name
                        for row in proposal.rows
                        if row.dossier.application_id == refusal.application_id
                    )
                    reasons.add_error(None, f"« {name} »\u00a0: {refusal.message}")
                except Refusal as refusal:
                    reasons.add_error(None, refusal.message)
                else:
                    messages.success(
                        request,
                        f"{saved} projet{pluralize(saved)} de décision enregistré{pluralize(saved)}\u00a0: "
                        "relisez-les, puis confirmez-les en commission.",
                    )
                    return redirect("review:decisions", call.pk)
            status = 400
    elif form.is_bound:
        status = 400
    return render(
        request,
        "review/decisions/propose.html",
        {
            **_summary(call, review, ranked_dossiers_in_review(review) if proposal is None else dossiers),
            "page_title": f"Proposer les décisions — {call.title}",
            "breadcrumb": _confirmation_crumbs(call, "Proposer les décisions"),
            "form": form,
            "proposal": proposal,
            "reasons": reasons,
            "selected_rows": proposal.of(Outcome.SELECTED) if proposal else [],
            "waiting_rows": proposal.of(Outcome.WAITING_LIST) if proposal else [],
        },
        status=status,
    )


def confirm(request, pk: int):
    """The commission: a page that sums up the drafts, then confirms them all at once."""
    call = _call_for(request, pk)
    review = _review_of(call)
    form = CommissionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = decisions.confirm_decisions(
                review=review,
                by=request.user,
                places_override_reason=form.cleaned_data["places_override_reason"],
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            count = len(confirmed)
            messages.success(
                request, f"{count} décision{pluralize(count)} confirmée{pluralize(count)} en commission."
            )
            return redirect("review:decisions", call.pk)
    return render(
        request,
        "review/decisions/confirm.html",
        {
            **_summary(call, review, ranked_dossiers_in_review(review)),
            "page_title": f"Confirmer en commission — {call.title}",
            "breadcrumb": _confirmation_crumbs(call, "Confirmer en commission"),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def notify(request, pk: int):
    """How many letters and e-mails will leave, then « Notifier »."""
    call = _call_for(request, pk)
    review = _review_of(call)
    error = ""
    if request.method == "POST":
        try:
            count = decisions.notify_decisions(review=review, by=request.user)
        except Refusal as refusal:
            error = refusal.message
        else:
            messages.success(
                request,
                f"Notification lancée pour {count} décision{pluralize(count)}\u00a0: les lettres et "
                "e-mails partent en arrière-plan.",
            )
            return redirect("review:decisions", call.pk)
    return render(
        request,
        "review/decisions/notify.html",
        {
            "call": call,
            "review": review,
            "counts": decision_counts(call),
            "progress": notification_progress(review, call),
            "error": error,
            "page_title": f"Notifier les décisions — {call.title}",
            "breadcrumb": _confirmation_crumbs(call, "Notifier les décisions"),
        },
        status=400 if error else 200,
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


def _managed_decision(request, pk: int) -> Decision:
    return get_object_or_404(
        Decision.objects.select_related("application__call__programme__region", "application__establishment"),
        pk=pk,
        application__call__in=calls_managed_by(request.user),
    )


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
    application = get_object_or_404(
        applications_of_applicant(request.user).select_related("decision", "establishment"), pk=pk
    )
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
            "addressee": addressee_name(application.establishment),
            "state": application.state_for_applicant,
        },
    )
