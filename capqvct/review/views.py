"""The review's pages: the manager's dashboard of a call, the grid, a dossier's review; the reviewer's
list, the conflict-of-interest declaration and the scoring page.

Calls come through calls_managed_by and assignments through assignments_of, so an agent of another
region, a reviewer not given the dossier, or one who declared a conflict, gets a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from capqvct.applications.models import Application, ApplicationStatus
from capqvct.calls.selectors import calls_managed_by
from capqvct.core.exceptions import Refusal
from capqvct.core.network import is_local_path
from capqvct.core.outcomes import report_outcome
from capqvct.core.services import record_event
from capqvct.review import forms, selectors, services
from capqvct.review.decision_selectors import PAGE_SIZE
from capqvct.review.models import Assignment, Review, RoutingRule
from capqvct.review.permissions import can_use_private_notes
from capqvct.review.states import ASSIGNMENT, ASSIGNMENT_TONES

EMPTY_GRID_LINES = 3


def _call_for(request, call_pk: int):
    return get_object_or_404(calls_managed_by(request.user), pk=call_pk)


def _review_for(request, call_pk: int) -> Review:
    call = _call_for(request, call_pk)
    return get_object_or_404(Review.objects.select_related("call__programme__region"), call=call)


def _crumbs(call, *last: str) -> list:
    crumbs = [
        ("Gestion des appels", reverse("calls:manage_list")),
        (call.title, reverse("calls:manage_call", args=[call.pk])),
    ]
    if last:
        return [*crumbs, ("Instruction", reverse("review:dashboard", args=[call.pk])), (last[0], None)]
    return [*crumbs, ("Instruction", None)]


# The manager's pages


def dashboard(request, call_pk: int):
    """Open the review; then the grid, the routing rules, and each dossier with its reviewers and
    eligibility."""
    call = _call_for(request, call_pk)
    return _render_dashboard(request, call, Review.objects.filter(call=call).first())


def _render_dashboard(
    request, call, review: Review | None, *, routing: dict | None = None, open_form=None, status=200
):
    context = {"page_title": f"Instruction — {call.title}", "call": call, "review": review}
    context["breadcrumb"] = _crumbs(call)
    if review is None:
        context["can_open"] = services.can_open_review(call, timezone.now())
        context["open_form"] = open_form or forms.OpenReviewForm()
        return render(request, "review/dashboard.html", context, status=status)
    reviewers = selectors.eligible_reviewers(call)
    loads = selectors.active_loads(review)
    listing = forms.DashboardFilterForm(request.GET)
    page = Paginator(selectors.dashboard_dossiers(review, short_only=listing.short_only), PAGE_SIZE).get_page(
        listing.page_number
    )
    rows = []
    for application in page.object_list:
        assignments = sorted(application.assignments.all(), key=lambda a: (a.reviewer.last_name, a.pk))
        taken = {a.reviewer_id for a in assignments}
        rows.append(
            {
                "application": application,
                "active": [a for a in assignments if not a.conflict_declared_at],
                "conflicts": [a for a in assignments if a.conflict_declared_at],
                "short": application.active_reviewers < review.reviewers_per_dossier,
                "eligibility": selectors.automatic_eligibility(application),
                "decided": getattr(application, "eligibility_review", None),
                "choices": [r for r in reviewers if r.pk not in taken],
            }
        )
    context.update(
        rows=rows,
        page=page,
        short_only=listing.short_only,
        short_filter=forms.DashboardFilterForm.SHORT,
        criteria=list(review.criteria.all()),
        loads=[(r, loads.get(r.pk, 0)) for r in reviewers],
        reviewers=reviewers,
        rules=list(selectors.routing_rules(review)),
        departements=list(call.programme.region.departements.all()),
        routing=routing or {"departement": "", "reviewers": [], "error": None},
        warning=selectors.notification_warning(
            call, undecided=selectors.undecided_count(review), today=selectors.local_today(call)
        ),
    )
    return render(request, "review/dashboard.html", context, status=status)


@require_POST
def open_review(request, call_pk: int):
    call = _call_for(request, call_pk)
    form = forms.OpenReviewForm(request.POST)
    if form.is_valid():
        try:
            services.open_review(call=call, by=request.user, **form.cleaned_data)
        except Refusal as refusal:
            forms.add_refusal(form, refusal)
        else:
            messages.success(
                request, "Instruction ouverte : les dossiers déposés sont passés en instruction."
            )
            return redirect("review:dashboard", call_pk=call.pk)
    review = Review.objects.filter(call=call).first()
    return _render_dashboard(request, call, review, open_form=form, status=400)


def grid(request, call_pk: int):
    """The scoring grid, as many criteria as the call needs: a line each (label, details, coefficient,
    maximum), « Ajouter un critère » for one more line, « Supprimer » to drop one; blank lines are
    ignored."""
    review = _review_for(request, call_pk)
    locked = review.criteria.filter(scores__value__isnull=False).exists()
    if request.method != "POST":
        criteria = list(review.criteria.all())
        formset = forms.grid_formset(extra=1 if criteria else EMPTY_GRID_LINES)(
            initial=forms.criterion_lines(criteria)
        )
        return _render_grid(request, review, formset, locked=locked)
    posted = forms.grid_formset(extra=0)(request.POST)
    if posted.adds_a_line() and posted.management_form.is_valid():
        # One more blank line, and everything typed kept as it is, nothing checked yet.
        formset = forms.grid_formset(extra=1)(initial=forms.typed_lines(posted))
        return _render_grid(request, review, formset, locked=locked)
    if posted.is_valid():
        try:
            services.set_grid(review=review, criteria=posted.criteria(), by=request.user)
        except Refusal as refusal:
            posted.add_refusal(refusal)
        else:
            messages.success(request, "Grille de notation enregistrée.")
            return redirect("review:dashboard", call_pk=review.call_id)
    return _render_grid(request, review, posted, locked=locked, status=400)


def _render_grid(request, review: Review, formset, *, locked: bool, status: int = 200):
    return render(
        request,
        "review/grid.html",
        {
            "page_title": f"Grille de notation — {review.call.title}",
            "review": review,
            "call": review.call,
            "formset": formset,
            "locked": locked,
            "breadcrumb": _crumbs(review.call, "Grille de notation"),
        },
        status=status,
    )


@require_POST
def assign_automatically(request, call_pk: int):
    review = _review_for(request, call_pk)
    try:
        result = services.assign_automatically(review=review, by=request.user)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        plural = "s" if result.created != 1 else ""
        text = f"Répartition faite : {result.created} affectation{plural} créée{plural}."
        if result.short:
            text += (
                f" {result.short} dossier{'s' if result.short != 1 else ''} "
                f"sans assez d’instructeurs disponibles."
            )
        messages.success(request, text)
    return redirect("review:dashboard", call_pk=review.call_id)


@require_POST
def complete(request, call_pk: int, pk: int):
    """« Compléter »: give a dossier left short the reviewers it misses, as the automatic assignment
    would; say who, or why nobody could be."""
    review = _review_for(request, call_pk)
    application = _dossier_for(review, pk)
    try:
        completion = services.complete_dossier(review=review, application=application, by=request.user)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        _report_completion(request, application, completion)
    return redirect(_back(request, reverse("review:dashboard", args=[review.call_id])))


def _report_completion(request, application: Application, completion: services.Completion) -> None:
    name = application.establishment.name
    pool = (
        f"le groupe du département {completion.routed_to} n’a"
        if completion.routed_to
        else "les agents de l’ARS et de l’Aract de la région n’ont"
    )
    why = (
        f"{pool} pas d’autre instructeur disponible (déjà sur le dossier, conflit d’intérêts déclaré "
        "ou membre de l’établissement)."
    )
    if not completion.assigned:
        messages.error(request, f"Personne n’a pu être désigné pour {name} : {why}")
        return
    text = f"Dossier {name} confié à {_names(completion.assigned)}."
    if completion.missing:
        plural = "s" if completion.missing > 1 else ""
        text += f" Il manque encore {completion.missing} instructeur{plural} : {why}"
        messages.warning(request, text)
    else:
        messages.success(request, text)


def _names(users) -> str:
    names = [str(user) for user in users]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


@require_POST
def routing_rule(request, call_pk: int):
    """Add (or replace) the rule of a département; on a mistake, the dashboard again with the choices."""
    review = _review_for(request, call_pk)
    form = forms.RoutingRuleForm(request.POST, reviewers=selectors.eligible_reviewers(review.call))
    try:
        if not form.is_valid():
            raise forms.first_error(form)
        rule = services.set_routing_rule(
            review=review,
            departement_code=form.cleaned_data["departement"],
            reviewer_ids=form.cleaned_data["reviewers"],
            by=request.user,
        )
    except Refusal as refusal:
        routing = {**form.typed(), "error": refusal}
        return _render_dashboard(request, review.call, review, routing=routing, status=400)
    messages.success(
        request, f"Règle enregistrée : les dossiers du département {rule.departement} iront au groupe choisi."
    )
    return redirect(reverse("review:dashboard", args=[review.call_id]) + "#regles")


@require_POST
def delete_routing_rule(request, pk: int):
    rule = get_object_or_404(
        RoutingRule.objects.select_related("review__call", "departement"),
        pk=pk,
        review__call__in=calls_managed_by(request.user),
    )
    report_outcome(
        request,
        lambda: services.delete_routing_rule(rule=rule, by=request.user),
        success=f"Règle du département {rule.departement} supprimée.",
    )
    return redirect(reverse("review:dashboard", args=[rule.review.call_id]) + "#regles")


def _dossier_for(review: Review, pk: int) -> Application:
    return get_object_or_404(
        selectors.review_dossiers(review).select_related("call__programme__region"), pk=pk
    )


def dossier(request, call_pk: int, pk: int):
    """A dossier's review for its managers: eligibility, reviewers, every score, private notes."""
    review = _review_for(request, call_pk)
    application = _dossier_for(review, pk)
    record_event(action="dossier_read", actor=request.user, target=application, request=request)
    assignments = list(application.assignments.select_related("reviewer").order_by("assigned_at", "pk"))
    notes_allowed = can_use_private_notes(request.user, application)
    conflicts = selectors.manager_conflicts(review.call, [application.pk]).get(application.pk, [])
    return render(
        request,
        "review/dossier.html",
        {
            "page_title": f"Instruction — {application.establishment.name}",
            "review": review,
            "call": review.call,
            "application": application,
            "view": selectors.dossier_view(application, blind=False, file_url=_file_url),
            "eligibility": selectors.automatic_eligibility(application),
            "decided": getattr(application, "eligibility_review", None),
            "assignments": assignments,
            "conflict_notices": selectors.conflict_notices(conflicts, request.user),
            "choices": [
                r
                for r in selectors.eligible_reviewers(review.call)
                if r.pk not in {a.reviewer_id for a in assignments}
            ],
            "scores": _scores_by_reviewer(request.user, application),
            "notes_allowed": notes_allowed,
            "notes": application.private_notes.select_related("author") if notes_allowed else [],
            "breadcrumb": _crumbs(review.call, application.establishment.name),
        },
    )


