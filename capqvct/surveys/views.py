"""The survey pages of an approach's workspace: the campaigns of an establishment, one campaign (its
access, its questions, its participation, then its results), the paper entries, the review of free
texts, and the downloads. Read by those who read the workspace; a POST is taken from those who work in
it (404 for the others)."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from capqvct.approaches.permissions import can_work_on, is_establishment_side
from capqvct.approaches.selectors import participants_visible_to, participants_worked_on_by
from capqvct.cohorts.attendance_forms import PostedForm
from capqvct.cohorts.permissions import is_pair_consultant
from capqvct.core.exceptions import Refusal
from capqvct.core.exports import export_response
from capqvct.core.permissions import require
from capqvct.surveys import documents, selectors, services
from capqvct.surveys import research as research_module
from capqvct.surveys.forms import CampaignForm, CodesForm, OwnQuestionForm, ReviewForm, SectionForm
from capqvct.surveys.models import Access, CampaignStatus, OwnQuestion
from capqvct.surveys.permissions import can_export_for_research
from capqvct.surveys.questionnaire import sections_of, submission
from capqvct.surveys.results import results_of


def _crumbs(participant, here: str | None = None, campaign=None) -> list:
    crumbs = [
        ("Mes collectifs", reverse("cohorts:mine")),
        (participant.establishment.name, reverse("cohorts:participation", args=[participant.pk])),
        ("Démarche QVT", reverse("approaches:home", args=[participant.pk])),
        ("Enquête auprès des salariés", reverse("surveys:campaigns", args=[participant.pk])),
    ]
    if campaign is not None:
        crumbs.append(
            (campaign.get_wave_display(), reverse("surveys:campaign", args=[campaign.pk]) if here else None)
        )
    if here:
        crumbs.append((here, None))
    else:
        crumbs[-1] = (crumbs[-1][0], None)
    return crumbs


def _refused(request, form, refusal: Refusal) -> None:
    if refusal.field is None or form is None:
        messages.error(request, refusal.message)
    else:
        form.add_refusal(refusal)


def campaigns(request, pk: int):
    """An establishment's two waves, and the form that opens one."""
    participant = get_object_or_404(participants_visible_to(request.user), pk=pk)
    instruments = selectors.instruments_for(participant)
    campaigns = list(selectors.campaigns_with_counts(participant))
    next_wave = 2 if any(campaign.wave == 1 for campaign in campaigns) else 1
    form = CampaignForm(request.POST or None, instruments=instruments, initial={"wave": next_wave})
    if request.method == "POST":
        participant = get_object_or_404(participants_worked_on_by(request.user), pk=pk)
        form.is_valid()
        data = form.cleaned_data
        try:
            if form.errors:
                raise Refusal("")
            instrument = form.chosen_instrument()
            if instrument is None:
                raise Refusal("Choisissez le questionnaire.", field="instrument")
            campaign = services.create_campaign(
                participant=participant,
                by=request.user,
                wave=data.get("wave"),
                instrument=instrument,
                opens_on=data.get("opens_on"),
                closes_on=data.get("closes_on"),
                headcount=data.get("headcount"),
                access=data.get("access") or Access.LINK,
                breakdowns=data.get("breakdowns") or [],
                services=form.service_list(),
            )
        except Refusal as refusal:
            if refusal.message:
                _refused(request, form, refusal)
        else:
            messages.success(request, "Campagne créée\u00a0: ajoutez vos questions, puis ouvrez-la.")
            return HttpResponseRedirect(reverse("surveys:campaign", args=[campaign.pk]))
    return render(
        request,
        "surveys/campaigns.html",
        {
            "page_title": f"Enquête auprès des salariés — {participant.establishment.name}",
            "participant": participant,
            "campaigns": campaigns,
            "form": form,
            "may_work": bool(can_work_on(request.user, participant)),
            "breadcrumb": _crumbs(participant),
        },
    )


