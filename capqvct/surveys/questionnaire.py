"""The questionnaire as the respondent goes through it: one page per scale of the instrument, then the
establishment's own questions, then the few questions about the respondent's work; what they answered
so far, kept in their browser session until they send it.

Answers are named by their key on every page: `i-<item code>` for the instrument, `q-<question id>` for
the establishment's questions, `a-<dimension>` for the questions about the respondent."""

from dataclasses import dataclass

from capqvct.surveys.bands import OWN_AGREEMENT, dimension_of
from capqvct.surveys.models import Campaign, QuestionKind

SESSION_PREFIX = "survey-"
NO_ANSWER = ("", "Je préfère ne pas répondre")


@dataclass(frozen=True)
class Section:
    kind: str  # "scale", "own" or "about"
    title: str
    scale_code: str = ""

    def questions(self, campaign: Campaign, own_questions=()) -> list[tuple[str, str, str, list]]:
        """(key, question, "choice" or "text", options) for each question of the page."""
        if self.kind == "scale":
            instrument = campaign.instrument.instrument
            return [
                (f"i-{item.code}", item.text, "choice", list(instrument.answer_scale(item.answers).options))
                for item in instrument.items_of(self.scale_code)
            ]
        if self.kind == "own":
            return [
                (
                    f"q-{question.pk}",
                    question.text,
                    "text" if question.kind == QuestionKind.TEXT else "choice",
                    list(OWN_AGREEMENT.options),
                )
                for question in own_questions
            ]
        return [
            (f"a-{code}", dimension.question, "choice", [*dimension.bands, NO_ANSWER])
            for code in campaign.breakdowns
            for dimension in [dimension_of(code, campaign.services)]
        ]


def sections_of(campaign: Campaign, own_questions) -> list[Section]:
    sections = [Section("scale", scale.title, scale.code) for scale in campaign.instrument.instrument.scales]
    if own_questions:
        sections.append(Section("own", "Les questions de votre établissement"))
    if campaign.breakdowns:
        sections.append(Section("about", "Vous et votre travail"))
    return sections


def session_key(campaign: Campaign) -> str:
    return f"{SESSION_PREFIX}{campaign.token}"


def submission(progress: dict[str, str], own_questions) -> dict:
    """The saved answers as `submit_response` takes them."""
    kinds = {str(question.pk): question.kind for question in own_questions}
    answers, own, texts, about = {}, {}, {}, {}
    for key, value in progress.items():
        prefix, _, name = key.partition("-")
        if prefix == "i":
            answers[name] = value
        elif prefix == "q" and kinds.get(name) == QuestionKind.TEXT:
            texts[name] = value
        elif prefix == "q":
            own[name] = value
        elif prefix == "a":
            about[name] = value
    return {"answers": answers, "own_answers": own, "texts": texts, "about": about}