@require_POST
def assign(request, call_pk: int, pk: int):
    """Give the dossier to a chosen agent of the region, or to an outside expert by e-mail."""
    review = _review_for(request, call_pk)
    application = _dossier_for(review, pk)
    form = forms.AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, forms.first_error(form).message)
    else:
        reviewer = form.cleaned_data["chosen"]
        report_outcome(
            request,
            lambda: services.assign(
                review=review, application=application, reviewer=reviewer, by=request.user
            ),
            success=f"Dossier confié à {reviewer}.",
        )
    return redirect(_back(request, reverse("review:dashboard", args=[review.call_id])))


@require_POST
def unassign(request, pk: int):
    assignment = get_object_or_404(
        Assignment.objects.filter(application__call__in=calls_managed_by(request.user)).select_related(
            "application__call", "reviewer"
        ),
        pk=pk,
    )
    report_outcome(
        request,
        lambda: services.unassign(assignment=assignment, by=request.user),
        success=f"Dossier retiré à {assignment.reviewer}.",
    )
    return redirect(_back(request, reverse("review:dashboard", args=[assignment.application.call_id])))


@require_POST
def eligibility(request, call_pk: int, pk: int):
    review = _review_for(request, call_pk)
    application = _dossier_for(review, pk)
    _report_form_outcome(
        request,
        forms.EligibilityForm(request.POST),
        lambda data: services.review_eligibility(
            application=application, eligible=data["eligible"], reason=data["reason"], by=request.user
        ),
        success="Éligibilité enregistrée.",
    )
    return redirect(_back(request, reverse("review:dossier", args=[review.call_id, application.pk])))


