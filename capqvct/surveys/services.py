"""What changes a survey: the instruments imported, a campaign prepared, opened and closed, its codes
printed, a response stored (online or typed from paper), a free text reviewed.

A response is stored by `submit_response` alone, which keeps nothing of who sent it (see models.py):
no audit event is written for it, since an event carries an account, an address and a time."""

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from capqvct.approaches.permissions import can_work_on, is_establishment_side
from capqvct.cohorts.models import Participant
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import format_date, french_spacing
from capqvct.core.permissions import ensure, refuse
from capqvct.core.services import record_event
from capqvct.surveys import anonymity
from capqvct.surveys.bands import (
    DIMENSIONS,
    FREE_TEXT_MAX_LENGTH,
    MAX_OWN_QUESTIONS,
    MAX_SERVICES,
    SERVICE,
    dimension_of,
)
from capqvct.surveys.instruments import SHIPPED, load_instrument, scale_scores, with_texts
from capqvct.surveys.models import (
    Access,
    AccessCode,
    Campaign,
    CampaignStatus,
    Channel,
    FreeText,
    InstrumentVersion,
    OwnQuestion,
    QuestionKind,
    Response,
    ReviewStatus,
    ScaleSummary,
    Wave,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone
CODE_LENGTH = 8
MAX_CODES_AT_ONCE = 500


# Instruments


def ensure_shipped_instruments() -> None:
    """The instruments shipped with the code, stored once per version (a new file is a new version)."""
    for path in SHIPPED.values():
        instrument = load_instrument(path)
        InstrumentVersion.objects.get_or_create(
            code=instrument.code,
            version=instrument.version,
            agency=None,
            defaults={"title": instrument.title, "definition": _read_json(path)},
        )


def _read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def import_texts(*, base: InstrumentVersion, agency, texts: Mapping[str, str], by=None) -> InstrumentVersion:
    """An agency's copy of a shipped structure with the texts it obtained (COPSOQ's official French
    texts from the COPSOQ network): checked item by item, stored, and comparable with every campaign of
    the same code and version."""
    instrument = with_texts(base.instrument, texts)
    definition = dict(base.definition)
    definition["items"] = [
        {**item, "text": instrument.items[index].text} for index, item in enumerate(base.definition["items"])
    ]
    definition["licensed_without_text"] = False
    with transaction.atomic():
        version, _ = InstrumentVersion.objects.update_or_create(
            code=base.code,
            version=base.version,
            agency=agency,
            defaults={"title": base.title, "definition": definition},
        )
        record_event(
            action="survey_instrument_texts_imported",
            actor=by,
            target=version,
            details={"agency": str(agency)},
        )
    return version


# Campaigns


def create_campaign(
    *,
    participant: Participant,
    by,
    wave: int,
    instrument: InstrumentVersion,
    opens_on: date,
    closes_on: date,
    headcount: int,
    access: str = Access.LINK,
    breakdowns: list[str] | None = None,
    services: list[str] | None = None,
) -> Campaign:
    ensure(can_work_on(by, participant))
    if wave not in Wave.values:
        raise Refusal("Choisissez la vague 1 ou la vague 2.", field="wave")
    if Campaign.objects.filter(participant=participant, wave=wave).exists():
        raise Refusal("Cette vague a déjà sa campagne.", field="wave")
    if not instrument.instrument.has_texts:
        raise Refusal(
            "Ce questionnaire n’a pas encore ses textes\u00a0: "
            "l’agence doit les importer avant qu’on l’utilise.",
            field="instrument",
        )
    if wave == Wave.AFTER:
        _check_same_instrument_as_first_wave(participant, instrument)
    _check_dates(opens_on, closes_on)
    if not headcount or headcount < 1:
        raise Refusal("Indiquez le nombre de salariés concernés.", field="headcount")
    breakdowns = _checked_breakdowns(breakdowns or [], services or [])
    with transaction.atomic():
        campaign = Campaign.objects.create(
            participant=participant,
            wave=wave,
            instrument=instrument,
            opens_on=opens_on,
            closes_on=closes_on,
            headcount=headcount,
            access=access,
            breakdowns=breakdowns,
            services=[service.strip() for service in services or [] if service.strip()],
            token=secrets.token_urlsafe(16),
            created_by=by,
        )
        record_event(action="survey_campaign_created", actor=by, target=campaign)
    return campaign


def _check_same_instrument_as_first_wave(participant, instrument: InstrumentVersion) -> None:
    first = (
        Campaign.objects.filter(participant=participant, wave=Wave.BEFORE)
        .select_related("instrument")
        .first()
    )
    if first and (first.instrument.code, first.instrument.version) != (instrument.code, instrument.version):
        raise Refusal(
            f"La vague 1 a utilisé «\u00a0{first.instrument.title}\u00a0» "
            f"(version {first.instrument.version})\u00a0: la vague 2 doit reprendre le même questionnaire "
            "pour que les résultats se comparent.",
            field="instrument",
        )


def _check_dates(opens_on: date | None, closes_on: date | None) -> None:
    if opens_on is None:
        raise Refusal("Indiquez la date d’ouverture.", field="opens_on")
    if closes_on is None:
        raise Refusal("Indiquez la date de clôture.", field="closes_on")
    if closes_on < opens_on:
        raise Refusal("La clôture doit suivre l’ouverture.", field="closes_on")
    if closes_on - opens_on > timedelta(days=92):
        raise Refusal("Une campagne dure au plus trois mois.", field="closes_on")


def _checked_breakdowns(breakdowns: list[str], services: list[str]) -> list[str]:
    unknown = [code for code in breakdowns if code not in DIMENSIONS]
    if unknown:
        raise Refusal("Question descriptive inconnue.", field="breakdowns")
    named = [service.strip() for service in services if service.strip()]
    if SERVICE.code in breakdowns and not 2 <= len(named) <= MAX_SERVICES:
        raise Refusal(
            f"Pour demander le service, listez de 2 à {MAX_SERVICES} services, un par ligne, "
            "assez larges pour compter chacun au moins cinq personnes.",
            field="services",
        )
    if any(len(service) > 60 for service in named):
        raise Refusal("Un nom de service tient en 60 caractères.", field="services")
    return [code for code in DIMENSIONS if code in breakdowns]


def add_own_question(*, campaign: Campaign, by, text: str, kind: str) -> OwnQuestion:
    ensure(can_work_on(by, campaign.participant))
    _ensure_draft(campaign)
    text = french_spacing(" ".join((text or "").split()))
    if not text:
        raise Refusal("Écrivez la question.", field="text")
    if len(text) > 200:
        raise Refusal("Une question tient en 200 caractères.", field="text")
    if kind not in QuestionKind.values:
        raise Refusal("Choisissez le type de question.", field="kind")
    if campaign.own_questions.count() >= MAX_OWN_QUESTIONS:
        raise Refusal(f"Une campagne compte au plus {MAX_OWN_QUESTIONS} questions de l’établissement.")
    with transaction.atomic():
        question = OwnQuestion.objects.create(campaign=campaign, text=text, kind=kind)
        record_event(action="survey_question_added", actor=by, target=campaign, details={"question": text})
    return question


def remove_own_question(*, question: OwnQuestion, by) -> None:
    ensure(can_work_on(by, question.campaign.participant))
    _ensure_draft(question.campaign)
    with transaction.atomic():
        record_event(
            action="survey_question_removed",
            actor=by,
            target=question.campaign,
            details={"question": question.text},
        )
        question.delete()


def _ensure_draft(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.DRAFT:
        raise Refusal("Le questionnaire ne change plus une fois la campagne ouverte.")


def open_campaign(*, campaign: Campaign, by) -> None:
    ensure(can_work_on(by, campaign.participant))
    _ensure_draft(campaign)
    with transaction.atomic():
        campaign.status = CampaignStatus.OPEN
        campaign.save(update_fields=["status"])
        record_event(action="survey_campaign_opened", actor=by, target=campaign)


def close_campaign(*, campaign: Campaign, by) -> None:
    """Closing freezes the campaign: no more answers or paper entries, so a figure read after it never
    changes by one person; each scale's score is written for the benchmarks."""
    ensure(can_work_on(by, campaign.participant))
    if campaign.status != CampaignStatus.OPEN:
        raise Refusal("Seule une campagne ouverte se clôture.")
    with transaction.atomic():
        campaign.status = CampaignStatus.CLOSED
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["status", "closed_at"])
        ScaleSummary.objects.bulk_create(_summaries(campaign))
        record_event(action="survey_campaign_closed", actor=by, target=campaign)


def _summaries(campaign: Campaign) -> list[ScaleSummary]:
    totals: dict[str, list[float]] = {}
    for scores in campaign.responses.values_list("scores", flat=True):
        for scale, score in scores.items():
            if score is not None:
                totals.setdefault(scale, []).append(score)
    return [
        ScaleSummary(campaign=campaign, scale=scale, respondents=len(values), mean=sum(values) / len(values))
        for scale, values in totals.items()
        if anonymity.enough(len(values), anonymity.threshold())
    ]


# Access codes


def normalised_code(code: str) -> str:
    return "".join(character for character in (code or "").upper() if character in CODE_ALPHABET)


def code_digest(campaign: Campaign, code: str) -> str:
    """Keyed, so a copy of the table cannot be matched against every possible code."""
    message = f"{campaign.pk}:{normalised_code(code)}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def print_codes(*, campaign: Campaign, by, count: int) -> list[str]:
    """New single-use codes, returned once for the slips: only their hashes are kept."""
    ensure(can_work_on(by, campaign.participant))
    if campaign.access != Access.CODES:
        raise Refusal("Cette campagne s’ouvre par son lien public, sans code.")
    if campaign.status == CampaignStatus.CLOSED:
        raise Refusal("La campagne est clôturée.")
    if not count or not 1 <= count <= MAX_CODES_AT_ONCE:
        raise Refusal(f"Imprimez de 1 à {MAX_CODES_AT_ONCE} codes à la fois.", field="count")
    codes: set[str] = set()
    while len(codes) < count:
        codes.add("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)))
    with transaction.atomic():
        AccessCode.objects.bulk_create(
            [AccessCode(campaign=campaign, digest=code_digest(campaign, code)) for code in codes]
        )
        record_event(action="survey_codes_printed", actor=by, target=campaign, details={"count": count})
    return [f"{code[:4]}-{code[4:]}" for code in sorted(codes)]


def check_code(campaign: Campaign, code: str) -> str:
    """The digest of a valid, unused code (kept in the respondent's session until they send)."""
    digest = code_digest(campaign, code)
    found = AccessCode.objects.filter(campaign=campaign, digest=digest).values_list("used", flat=True).first()
    if found is None:
        raise Refusal("Ce code n’existe pas. Vérifiez les lettres et les chiffres du coupon.", field="code")
    if found:
        raise Refusal("Ce code a déjà servi. Chaque coupon permet de répondre une seule fois.", field="code")
    return digest


# Responses


def accepts_answers(campaign: Campaign, today: date) -> Refusal | None:
    """Why the questionnaire is closed to answers today, or None when it is open."""
    if campaign.status == CampaignStatus.DRAFT or today < campaign.opens_on:
        return Refusal(f"Le questionnaire ouvre le {format_date(campaign.opens_on)}.")
    if campaign.status == CampaignStatus.CLOSED or today > campaign.closes_on:
        return Refusal("Le questionnaire est fermé\u00a0: la campagne est terminée. Merci de votre intérêt.")
    return None


def local_today(campaign: Campaign) -> date:
    return timezone.now().astimezone(ZoneInfo(campaign.participant.call.time_zone)).date()


def submit_response(
    *,
    campaign: Campaign,
    answers: Mapping[str, int | None],
    own_answers: Mapping[str, int | None] | None = None,
    texts: Mapping[str, str] | None = None,
    about: Mapping[str, str] | None = None,
    code_digest_: str | None = None,
    channel: str = Channel.ONLINE,
    today: date | None = None,
) -> None:
    """Store one response. Returns nothing: there is nothing a caller could keep that points to it."""
    today = today or local_today(campaign)
    if channel == Channel.ONLINE and (why := accepts_answers(campaign, today)):
        raise why
    instrument = campaign.instrument.instrument
    clean = _clean_answers(answers, {item.code for item in instrument.items})
    questions = {str(question.pk): question for question in campaign.own_questions.all()}
    own = _clean_answers(
        own_answers or {}, {key for key, q in questions.items() if q.kind == QuestionKind.AGREEMENT}
    )
    about = _clean_about(campaign, about or {})
    if not clean and not own:
        raise Refusal("Répondez au moins à une question avant d’envoyer.")
    with transaction.atomic():
        if campaign.access == Access.CODES and channel == Channel.ONLINE:
            used = AccessCode.objects.filter(campaign=campaign, digest=code_digest_ or "", used=False).update(
                used=True
            )
            if used != 1:
                raise Refusal(
                    "Ce code a déjà servi ou n’existe pas\u00a0: la réponse n’a pas été enregistrée."
                )
        Response.objects.create(
            campaign=campaign,
            week=today - timedelta(days=today.weekday()),
            channel=channel,
            answers=clean,
            own_answers=own,
            scores={scale: score for scale, score in scale_scores(instrument, clean).items()},
            **about,
        )
        FreeText.objects.bulk_create(
            [
                FreeText(question=questions[key], text=text.strip()[:FREE_TEXT_MAX_LENGTH])
                for key, text in (texts or {}).items()
                if key in questions and questions[key].kind == QuestionKind.TEXT and text and text.strip()
            ]
        )


def _clean_answers(answers: Mapping[str, Any], known: set[str]) -> dict[str, int]:
    clean = {}
    for key, value in answers.items():
        if key in known and value not in (None, ""):
            number = int(value)
            if not 1 <= number <= 5:
                raise Refusal("Une réponse va de 1 à 5.")
            clean[key] = number
    return clean


def _clean_about(campaign: Campaign, about: Mapping[str, str]) -> dict[str, str]:
    clean = {}
    for code in campaign.breakdowns:
        value = about.get(code) or ""
        allowed = {band for band, _ in dimension_of(code, campaign.services).bands}
        clean[code] = value if value in allowed else ""
    return clean


def enter_paper_response(*, campaign: Campaign, by, **answers) -> None:
    """A paper questionnaire typed in by the establishment's side, until the campaign closes. Not
    written to the audit log: an entry's time and author would date the paper it came from."""
    if not is_establishment_side(by, campaign.participant):
        ensure(refuse("Seul l’établissement saisit ses questionnaires papier."))
    if campaign.status != CampaignStatus.OPEN:
        raise Refusal("Les questionnaires papier se saisissent pendant que la campagne est ouverte.")
    submit_response(campaign=campaign, channel=Channel.PAPER, **answers)


def review_free_text(*, free_text: FreeText, by, keep: bool) -> None:
    """A member of the establishment reads each comment for names before any is shown."""
    if not is_establishment_side(by, free_text.question.campaign.participant):
        ensure(refuse("Les réponses libres sont relues par le comité QVT de l’établissement."))
    with transaction.atomic():
        free_text.status = ReviewStatus.KEPT if keep else ReviewStatus.HIDDEN
        free_text.save(update_fields=["status"])
        record_event(
            action="survey_free_text_reviewed",
            actor=by,
            target=free_text.question.campaign,
            details={"kept": keep},
        )