def campaign(request, pk: int):
    campaign = get_object_or_404(selectors.campaigns_visible_to(request.user), pk=pk)
    participant = campaign.participant
    posted = PostedForm(request.POST).posted() if request.method == "POST" else ""
    question_form = OwnQuestionForm(request.POST if posted == "question" else None)
    codes_form = CodesForm(request.POST if posted == "codes" else None)
    if posted:
        campaign = get_object_or_404(selectors.campaigns_worked_on_by(request.user), pk=pk)
        outcome = _act(request, campaign, posted, question_form, codes_form)
        if outcome is not None:
            return outcome
    results = results_of(campaign)
    establishment_side = is_establishment_side(request.user, participant)
    url = documents.public_url(campaign)
    return render(
        request,
        "surveys/campaign.html",
        {
            "page_title": f"{campaign.get_wave_display()} — {participant.establishment.name}",
            "campaign": campaign,
            "participant": participant,
            "questions": results.questions,
            "results": results,
            "charts": documents.charts_of(results),
            "url": url,
            # Drawn only while the questionnaire is distributed: a closed campaign's page shows no QR code.
            "qr": documents.qr_data_uri(url) if campaign.status != CampaignStatus.CLOSED else None,
            "question_form": question_form,
            "codes_form": codes_form,
            "may_work": establishment_side or is_pair_consultant(request.user, participant.cohort),
            "is_establishment": establishment_side,
            "pending_texts": results.pending_texts,
            "breadcrumb": _crumbs(participant, campaign=campaign),
        },
    )


def _act(request, campaign, posted: str, question_form, codes_form):
    """Run the posted action; a response to send back, or None to show the page again."""
    back = HttpResponseRedirect(reverse("surveys:campaign", args=[campaign.pk]))
    try:
        if posted == "question":
            question_form.is_valid()
            services.add_own_question(
                campaign=campaign,
                by=request.user,
                text=question_form.cleaned_data.get("text", ""),
                kind=question_form.cleaned_data.get("kind", ""),
            )
            messages.success(request, "Question ajoutée.")
        elif posted == "open":
            services.open_campaign(campaign=campaign, by=request.user)
            messages.success(
                request, "Campagne ouverte\u00a0: le questionnaire accepte les réponses aux dates prévues."
            )
        elif posted == "close":
            services.close_campaign(campaign=campaign, by=request.user)
            messages.success(request, "Campagne clôturée\u00a0: les résultats sont calculés.")
        elif posted == "codes":
            codes_form.is_valid()
            codes = services.print_codes(
                campaign=campaign, by=request.user, count=codes_form.cleaned_data.get("count")
            )
            response = HttpResponse(documents.slips_pdf(campaign, codes), content_type="application/pdf")
            response["Content-Disposition"] = (
                f'attachment; filename="coupons-{campaign.participant.establishment.finess_et}.pdf"'
            )
            return response
        else:
            return None
    except Refusal as refusal:
        _refused(request, {"question": question_form, "codes": codes_form}.get(posted), refusal)
        return None
    return back


@require_POST
def question_remove(request, pk: int):
    question = get_object_or_404(
        OwnQuestion.objects.filter(campaign__in=selectors.campaigns_worked_on_by(request.user)), pk=pk
    )
    try:
        services.remove_own_question(question=question, by=request.user)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "Question retirée.")
    return HttpResponseRedirect(reverse("surveys:campaign", args=[question.campaign_id]))


@require_GET
def poster(request, pk: int):
    campaign = get_object_or_404(selectors.campaigns_visible_to(request.user), pk=pk)
    return _pdf(documents.poster_pdf(campaign), f"affiche-enquete-vague-{campaign.wave}.pdf")


@require_GET
def paper(request, pk: int):
    campaign = get_object_or_404(selectors.campaigns_visible_to(request.user), pk=pk)
    return _pdf(
        documents.paper_pdf(campaign, selectors.questions_of(campaign)),
        f"questionnaire-papier-vague-{campaign.wave}.pdf",
    )


@require_GET
def report(request, pk: int):
    campaign = get_object_or_404(selectors.campaigns_visible_to(request.user), pk=pk)
    results = results_of(campaign)
    if not results.published:
        raise Http404("Pas encore de résultats.")
    return _pdf(documents.report_pdf(results), documents.report_file_name(campaign))