@require_POST
def private_note(request, pk: int):
    """A note read by the call's managers and by the dossier's reviewers cleared of any conflict; to
    anyone else the dossier is not found."""
    application = get_object_or_404(
        Application.objects.filter(status=ApplicationStatus.IN_REVIEW).select_related("call__programme"),
        pk=pk,
    )
    if not can_use_private_notes(request.user, application):
        raise Http404
    _report_form_outcome(
        request,
        forms.PrivateNoteForm(request.POST),
        lambda data: services.add_private_note(application=application, text=data["text"], by=request.user),
        success="Note interne ajoutée.",
    )
    return redirect(_back(request, reverse("review:my_assignments")))


def _report_form_outcome(request, form, action, *, success: str) -> None:
    """A one-button action with a few fields: the form's first error, or the service's outcome."""
    if form.is_valid():
        report_outcome(request, lambda: action(form.cleaned_data), success=success)
    else:
        messages.error(request, forms.first_error(form).message)


def _back(request, default: str) -> str:
    """The page the form came from (its `next` field) when it is a path of this site."""
    form = forms.BackForm(request.POST)
    target = form.cleaned_data["next"] if form.is_valid() else ""
    if is_local_path(target, request):
        return target
    return default


def _file_url(value: dict) -> str | None:
    attachment_id = value.get("id") if isinstance(value, dict) else None
    return reverse("applications:attachment", args=[attachment_id]) if attachment_id else None


