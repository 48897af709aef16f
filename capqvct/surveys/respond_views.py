"""The questionnaire for the staff: no account, no JavaScript, a page per theme, on a phone.

What they answered is kept in their browser session (the cookie Django sets, nothing else), so a
person called away can come back to the page where they stopped; it is dropped when they send. The
session holds, until then, their answers and the hash of their code; the stored response holds
neither the code nor anything about the session or the request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from capqvct.core.exceptions import Refusal
from capqvct.surveys import selectors, services
from capqvct.surveys.forms import CodeForm, SectionForm
from capqvct.surveys.models import Access
from capqvct.surveys.questionnaire import sections_of, session_key, submission

MINUTES_PER_ITEM = 0.25


def _campaign(token: str):
    return get_object_or_404(selectors.campaign_by_token(token), token=token)


def _progress(request, campaign) -> dict:
    return request.session.get(session_key(campaign), {"answers": {}, "code": "", "step": 0})


def _save(request, campaign, progress: dict) -> None:
    request.session[session_key(campaign)] = progress


def _may_answer(campaign, progress) -> bool:
    return campaign.access != Access.CODES or bool(progress.get("code"))


@login_not_required
@never_cache
def respond(request, token: str):
    """The first page: what the survey is, that it is anonymous, how long it takes; the code, if the
    campaign gives codes; the way back to where the person stopped."""
    campaign = _campaign(token)
    closed = services.accepts_answers(campaign, services.local_today(campaign))
    progress = _progress(request, campaign)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and not closed and form.is_valid():
        try:
            progress["code"] = services.check_code(campaign, form.cleaned_data.get("code", ""))
        except Refusal as refusal:
            form.add_error("code", refusal.message)
        else:
            _save(request, campaign, progress)
            return HttpResponseRedirect(
                reverse("surveys:respond_step", args=[token, progress.get("step", 0) + 1])
            )
    questions = selectors.questions_of(campaign)
    sections = sections_of(campaign, questions)
    items = len(campaign.instrument.instrument.items) + len(questions) + len(campaign.breakdowns)
    return render(
        request,
        "surveys/respond/start.html",
        {
            "page_title": "Questionnaire sur la qualité de vie au travail",
            "campaign": campaign,
            "closed": closed,
            "form": form,
            "needs_code": campaign.access == Access.CODES and not progress.get("code"),
            "started": bool(progress.get("answers")),
            "resume_step": min(progress.get("step", 0) + 1, len(sections)),
            "sections": sections,
            "minutes": max(5, round(items * MINUTES_PER_ITEM)),
            "respondent_page": True,
        },
    )


@login_not_required
@never_cache
def respond_step(request, token: str, step: int):
    campaign = _campaign(token)
    if closed := services.accepts_answers(campaign, services.local_today(campaign)):
        messages.info(request, closed.message)
        return HttpResponseRedirect(reverse("surveys:respond", args=[token]))
    progress = _progress(request, campaign)
    if not _may_answer(campaign, progress):
        return HttpResponseRedirect(reverse("surveys:respond", args=[token]))
    questions = selectors.questions_of(campaign)
    sections = sections_of(campaign, questions)
    if not 1 <= step <= len(sections) + 1:
        return HttpResponseRedirect(reverse("surveys:respond_step", args=[token, 1]))
    if step == len(sections) + 1:
        return _confirm(request, campaign, progress, questions, sections)
    section = sections[step - 1]
    form = SectionForm(
        request.POST or None,
        initial=progress["answers"],
        section=section,
        campaign=campaign,
        own_questions=questions,
        prefix=None,
    )
    if request.method == "POST" and form.is_valid():
        keys = set(form.fields)
        progress["answers"] = {
            **{key: value for key, value in progress["answers"].items() if key not in keys},
            **form.answers(),
        }
        progress["step"] = max(progress.get("step", 0), step)
        _save(request, campaign, progress)
        target = step - 1 if "previous" in request.POST else step + 1
        return HttpResponseRedirect(reverse("surveys:respond_step", args=[token, max(1, target)]))
    return render(
        request,
        "surveys/respond/step.html",
        {
            "page_title": f"{section.title} — question {step} sur {len(sections)}",
            "campaign": campaign,
            "section": section,
            "form": form,
            "step": step,
            "steps": len(sections),
            "next_title": sections[step].title if step < len(sections) else "Vérifier et envoyer",
            "respondent_page": True,
        },
    )


def _confirm(request, campaign, progress, questions, sections):
    answered = len(progress["answers"])
    if request.method == "POST":
        try:
            services.submit_response(
                campaign=campaign,
                code_digest_=progress.get("code") or None,
                **submission(progress["answers"], questions),
            )
        except Refusal as refusal:
            messages.error(request, refusal.message)
        else:
            request.session.pop(session_key(campaign), None)
            # Nothing of the answers stays: an empty session is dropped, another gets a new key (the old
            # one, if someone noted it, then names a session that no longer exists).
            if not request.session.keys():
                request.session.flush()
            else:
                request.session.cycle_key()
            return HttpResponseRedirect(reverse("surveys:thanks", args=[campaign.token]))
    return render(
        request,
        "surveys/respond/confirm.html",
        {
            "page_title": "Vérifier et envoyer",
            "campaign": campaign,
            "answered": answered,
            "sections": sections,
            "steps": len(sections),
            "respondent_page": True,
        },
    )


@login_not_required
@never_cache
def thanks(request, token: str):
    campaign = _campaign(token)
    return render(
        request,
        "surveys/respond/thanks.html",
        {"page_title": "Merci", "campaign": campaign, "respondent_page": True},
    )