@require_GET
def aggregates(request, pk: int, export_format: str):
    if export_format not in ("csv", "ods"):
        raise Http404("Format inconnu.")
    campaign = get_object_or_404(selectors.campaigns_visible_to(request.user), pk=pk)
    results = results_of(campaign)
    if not results.published:
        raise Http404("Pas encore de résultats.")
    return export_response(
        documents.aggregate_rows(results),
        headers=documents.AGGREGATE_HEADERS,
        title="Résultats de l’enquête",
        export_format=export_format,
        file_stem=documents.aggregates_stem(campaign),
        request=request,
        target=campaign,
    )


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def paper_entry(request, pk: int):
    """One paper questionnaire typed in, every section on one page, by the establishment's side."""
    campaign = get_object_or_404(selectors.campaigns_worked_on_by(request.user), pk=pk)
    if not is_establishment_side(request.user, campaign.participant):
        raise Http404("Seul l’établissement saisit ses questionnaires papier.")
    questions = selectors.questions_of(campaign)
    sections = sections_of(campaign, questions)
    forms = [
        (
            section,
            SectionForm(request.POST or None, section=section, campaign=campaign, own_questions=questions),
        )
        for section in sections
    ]
    if request.method == "POST" and all(form.is_valid() for _, form in forms):
        progress = {key: value for _, form in forms for key, value in form.answers().items()}
        try:
            services.enter_paper_response(
                by=request.user, campaign=campaign, **submission(progress, questions)
            )
        except Refusal as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, "Questionnaire enregistré. Le suivant peut être saisi.")
            return HttpResponseRedirect(reverse("surveys:paper_entry", args=[campaign.pk]))
    return render(
        request,
        "surveys/paper_entry.html",
        {
            "page_title": f"Saisir un questionnaire papier — {campaign.participant.establishment.name}",
            "campaign": campaign,
            "forms": forms,
            "paper_count": campaign.responses.filter(channel="paper").count(),
            "breadcrumb": _crumbs(campaign.participant, "Saisie papier", campaign),
        },
    )


def free_texts(request, pk: int):
    """The comité's review of the open answers: each kept or hidden before any is shown."""
    campaign = get_object_or_404(selectors.campaigns_worked_on_by(request.user), pk=pk)
    if not is_establishment_side(request.user, campaign.participant):
        raise Http404("Les réponses libres sont relues par l’établissement.")
    return render(
        request,
        "surveys/free_texts.html",
        {
            "page_title": f"Relire les réponses libres — {campaign.participant.establishment.name}",
            "campaign": campaign,
            "texts": selectors.free_texts_of(campaign),
            "breadcrumb": _crumbs(campaign.participant, "Relecture des réponses libres", campaign),
        },
    )


@require_POST
def free_text_review(request, pk):
    free_text = get_object_or_404(selectors.free_texts_reviewed_by(request.user), pk=pk)
    campaign = free_text.question.campaign
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez de garder ou de masquer la réponse.")
    else:
        try:
            services.review_free_text(free_text=free_text, by=request.user, keep=form.cleaned_data["keep"])
        except Refusal as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, "Réponse gardée." if form.cleaned_data["keep"] else "Réponse masquée.")
    return HttpResponseRedirect(reverse("surveys:free_texts", args=[campaign.pk]) + f"#texte-{free_text.pk}")


def research(request):
    """The research exports, one per questionnaire version, for a platform administrator only."""
    require(can_export_for_research(request.user))
    return render(
        request,
        "surveys/research.html",
        {"page_title": "Export des réponses pour la recherche", "versions": research_module.versions()},
    )


@require_GET
def research_export(request, code: str, version: str):
    """Raw responses for research, anonymised (see research.py); the download is written to the
    audit log with who took it."""
    require(can_export_for_research(request.user))
    headers, rows = research_module.rows(code, version)
    return export_response(
        rows,
        headers=headers,
        title="Réponses anonymisées",
        export_format="csv",
        file_stem=f"enquetes-{code}-{version}-reponses-anonymisees",
        request=request,
        target=None,
    )