def _scores_by_reviewer(user, application) -> list[dict]:
    """The scores the user may see, grouped by reviewer's assignment."""
    grouped: dict[int, dict] = {}
    for score in selectors.scores_visible_to(user, application).order_by(
        "assignment__pk", "criterion__position", "criterion__pk"
    ):
        entry = grouped.setdefault(score.assignment_id, {"assignment": score.assignment, "scores": []})
        entry["scores"].append(score)
    return list(grouped.values())


# The reviewer's pages


def my_assignments(request):
    """« Mes dossiers à instruire »: the dossiers given to the user, without declared conflicts."""
    assignments = list(selectors.assignments_of(request.user))
    for assignment in assignments:
        review = assignment.application.call.review
        assignment.blind = selectors.is_blind_for(assignment, review)
        assignment.actions = ASSIGNMENT.allowed_actions(assignment, by=request.user)
        assignment.tone = ASSIGNMENT_TONES[assignment.state]
    return render(
        request,
        "review/my_assignments.html",
        {"page_title": "Mes dossiers à instruire", "assignments": assignments},
    )


def _assignment_for(request, pk: int) -> Assignment:
    return get_object_or_404(selectors.assignments_of(request.user), pk=pk)


def _assignment_title(assignment: Assignment) -> str:
    application = assignment.application
    if selectors.is_blind_for(assignment, application.call.review):
        return f"Dossier n° {application.pk}"
    return application.establishment.name


