"""The workspace pages: the home (the four sequences as a stepper, the checklist of the current one,
what is late, the next collective session, the passage to the next sequence) and the page of each
sequence. Pages are read by the establishment's side, the pair and the programme managers; a POST is
taken from the establishment's side and the pair only (404 for the others)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from capqvct.approaches import feed_selectors, feed_services, selectors, services
from capqvct.approaches.forms import (
    ClosureAnswerForm,
    ClosureAskForm,
    CommentForm,
    CommitteeMeetingForm,
    CommitteeMemberForm,
    DigestForm,
    MessageForm,
    ScopeForm,
)
from capqvct.approaches.models import CommitteeMember, Message, Part
from capqvct.approaches.permissions import can_answer_closure, can_ask_closure, can_work_on
from capqvct.cohorts.attendance_forms import PostedForm
from capqvct.core.exceptions import Refusal
from capqvct.core.outcomes import report_outcome


def _visible(request, pk: int):
    return get_object_or_404(selectors.participants_visible_to(request.user), pk=pk)


def _writable(request, pk: int):
    return get_object_or_404(selectors.participants_worked_on_by(request.user), pk=pk)


def _back(participant, view: str, anchor: str = ""):
    return HttpResponseRedirect(
        reverse(f"approaches:{view}", args=[participant.pk]) + (f"#{anchor}" if anchor else "")
    )


def _crumbs(request, participant, here: str | None = None) -> list:
    home = reverse("approaches:home", args=[participant.pk])
    crumbs = [
        ("Mes collectifs", reverse("cohorts:mine")),
        (participant.establishment.name, reverse("cohorts:participation", args=[participant.pk])),
        ("Démarche QVT", home if here else None),
    ]
    return [*crumbs, (here, None)] if here else crumbs


def _run(request, form, action) -> bool:
    """Call the service with the form's data; a refusal goes to its field, or to the page's messages
    when it concerns no field. True when it succeeded."""
    try:
        action()
    except Refusal as refusal:
        if refusal.field is None:
            messages.error(request, refusal.message)
        else:
            form.add_refusal(refusal)
        return False
    return True


# Home


def home(request, pk: int):
    participant = _visible(request, pk)
    ask_form = ClosureAskForm(request.POST or None) if request.method == "POST" else ClosureAskForm()
    if request.method == "POST":
        participant = _writable(request, pk)
        ask_form.is_valid()
        if _run(
            request,
            ask_form,
            lambda: services.ask_closure(
                participant=participant, by=request.user, reason=ask_form.cleaned_data.get("reason", "")
            ),
        ):
            messages.success(request, "Demande envoyée : un intervenant du binôme va y répondre.")
            return _back(participant, "home")
    return _render_home(request, participant, ask_form=ask_form)


def _render_home(request, participant, *, ask_form=None, comment_form=None):
    summary = selectors.home_of(participant)
    return render(
        request,
        "approaches/home.html",
        {
            "page_title": f"Démarche QVT — {participant.establishment.name}",
            "participant": participant,
            "home": summary,
            "ask_form": ask_form or ClosureAskForm(),
            "answer_form": ClosureAnswerForm(),
            "may_ask": bool(can_ask_closure(request.user, participant)),
            "may_answer": bool(can_answer_closure(request.user, participant)),
            "may_work": bool(can_work_on(request.user, participant)),
            "feed": feed_selectors.feed_of(summary.approach),
            "comment_form": comment_form
            or CommentForm(people=feed_selectors.mentionable_by(participant, request.user)),
            "digest": feed_selectors.prefers_digest(request.user),
            "breadcrumb": _crumbs(request, participant),
        },
    )


@require_POST
def closure_answer(request, pk: int):
    closure = get_object_or_404(selectors.closures_answerable_by(request.user), pk=pk)
    participant = closure.approach.participant
    form = ClosureAnswerForm(request.POST)
    agree = form.agrees()
    report_outcome(
        request,
        lambda: services.answer_closure(
            closure=closure, by=request.user, agree=agree, comment=form.cleaned_data.get("comment", "")
        ),
        success="Séquence close : la suivante commence." if agree else "Réponse envoyée à l’établissement.",
    )
    return _back(participant, "home")


# Sequence 1: launch and steering


def launch(request, pk: int):
    participant = _visible(request, pk)
    approach = selectors.approach_of(participant)
    members = selectors.committee_of(approach)
    posted = PostedForm(request.POST).posted() if request.method == "POST" else ""
    data = request.POST if posted else None
    forms = {
        "member": CommitteeMemberForm(data if posted == "member" else None),
        "meeting": CommitteeMeetingForm(
            data if posted == "meeting" else None, members=[m for m in members if m.active]
        ),
        "scope": ScopeForm(
            data if posted == "scope" else None,
            initial={
                "scope_services": approach.scope_services,
                "scope_sites": approach.scope_sites,
                "scope_notes": approach.scope_notes,
            },
        ),
        "message": MessageForm(data if posted == "message" else None),
    }
    if posted in forms:
        participant = _writable(request, pk)
        form = forms[posted]
        form.is_valid()
        done = _run(request, form, lambda: _save_launch(posted, participant, request.user, form))
        if done:
            messages.success(request, LAUNCH_SAVED[posted])
            return _back(participant, "launch", posted)
    return render(
        request,
        "approaches/launch.html",
        {
            "page_title": f"Lancement et pilotage — {participant.establishment.name}",
            "participant": participant,
            "approach": approach,
            "members": members,
            "meetings": selectors.meetings_of(approach),
            "plan": selectors.messages_of(approach),
            "forms": forms,
            "may_work": bool(can_work_on(request.user, participant)),
            "documents": selectors.documents_of(approach, Part.LAUNCH),
            "part": Part.LAUNCH,
            "breadcrumb": _crumbs(request, participant, "Lancement et pilotage"),
        },
    )


LAUNCH_SAVED = {
    "member": "Membre ajouté au comité QVT.",
    "meeting": "Réunion du comité enregistrée.",
    "scope": "Périmètre enregistré.",
    "message": "Message ajouté au plan de communication.",
}


def _save_launch(posted: str, participant, by, form) -> None:
    data = form.cleaned_data
    if posted == "member":
        services.add_committee_member(
            participant=participant,
            by=by,
            name=data.get("name", ""),
            role=data.get("role", ""),
            function=data.get("function", ""),
        )
    elif posted == "meeting":
        services.record_committee_meeting(
            participant=participant,
            by=by,
            held_on=data.get("held_on"),
            attendee_ids=form.attendee_ids(),
            minutes=data.get("minutes", ""),
            decisions=data.get("decisions", ""),
        )
    elif posted == "scope":
        services.save_scope(
            participant=participant,
            by=by,
            services=data.get("scope_services", ""),
            sites=data.get("scope_sites", ""),
            notes=data.get("scope_notes", ""),
        )
    else:
        services.plan_message(
            participant=participant,
            by=by,
            audience=data.get("audience", ""),
            content=data.get("content", ""),
            channel=data.get("channel", ""),
            planned_on=data.get("planned_on"),
        )


@require_POST
def committee_member_leave(request, pk: int):
    member = get_object_or_404(
        selectors.worked_on_by(CommitteeMember, request.user).filter(active=True), pk=pk
    )
    report_outcome(
        request,
        lambda: services.remove_committee_member(member=member, by=request.user),
        success=f"{member.name} ne fait plus partie du comité.",
    )
    return _back(member.approach.participant, "launch", "comite")


@require_POST
def message_sent(request, pk: int):
    message = get_object_or_404(selectors.worked_on_by(Message, request.user), pk=pk)
    report_outcome(
        request,
        lambda: services.mark_message_sent(message=message, by=request.user),
        success="Message noté comme envoyé.",
    )
    return _back(message.approach.participant, "launch", "communication")


# The activity feed


@require_POST
def comment(request, pk: int):
    participant = _writable(request, pk)
    form = CommentForm(request.POST, people=feed_selectors.mentionable_by(participant, request.user))
    # A person to tell who is not offered (a stale page) is the form's own error, at its field.
    posted = form.is_valid() and _run(
        request,
        form,
        lambda: feed_services.post_comment(
            participant=participant,
            by=request.user,
            body=form.cleaned_data.get("body", ""),
            mention_ids=form.mention_ids(),
        ),
    )
    if posted:
        messages.success(request, "Commentaire publié.")
        return _back(participant, "home", "activite")
    return _render_home(request, participant, comment_form=form)


@require_POST
def digest(request, pk: int):
    participant = _visible(request, pk)
    daily = DigestForm(request.POST).wants_digest()
    if daily is None:
        messages.error(request, "Choisissez comment être prévenu.")
    else:
        report_outcome(
            request,
            lambda: feed_services.set_digest(user=request.user, daily=daily),
            success="Vous recevrez un résumé par jour." if daily else "Vous serez prévenu à chaque mention.",
        )
    return _back(participant, "home", "activite")