def conflict(request, pk: int):
    """Before the dossier: the reviewer states whether they have a conflict of interest with it; after
    stating there is none, they may still declare one until they submit (?declarer=1, from the scores)."""
    assignment = _assignment_for(request, pk)
    actions = ASSIGNMENT.allowed_actions(assignment, by=request.user)
    declaring_after_reading = "declarer" in request.GET and "declare_conflict" in actions
    if request.method == "GET" and "declare_no_conflict" not in actions and not declaring_after_reading:
        return redirect("review:score", pk=assignment.pk)
    error = None
    form = forms.ConflictForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        try:
            if not form.is_valid():
                raise forms.first_error(form)
            if form.declares_conflict:
                whole_legal_entity = form.whole_legal_entity
                services.declare_conflict(
                    assignment=assignment,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    whole_legal_entity=whole_legal_entity,
                )
                messages.success(
                    request,
                    "Conflit d’intérêts enregistré : les dossiers de cet organisme gestionnaire ne vous "
                    "seront pas confiés."
                    if whole_legal_entity
                    else "Conflit d’intérêts enregistré : ce dossier ne vous est plus confié.",
                )
                return redirect("review:my_assignments")
            services.declare_no_conflict(assignment=assignment, by=request.user)
            return redirect("review:score", pk=assignment.pk)
        except Refusal as refusal:
            error = refusal
            messages.error(request, refusal.message)
    return render(
        request,
        "review/conflict.html",
        {
            "page_title": "Déclaration de conflit d’intérêts",
            "assignment": assignment,
            "actions": actions,
            "title": _assignment_title(assignment),
            "error": error,
            "reason": form["reason"].value() or "",
            "scope": form["scope"].value() or "establishment",
            "breadcrumb": [
                ("Mes dossiers à instruire", reverse("review:my_assignments")),
                (_assignment_title(assignment), None),
            ],
        },
    )


def score(request, pk: int):
    """The dossier (blind when the review asks it of experts), then the grid to score and comment."""
    assignment = _assignment_for(request, pk)
    if not selectors.declared_no_conflict(assignment):
        return redirect("review:conflict", pk=assignment.pk)
    application = assignment.application
    if request.method == "GET":
        record_event(action="dossier_read", actor=request.user, target=application, request=request)
    review = application.call.review
    criteria = list(review.criteria.all())
    if request.method == "POST":
        form = forms.ScoreForm(request.POST, criteria=criteria)
        try:
            if not form.is_valid():
                raise forms.first_error(form)
            services.save_scores(assignment=assignment, values=form.values(), by=request.user)
            if form.submits():
                services.submit_scores(assignment=assignment, by=request.user)
                messages.success(request, "Notation remise : les notes des autres instructeurs s’affichent.")
            else:
                messages.success(request, "Notation enregistrée.")
            return redirect("review:score", pk=assignment.pk)
        except Refusal as refusal:
            # The service names a criterion's note `criterion-<pk>`; the form calls it `value-<pk>`.
            forms.add_refusal(form, refusal, field=(refusal.field or "").replace("criterion-", "value-"))
            messages.error(request, refusal.message)
    else:
        form = forms.ScoreForm(criteria=criteria, initial=forms.saved_scores(assignment.scores.all()))
    lines = [form.line(criterion) for criterion in criteria]
    blind = selectors.is_blind_for(assignment, review)
    agent = can_use_private_notes(request.user, application)
    others = [
        entry
        for entry in _scores_by_reviewer(request.user, application)
        if entry["assignment"].pk != assignment.pk
    ]
    return render(
        request,
        "review/score.html",
        {
            "page_title": f"Notation — {_assignment_title(assignment)}",
            "assignment": assignment,
            "application": application,
            "call": application.call,
            "review": review,
            "view": selectors.dossier_view(
                application, blind=blind, file_url=None if assignment.is_expert else _file_url
            ),
            "lines": lines,
            "others": others,
            "sealed": assignment.submitted_at is not None,
            "actions": ASSIGNMENT.allowed_actions(assignment, by=request.user),
            "agent": agent,
            "notes": application.private_notes.select_related("author") if agent else [],
            "breadcrumb": [
                ("Mes dossiers à instruire", reverse("review:my_assignments")),
                (_assignment_title(assignment), None),
            ],
        },
    )
