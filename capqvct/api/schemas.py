"""What the API reads and writes, as typed schemas (they become the OpenAPI document)."""

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import StringConstraints

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Bounds the SQL OFFSET: a huge page number would overflow the database's integer.
MAX_PAGE = 100_000

# A text filter from a query string. PostgreSQL refuses NUL characters in strings: they are
# rejected as invalid input (422) rather than reaching the database.
SearchText = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00]*$")]
Code = Annotated[str, StringConstraints(max_length=5, pattern=r"^[0-9A-Za-z]*$")]


class Pagination(PageNumberPagination):
    """Pages of 50 items by default, at most 200; `count` is the number of items in all pages."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Numéro de la page, à partir de 1.")
        page_size: int = Field(
            PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Nombre d’éléments par page (200 au plus)."
        )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


class ErrorOut(Schema):
    detail: str = Field(description="Explication de l’erreur, en français.")


class ValidationErrorOut(Schema):
    detail: str = Field(description="Explication de l’erreur, en français.")
    errors: list[dict[str, Any]] = Field(description="Les paramètres refusés, un élément par erreur.")


class RegionOut(Schema):
    code: str = Field(description="Code officiel (COG) de la région.", examples=["76"])
    name: str = Field(description="Nom de la région.", examples=["Occitanie"])


class DepartementOut(Schema):
    code: str = Field(description="Code officiel (COG) du département.", examples=["34"])
    name: str = Field(description="Nom du département.", examples=["Hérault"])
    region_code: str = Field(alias="region_id", description="Code de la région.", examples=["76"])


class CommuneOut(Schema):
    code: str = Field(description="Code INSEE de la commune.", examples=["34172"])
    name: str = Field(description="Nom de la commune.", examples=["Montpellier"])
    departement_code: str = Field(alias="departement_id", description="Code du département.")
    postal_codes: list[str] = Field(description="Codes postaux de la commune.")


class DepartementRef(Schema):
    code: str
    name: str


class CommuneRef(Schema):
    code: str = Field(description="Code INSEE de la commune.")
    name: str


class EstablishmentOut(Schema):
    finess_et: str = Field(description="Numéro FINESS de l’établissement (ET).", examples=["340000001"])
    finess_ej: str = Field(description="Numéro FINESS de l’entité juridique (EJ).")
    name: str = Field(description="Raison sociale.")
    category_code: str = Field(description="Code de la catégorie FINESS.", examples=["500"])
    category_label: str = Field(description="Libellé de la catégorie FINESS.")
    departement: DepartementRef
    commune: CommuneRef | None = Field(description="Commune de l’établissement, si elle est connue.")
    postal_code: str = Field(description="Code postal (vide s’il est inconnu).")
    city_label: str = Field(description="Ligne d’acheminement de l’adresse.")
    siret: str = Field(description="Numéro SIRET (vide s’il est inconnu).")


class EstablishmentDetailOut(EstablishmentOut):
    long_name: str = Field(description="Raison sociale longue.")
    address: str = Field(description="Adresse (numéro et voie).")
    aggregate_category_code: str = Field(description="Code de l’agrégat de catégories FINESS.")
    aggregate_category_label: str = Field(description="Libellé de l’agrégat de catégories FINESS.")
    opened_on: date | None = Field(description="Date d’ouverture.")
    finess_updated_on: date | None = Field(description="Date de la dernière mise à jour dans FINESS.")


# Calls and dossiers. Imported here rather than at the top so that the section stands on its own.
from datetime import datetime  # noqa: E402
from typing import Literal  # noqa: E402

from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from capqvct.applications.models import Application, ApplicationStatus  # noqa: E402
from capqvct.applications.states import DOSSIER  # noqa: E402
from capqvct.calls.deadlines import describe_deadline  # noqa: E402
from capqvct.calls.models import Call, CallKind, call_is_open  # noqa: E402
from capqvct.core.transitions import StateMachine  # noqa: E402

# Any id in a path or a filter: positive, and within PostgreSQL's bigint, so that a huge number is
# refused (422) rather than overflowing the database.
MAX_ID = 2**63 - 1
CallKindCode = Literal[tuple(CallKind.values)]
ApplicationStatusCode = Literal[tuple(ApplicationStatus.values)]


def allowed_actions(machine: StateMachine, obj, user) -> list[dict[str, str]]:
    """The actions the caller may take on the object now, as the site offers them."""
    return [
        {"code": action, "label": transition.label}
        for action, transition in machine.allowed_actions(obj, by=user).items()
    ]


def action_schema(machine: StateMachine, name: str) -> type[Schema]:
    """An action of `machine`: its stable code, and the words of the site's button."""
    codes = tuple(action for action, transition in machine.transitions.items() if transition.label)
    return type(
        name,
        (Schema,),
        {
            "__annotations__": {"code": Literal[codes], "label": str},
            "code": Field(description="Code stable de l’action.", examples=[codes[-1]]),
            "label": Field(description="Libellé du bouton sur le site."),
        },
    )


DossierActionOut = action_schema(DOSSIER, "DossierActionOut")


class CallOut(Schema):
    id: int = Field(description="Identifiant de l’appel.")
    kind: CallKindCode = Field(description="Type d’appel.", examples=["aac"])
    kind_label: str = Field(description="Libellé du type d’appel.", examples=["Appel à candidatures"])
    title: str = Field(description="Intitulé de l’appel.")
    region: RegionOut = Field(description="Région du programme qui lance l’appel.")
    opens_at: datetime = Field(description="Ouverture des dépôts (instant ISO 8601).")
    closes_at: datetime = Field(description="Dernier instant accepté pour déposer (ISO 8601).")
    closes_at_text: str = Field(
        description="La date limite en toutes lettres, dans le fuseau de la région.",
        examples=["le 5 septembre 2022 inclus (heure de Paris)"],
    )
    places: int | None = Field(description="Nombre de places, s’il est fixé.")
    notification_on: date | None = Field(description="Date annoncée de notification, si elle l’est.")
    categories: list[str] = Field(
        description="Codes des catégories FINESS éligibles ; vide quand toutes le sont.", examples=[["500"]]
    )
    public_path: str = Field(description="Chemin de la page publique de l’appel.", examples=["/appels/12/"])
    open: bool = Field(
        description="Vrai si l’appel reçoit des dépôts à cet instant : publié, ouvert, et sa date "
        "limite, lue à la seconde près sur l’horloge du serveur, n’est pas passée ; un appel clos par "
        "anticipation ne l’est plus."
    )

    @staticmethod
    def resolve_open(call: Call) -> bool:
        return call_is_open(call, timezone.now())

    @staticmethod
    def resolve_kind_label(call: Call) -> str:
        return call.get_kind_display()

    @staticmethod
    def resolve_region(call: Call):
        return call.programme.region

    @staticmethod
    def resolve_closes_at_text(call: Call) -> str:
        return describe_deadline(call.closes_at, call.time_zone)

    @staticmethod
    def resolve_public_path(call: Call) -> str:
        return reverse("calls:public_detail", args=[call.pk])


class AttachmentOut(Schema):
    label: str = Field(description="Pièce à joindre au dossier.")
    required: bool = Field(True, description="Vrai si la pièce est obligatoire.")


class CallDetailOut(CallOut):
    status: str = Field(description="État de l’appel : « published » (publié) ou « closed » (clos).")
    status_label: str = Field(description="Libellé de l’état.", examples=["Publié"])
    description: str = Field(description="Présentation de l’appel.")
    declared_criteria: list[str] = Field(description="Critères que le candidat déclare remplir.")
    required_attachments: list[AttachmentOut] = Field(description="Pièces à joindre au dossier.")
    contacts: str = Field(description="Contacts pour les questions sur l’appel.")

    @staticmethod
    def resolve_status_label(call: Call) -> str:
        return call.get_status_display()


class CallRef(Schema):
    id: int = Field(description="Identifiant de l’appel.")
    title: str = Field(description="Intitulé de l’appel.")


class EstablishmentRef(Schema):
    finess_et: str = Field(description="Numéro FINESS de l’établissement (ET).")
    name: str = Field(description="Raison sociale.")


class ApplicationOut(Schema):
    id: int = Field(description="Identifiant du dossier.")
    call: CallRef
    establishment: EstablishmentRef
    status: ApplicationStatusCode = Field(description="État du dossier.", examples=["submitted"])
    status_label: str = Field(description="Libellé de l’état.", examples=["Déposé"])
    state_for_applicant: str = Field(
        description="L’état tel que le candidat le lit pendant l’instruction : « Complément demandé » "
        "tant qu’une question attend sa réponse, puis « Retenu », « Liste d’attente » ou "
        "« Non retenu » une fois la décision notifiée ; sinon le libellé de l’état.",
        examples=["Complément demandé"],
    )
    submitted_at: datetime | None = Field(description="Dernier dépôt (ISO 8601), nul pour un brouillon.")
    updated_at: datetime = Field(description="Dernière modification (ISO 8601).")
    actions: list[DossierActionOut] = Field(
        description="Ce que vous pouvez faire de ce dossier maintenant : « submit » (le déposer, par "
        "POST …/depot), « reopen » (le rouvrir), « withdraw » (retirer la candidature), ces deux-là sur le "
        "site ; une action absente serait refusée (date limite passée, dossier déjà déposé…)."
    )

    @staticmethod
    def resolve_status_label(application: Application) -> str:
        return application.get_status_display()

    @staticmethod
    def resolve_actions(application: Application, context) -> list[dict[str, str]]:
        return allowed_actions(DOSSIER, application, context["request"].auth)


class SubmissionOut(Schema):
    number: int = Field(description="Numéro du dépôt, à partir de 1.")
    submitted_at: datetime = Field(description="Instant du dépôt (ISO 8601).")
    fingerprint: str = Field(description="Empreinte SHA-256 des réponses déposées, en hexadécimal.")


class ApplicationDetailOut(ApplicationOut):
    answers: dict[str, Any] = Field(description="Les réponses du dossier, telles que saisies.")
    version: int = Field(
        alias="lock_version",
        description="Version du dossier, à renvoyer telle quelle pour enregistrer le brouillon : elle "
        "augmente à chaque enregistrement.",
        examples=[3],
    )
    submissions: list[SubmissionOut] = Field(description="Les dépôts du dossier, du premier au dernier.")

    @staticmethod
    def resolve_submissions(application: Application):
        return application.submissions.order_by("number")


# Saving a draft and submitting a dossier.
from django.db import models  # noqa: E402
from pydantic import BeforeValidator  # noqa: E402

# The highest lock_version the database's integer column holds.
MAX_VERSION = 2**31 - 1
# Answers nest four levels at most (a repeated block's item, or trio › role › part, plus a list).
MAX_ANSWER_DEPTH = 5


def _json_integer(value: Any) -> Any:
    """A JSON integer (4310 or 4310.0), not a boolean nor a string of digits."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Saisissez un nombre entier.")
    return value


JsonInteger = Annotated[int, BeforeValidator(_json_integer)]


class DraftIn(Schema):
    answers: dict[str, Any] = Field(
        description="Toutes les réponses du brouillon, par clé de question (elles remplacent les "
        "précédentes ; une question absente est vidée). Les réponses aux questions de type fichier ne "
        "changent pas par l’API : le fichier déjà déposé est conservé.",
        examples=[{"motivation": "Prendre soin des équipes."}],
    )
    version: JsonInteger = Field(
        ge=0,
        le=MAX_VERSION,
        description="La version du dossier que vous avez lue (champ « version » du dossier).",
        examples=[0],
    )


def storage_problem(answers: dict[str, Any]) -> str | None:
    """Why the database could not store these answers (NUL characters, infinite numbers, lone surrogates,
    deep nesting), refused with a message rather than by a server error."""
    try:
        _check_storable(answers, depth=0)
    except ValueError as problem:
        return str(problem)
    return None


def _check_storable(value: Any, *, depth: int) -> None:
    if depth > MAX_ANSWER_DEPTH:
        raise ValueError("Réponses trop imbriquées.")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("Les réponses ne peuvent pas contenir de caractère nul.")
        try:
            value.encode()
        except UnicodeEncodeError:
            raise ValueError("Les réponses doivent être du texte Unicode valide.") from None
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("Les nombres doivent être finis.")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_storable(key, depth=depth)
            _check_storable(item, depth=depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_storable(item, depth=depth + 1)


class AnswerErrorOut(Schema):
    field: str = Field(
        description="Chemin de la question, clés séparées par des points.", examples=["trio.direction.email"]
    )
    message: str = Field(description="Ce qui ne va pas, en français.", examples=["Ce champ est obligatoire."])


class DraftSavedOut(Schema):
    dossier: ApplicationDetailOut = Field(description="Le dossier enregistré, avec sa nouvelle version.")
    errors: list[AnswerErrorOut] = Field(
        description="Les réponses mal formées, à corriger avant le dépôt : elles sont enregistrées "
        "quand même ; les questions inconnues du formulaire, dont la réponse est ignorée. Les questions "
        "obligatoires restées vides ne sont signalées qu’au dépôt."
    )


class RefusalCode(models.TextChoices):
    STALE_VERSION = "stale_version", "Le dossier a été enregistré depuis la version envoyée"
    INVALID_ANSWERS = "invalid_answers", "Des réponses manquent ou sont mal formées"
    REFUSED = "refused", "L’action est refusée"


class RefusalOut(Schema):
    code: Literal[tuple(RefusalCode.values)] = Field(
        description="Pourquoi, en code stable : « stale_version » (le dossier a été enregistré depuis la "
        "version envoyée), « invalid_answers » (des réponses manquent ou sont mal formées), « refused » "
        "(une règle s’y oppose : date limite passée, dossier déjà déposé…).",
        examples=["invalid_answers"],
    )
    detail: str = Field(description="Pourquoi l’action est refusée, en français.")
    errors: list[AnswerErrorOut] = Field(
        description="Les questions à corriger, une entrée par erreur ; vide quand le refus ne tient pas "
        "aux réponses."
    )


def answer_errors(errors: dict[str, list[str]]) -> list[dict[str, str]]:
    """Per-question errors, as the service returns them, flattened into one entry per message."""
    return [{"field": path, "message": message} for path, messages in errors.items() for message in messages]


# The review (instruction): a reviewer's assignments and scores, the ranking, decisions.
from annotated_types import Interval  # noqa: E402

from capqvct.review.models import DecisionState, Outcome  # noqa: E402
from capqvct.review.ranking import ELIGIBILITY_LABELS  # noqa: E402
from capqvct.review.states import ASSIGNMENT, DECISION  # noqa: E402

OutcomeCode = Literal[tuple(Outcome.values)]
AssignmentActionOut = action_schema(ASSIGNMENT, "AssignmentActionOut")
DecisionActionOut = action_schema(DECISION, "DecisionActionOut")
EligibilityCode = Literal[tuple(ELIGIBILITY_LABELS)]
# A score's comment: PostgreSQL refuses NUL characters, refused as invalid input (422) instead.
ScoreComment = Annotated[str, StringConstraints(max_length=5000, pattern=r"^[^\x00]*$")]


class AssignmentOut(Schema):
    id: int = Field(description="Identifiant de l’affectation.")
    dossier_id: int = Field(description="Identifiant du dossier.")
    call: CallRef
    establishment_name: str = Field(
        description="Raison sociale de l’établissement, ou « Dossier n° … » quand l’instruction est à "
        "l’aveugle pour les experts extérieurs et que vous en êtes un.",
        examples=["EHPAD Les Cigales"],
    )
    blind: bool = Field(description="Vrai si le dossier vous est présenté sans l’identité du candidat.")
    no_conflict_declared: bool = Field(
        description="Vrai une fois déclarée, sur le site, l’absence de conflit d’intérêts : les notes "
        "s’ouvrent alors par l’API."
    )
    submitted_at: datetime | None = Field(description="Remise de votre notation (ISO 8601), nulle avant.")
    actions: list[AssignmentActionOut] = Field(
        description="Ce que vous pouvez faire maintenant : « declare_no_conflict » ou « declare_conflict » "
        "(sur le site), « submit_scores » (remettre la notation, par POST …/remise)."
    )


class ScoreOut(Schema):
    criterion_id: int = Field(description="Identifiant du critère de la grille.")
    label: str = Field(description="Intitulé du critère.")
    weight: float = Field(description="Coefficient du critère dans la moyenne.", examples=[2])
    scale_max: int = Field(description="Note maximale du critère (les notes vont de 0 à celle-ci).")
    value: int | None = Field(description="Votre note, nulle tant qu’elle n’est pas saisie.")
    comment: str = Field(description="Votre commentaire (vide s’il n’y en a pas).")


class ScoresOut(Schema):
    assignment_id: int = Field(description="Identifiant de l’affectation.")
    dossier_id: int = Field(description="Identifiant du dossier.")
    submitted_at: datetime | None = Field(description="Remise de la notation (ISO 8601), nulle avant.")
    scores: list[ScoreOut] = Field(description="Un élément par critère de la grille, dans son ordre.")


class ScoreIn(Schema):
    criterion_id: int = Field(ge=1, le=MAX_ID, description="Identifiant du critère de la grille.")
    value: Annotated[int, Interval(ge=0, le=20), BeforeValidator(_json_integer)] | None = Field(
        None, description="La note, de 0 à la note maximale du critère ; nulle pour l’effacer."
    )
    comment: ScoreComment = Field("", description="Commentaire (5 000 caractères au plus).")


class ScoresIn(Schema):
    scores: list[ScoreIn] = Field(
        max_length=200,
        description="Les notes à enregistrer, un élément par critère ; un critère absent garde sa note.",
        examples=[[{"criterion_id": 1, "value": 3, "comment": "Direction très impliquée."}]],
    )


class RankedDossierOut(Schema):
    dossier_id: int = Field(description="Identifiant du dossier.")
    establishment: EstablishmentRef
    departement_code: str = Field(description="Code du département de l’établissement.", examples=["34"])
    rank: int | None = Field(
        description="Rang par moyenne, 1 en tête ; ex aequo au même rang ; nul sans moyenne."
    )
    average: float | None = Field(description="Moyenne sur 20 des notations remises, à 0,1 près.")
    spread: float | None = Field(
        description="Écart entre la meilleure et la moins bonne note (deux notes au moins)."
    )
    disagreement: bool = Field(description="Vrai quand l’écart atteint 5 points sur 20 (désaccord).")
    remitted: int = Field(description="Notations remises (conflits d’intérêts exclus).")
    assigned: int = Field(description="Instructeurs affectés (conflits d’intérêts exclus).")
    eligibility: EligibilityCode = Field(
        description="« eligible » (confirmée), « ineligible » ou « pending » (non examinée)."
    )
    eligibility_label: str = Field(description="Libellé de l’éligibilité.", examples=["À confirmer"])
    outcome: OutcomeCode | None = Field(description="Décision, nulle s’il n’y en a pas encore.")
    outcome_label: str = Field(description="Libellé de la décision (vide sans décision).")


class DecisionOut(Schema):
    dossier_id: int = Field(alias="application_id", description="Identifiant du dossier.")
    outcome: OutcomeCode = Field(description="Décision.", examples=["selected"])
    outcome_label: str = Field(description="Libellé de la décision.", examples=["Retenu"])
    rank: int | None = Field(
        alias="waiting_rank", description="Rang sur la liste d’attente, 1 en tête ; nul hors liste d’attente."
    )
    reason: str = Field(description="Motif adressé au candidat.")
    reference: str = Field(
        description="Référence de la décision, donnée à sa confirmation en commission (vide avant).",
        examples=["AAC12-2026-0007"],
    )
    notified_at: datetime | None = Field(description="Notification au candidat (ISO 8601), nulle avant.")

    @staticmethod
    def resolve_outcome_label(decision) -> str:
        return decision.get_outcome_display()


class ManagedDecisionOut(DecisionOut):
    establishment: EstablishmentRef
    confirmed_at: datetime | None = Field(description="Confirmation en commission (ISO 8601), nulle avant.")
    state: Literal[tuple(DecisionState.values)] = Field(
        description="Où en est la décision : « drafted » (en projet), « confirmed » (confirmée, non "
        "notifiée), « failed » (échec de l’envoi), « notified » (notifiée), « bounced » (revenue en "
        "erreur).",
        examples=["notified"],
    )
    state_label: str = Field(description="Libellé de l’état.", examples=["Notifiée"])
    actions: list[DecisionActionOut] = Field(
        description="Ce que vous pouvez en faire sur le site : « redraft » (modifier le projet), « change » "
        "(modifier une décision confirmée), « retry » (renvoyer la lettre)."
    )

    @staticmethod
    def resolve_establishment(decision):
        return decision.application.establishment

    @staticmethod
    def resolve_state_label(decision) -> str:
        return decision.get_state_display()

    @staticmethod
    def resolve_actions(decision, context) -> list[dict[str, str]]:
        return allowed_actions(DECISION, decision, context["request"].auth)


class ApplicantDecisionOut(Schema):
    dossier_id: int = Field(alias="application_id", description="Identifiant du dossier.")
    outcome: OutcomeCode = Field(description="Décision.", examples=["selected"])
    outcome_label: str = Field(description="Libellé de la décision.", examples=["Retenu"])
    rank: int | None = Field(
        alias="waiting_rank", description="Rang sur la liste d’attente, 1 en tête ; nul hors liste d’attente."
    )
    reason: str = Field(description="Motif de la décision.")
    reference: str = Field(description="Référence de la décision.", examples=["AAC12-2026-0007"])
    notified_at: datetime = Field(description="Notification de la décision (ISO 8601).")

    @staticmethod
    def resolve_outcome_label(decision) -> str:
        return decision.get_outcome_display()


# Cohorts: what their programme managers, their consultant pair and their participants read.


def in_call_zone(moment, call) -> str:
    """An instant as ISO 8601 with the offset of the call's own time zone (« 2027-03-04T09:00:00+04:00 »)."""
    return moment.astimezone(ZoneInfo(call.time_zone)).isoformat()


class TrioMemberOut(Schema):
    role: str = Field(description="Rôle dans le trinôme.", examples=["direction"])
    role_label: str = Field(description="Libellé du rôle.")
    name: str = Field(description="Nom et prénom.")
    function: str = Field(description="Fonction dans l’établissement.")
    active: bool = Field(description="Faux pour un membre remplacé.")

    @staticmethod
    def resolve_role_label(member) -> str:
        return member.get_role_display()


class ParticipantOut(Schema):
    id: int = Field(description="Identifiant de la participation.")
    establishment: EstablishmentRef
    trio: list[TrioMemberOut] = Field(description="Le trinôme, membres remplacés compris.")

    @staticmethod
    def resolve_trio(participant) -> list:
        return list(participant.trio.all())


class CohortOut(Schema):
    id: int = Field(description="Identifiant du collectif.")
    call: CallRef
    number: int = Field(description="Numéro du collectif dans l’appel.")
    name: str = Field(description="Nom du collectif.", examples=["Collectif Hérault 1"])
    consultants: list[str] = Field(description="Les deux intervenants du binôme (vide sans binôme).")
    participant_count: int = Field(description="Nombre d’établissements participants.")

    @staticmethod
    def resolve_consultants(cohort) -> list[str]:
        pair = cohort.pair
        return [str(pair.first), str(pair.second)] if pair else []


class CohortDetailOut(CohortOut):
    participants: list[ParticipantOut] = Field(description="Les établissements du collectif.")


class SessionOut(Schema):
    id: int = Field(description="Identifiant de la séance.")
    kind: str = Field(description="« collective » (séance du collectif) ou « presentation » (tout l’appel).")
    kind_label: str
    number: int | None = Field(description="Numéro de la séance collective.")
    starts_at: str = Field(description="Début, avec le décalage du fuseau de l’appel.")
    ends_at: str = Field(description="Fin, avec le décalage du fuseau de l’appel.")
    time_zone: str = Field(description="Fuseau horaire de l’appel.", examples=["Europe/Paris"])
    mode: str = Field(description="« on_site » (sur place) ou « video » (visioconférence).")
    address: str
    video_url: str
    agenda: str
    status: str = Field(description="« scheduled » (prévue) ou « cancelled » (annulée).")
    uid: str = Field(description="UID de l’événement dans les agendas (iCalendar).")
    sequence: int = Field(description="SEQUENCE iCalendar : augmente à chaque modification.")

    @staticmethod
    def resolve_kind_label(session) -> str:
        return session.get_kind_display()

    @staticmethod
    def resolve_starts_at(session) -> str:
        return in_call_zone(session.starts_at, session.call)

    @staticmethod
    def resolve_ends_at(session) -> str:
        return in_call_zone(session.ends_at, session.call)

    @staticmethod
    def resolve_time_zone(session) -> str:
        return session.call.time_zone

    @staticmethod
    def resolve_uid(session) -> str:
        return str(session.uid)


class ParticipationOut(Schema):
    id: int = Field(description="Identifiant de la participation.")
    call: CallRef
    cohort_id: int = Field(description="Identifiant du collectif.")
    cohort_name: str = Field(description="Nom du collectif.")
    establishment: EstablishmentRef

    @staticmethod
    def resolve_cohort_name(participant) -> str:
        return participant.cohort.name


class VisitReportOut(Schema):
    done: str = Field(description="Ce qui a été fait.")
    decisions: str = Field(description="Les décisions prises.")
    next_steps: str = Field(description="Les prochaines étapes.")
    written_at: str = Field(description="Date et heure de rédaction, dans le fuseau de l’appel.")


class VisitOut(Schema):
    id: int = Field(description="Identifiant de la rencontre.")
    kind: str = Field(description="« kickoff » (rencontre préalable) ou « support » (appui individuel).")
    kind_label: str
    length: str = Field(description="« half_day » ou « day ».")
    consultant: str = Field(description="L’intervenant.")
    starts_at: str = Field(description="Début, avec le décalage du fuseau de l’appel.")
    ends_at: str = Field(description="Fin, avec le décalage du fuseau de l’appel.")
    subject: str
    status: str = Field(description="« scheduled » (prévue) ou « cancelled » (annulée).")
    report: VisitReportOut | None = Field(description="Le compte rendu, une fois écrit.")

    @staticmethod
    def resolve_kind_label(visit) -> str:
        return visit.get_kind_display()

    @staticmethod
    def resolve_consultant(visit) -> str:
        return str(visit.consultant)

    @staticmethod
    def resolve_starts_at(visit) -> str:
        return in_call_zone(visit.starts_at, visit.participant.call)

    @staticmethod
    def resolve_ends_at(visit) -> str:
        return in_call_zone(visit.ends_at, visit.participant.call)

    @staticmethod
    def resolve_report(visit) -> dict | None:
        if visit.report_written_at is None:
            return None
        return {
            "done": visit.report_done,
            "decisions": visit.report_decisions,
            "next_steps": visit.report_next_steps,
            "written_at": in_call_zone(visit.report_written_at, visit.participant.call),
        }


# Attendance and the agenda

from capqvct.cohorts.models import TrioRole  # noqa: E402


class AttendedOut(Schema):
    role: str = Field(description="Rôle dans le trinôme.", examples=["direction"])
    role_label: str = Field(description="Libellé du rôle.")
    sessions: int = Field(description="Séances tenues où une personne de ce rôle était présente.")


class ParticipantAttendanceOut(Schema):
    participation_id: int = Field(description="Identifiant de la participation.")
    establishment: EstablishmentRef
    sessions_held: int = Field(description="Séances tenues (passées, non annulées) pour cet établissement.")
    attended: list[AttendedOut] = Field(description="Pour chaque rôle du trinôme, les séances suivies.")

    @staticmethod
    def resolve_participation_id(summary) -> int:
        return summary.participant.pk

    @staticmethod
    def resolve_establishment(summary):
        return summary.participant.establishment

    @staticmethod
    def resolve_sessions_held(summary) -> int:
        return summary.held

    @staticmethod
    def resolve_attended(summary) -> list[dict]:
        return [
            {
                "role": role.value,
                "role_label": str(role.label),
                "sessions": summary.attended.get(role.value, 0),
            }
            for role in TrioRole
        ]


class SheetLineOut(Schema):
    participation_id: int = Field(description="Identifiant de la participation.")
    establishment: str = Field(description="Nom de l’établissement.")
    name: str = Field(description="Nom du membre du trinôme attendu.")
    role: str = Field(description="Rôle dans le trinôme.", examples=["direction"])
    role_label: str = Field(description="Libellé du rôle.")
    state: str | None = Field(description="« present », « absent », ou null tant que rien n’est noté.")

    @staticmethod
    def resolve_participation_id(line) -> int:
        return line.member.participant_id

    @staticmethod
    def resolve_establishment(line) -> str:
        return line.member.participant.establishment.name

    @staticmethod
    def resolve_name(line) -> str:
        return line.member.name

    @staticmethod
    def resolve_role(line) -> str:
        return line.member.role

    @staticmethod
    def resolve_role_label(line) -> str:
        return line.member.get_role_display()

    @staticmethod
    def resolve_state(line) -> str | None:
        return line.state or None


class AgendaEventOut(Schema):
    uid: str = Field(description="UID de l’événement, le même que dans les fichiers iCalendar.")
    sequence: int = Field(description="SEQUENCE iCalendar : augmente à chaque modification.")
    kind: str = Field(description="« session » (séance ou présentation) ou « visit » (rencontre).")
    id: int = Field(description="Identifiant de la séance ou de la rencontre.")
    title: str = Field(description="Titre, comme dans l’agenda.", examples=["Séance 2 — Collectif Hérault 1"])
    starts_at: str = Field(description="Début, avec le décalage du fuseau de l’appel.")
    ends_at: str = Field(description="Fin, avec le décalage du fuseau de l’appel.")
    time_zone: str = Field(description="Fuseau horaire de l’appel.", examples=["Europe/Paris"])
    place: str = Field(description="Adresse, ou lien de visioconférence.")
    status: str = Field(description="« scheduled » (prévue) ou « cancelled » (annulée).")


class AgendaOut(Schema):
    feed_url: str | None = Field(
        description="Adresse privée de l’abonnement iCalendar, ou null tant qu’elle n’est pas créée "
        "(page « Mon agenda »)."
    )
    events: list[AgendaEventOut] = Field(
        description="Les séances et rencontres où vous êtes invité, par date."
    )


# The establishments' approaches

from capqvct.approaches.indicators import INPUT_LABELS  # noqa: E402


class ChecklistItemOut(Schema):
    code: str = Field(description="Code de l’élément.", examples=["committee"])
    label: str = Field(description="Ce que la séquence attend.")
    done: bool


class ClosureOut(Schema):
    sequence: int
    requested_at: str = Field(description="Date de la demande, dans le fuseau de l’appel.")
    missing: list[str] = Field(description="Les éléments qui manquaient à la demande.")
    reason: str = Field(description="Pourquoi clore malgré ce qui manque.")


class ApproachOut(Schema):
    participation_id: int
    establishment: EstablishmentRef
    sequence: int = Field(description="Séquence en cours, de 1 à 4.")
    sequence_label: str
    completed: bool = Field(description="Vrai quand les quatre séquences sont closes.")
    checklist: list[ChecklistItemOut] = Field(description="Ce qu’attend la séquence en cours.")
    pending_closure: ClosureOut | None = Field(description="Une demande de clôture en attente de réponse.")
    late: list[str] = Field(description="Ce qui est en retard (actions, messages).")
    scope_services: str
    scope_sites: str
    what_worked: str
    what_did_not: str
    what_continues: str
    review_validated: bool = Field(description="Vrai quand le comité a validé le bilan.")
    last_activity_at: str | None = Field(description="Dernière activité, dans le fuseau de l’appel.")

    @staticmethod
    def resolve_participation_id(data) -> int:
        return data["participant"].pk

    @staticmethod
    def resolve_establishment(data):
        return data["participant"].establishment

    @staticmethod
    def resolve_sequence(data) -> int:
        return data["home"].approach.sequence

    @staticmethod
    def resolve_sequence_label(data) -> str:
        return data["home"].approach.get_sequence_display()

    @staticmethod
    def resolve_completed(data) -> bool:
        return data["home"].approach.completed_at is not None

    @staticmethod
    def resolve_checklist(data) -> list[dict]:
        return [{"code": c.item.code, "label": c.item.label, "done": c.done} for c in data["home"].checks]

    @staticmethod
    def resolve_pending_closure(data) -> dict | None:
        pending = data["home"].pending
        if pending is None:
            return None
        return {
            "sequence": pending.sequence,
            "requested_at": in_call_zone(pending.requested_at, data["participant"].call),
            "missing": pending.missing,
            "reason": pending.reason,
        }

    @staticmethod
    def resolve_late(data) -> list[str]:
        return data["home"].late

    @staticmethod
    def resolve_scope_services(data) -> str:
        return data["home"].approach.scope_services

    @staticmethod
    def resolve_scope_sites(data) -> str:
        return data["home"].approach.scope_sites

    @staticmethod
    def resolve_what_worked(data) -> str:
        return data["home"].approach.what_worked

    @staticmethod
    def resolve_what_did_not(data) -> str:
        return data["home"].approach.what_did_not

    @staticmethod
    def resolve_what_continues(data) -> str:
        return data["home"].approach.what_continues

    @staticmethod
    def resolve_review_validated(data) -> bool:
        return data["home"].approach.review_validated_at is not None

    @staticmethod
    def resolve_last_activity_at(data) -> str | None:
        moment = data["home"].approach.last_activity_at
        return in_call_zone(moment, data["participant"].call) if moment else None


class CommitteeMemberOut(Schema):
    id: int
    name: str
    role: str = Field(description="direction, staff_representative, cme, professional ou outside.")
    role_label: str
    function: str
    active: bool = Field(description="Faux pour un membre qui a quitté le comité.")

    @staticmethod
    def resolve_role_label(member) -> str:
        return member.get_role_display()


class CommitteeMeetingOut(Schema):
    held_on: date
    attendees: list[int] = Field(description="Identifiants des membres présents.")
    minutes: str
    decisions: str

    @staticmethod
    def resolve_attendees(meeting) -> list[int]:
        return [member.pk for member in meeting.attendees.all()]


class CommitteeOut(Schema):
    members: list[CommitteeMemberOut]
    meetings: list[CommitteeMeetingOut]


class WorkGroupMeetingOut(Schema):
    held_on: date
    notes: str


class WorkGroupOut(Schema):
    id: int
    name: str
    members: str = Field(description="Les membres, un par ligne, avec leur métier.")
    subject: str
    meetings: list[WorkGroupMeetingOut]

    @staticmethod
    def resolve_meetings(group) -> list:
        return list(group.meetings.all())


class IndicatorValueOut(Schema):
    code: str
    label: str
    formula: str = Field(description="La formule, en mots.")
    unit: str = Field(description="« % », ou vide pour un taux par million ou par millier d’heures.")
    value: str | None = Field(description="La valeur, en texte décimal (« 4.00 »), ou null.")
    missing: list[str] = Field(description="Les chiffres qui manquent pour la calculer.")


class IndicatorYearOut(Schema):
    year: int
    figures: dict[str, str | None] = Field(description="Les chiffres saisis, par code (null quand inconnu).")
    indicators: list[IndicatorValueOut]

    @staticmethod
    def resolve_year(data) -> int:
        return data["row"].year

    @staticmethod
    def resolve_figures(data) -> dict:
        values = {name: getattr(data["row"], name) for name in INPUT_LABELS}
        return {name: None if value is None else str(value) for name, value in values.items()}

    @staticmethod
    def resolve_indicators(data) -> list[dict]:
        return [
            {
                "code": result.indicator.code,
                "label": result.indicator.label,
                "formula": result.indicator.formula,
                "unit": result.indicator.unit,
                "value": None if result.value is None else str(result.value),
                "missing": list(result.missing),
            }
            for result in data["results"]
        ]


class ActionOut(Schema):
    id: int
    title: str
    theme: str
    theme_label: str
    situation: str | None = Field(description="La situation de travail à laquelle l’action répond.")
    owner: str
    starts_on: date | None
    due_on: date | None
    status: str = Field(description="planned, running, done ou dropped.")
    status_label: str
    drop_reason: str
    resources: str
    indicators: str = Field(description="Les indicateurs à suivre.")
    experiment: bool
    hypothesis: str
    test_period: str
    result: str

    @staticmethod
    def resolve_theme_label(action) -> str:
        return action.get_theme_display()

    @staticmethod
    def resolve_status_label(action) -> str:
        return action.get_status_display()

    @staticmethod
    def resolve_situation(action) -> str | None:
        return action.situation.title if action.situation else None


# The staff surveys (aggregates only: what results.py lets any reader show)


class CampaignOut(Schema):
    id: int
    wave: int = Field(description="1 avant les actions, 2 après.")
    status: str = Field(description="draft, open ou closed.", examples=["closed"])
    questionnaire: str = Field(description="Code et version du questionnaire.", examples=["qvct-cap 1.0"])
    opens_on: date
    closes_on: date
    headcount: int = Field(description="Effectif invité à répondre.")
    respondents: int = Field(description="Nombre de réponses reçues.")


class ShareOut(Schema):
    label: str
    percent: float


class ItemResultOut(Schema):
    text: str
    respondents: int
    shares: list[ShareOut] | None = Field(description="Répartition des réponses, absente sous le seuil.")


class ScaleResultOut(Schema):
    code: str
    title: str
    high_is_good: bool
    respondents: int
    score: float | None = Field(description="Score de 0 à 100, absent sous le seuil.")
    distribution: list[ShareOut] | None
    items: list[ItemResultOut]
    items_note: str


class GroupOut(Schema):
    label: str
    respondents: int


class BreakdownRowOut(Schema):
    scale: str
    scores: list[float | None] = Field(description="Un score par groupe, dans l’ordre des groupes.")


class BreakdownOut(Schema):
    label: str
    groups: list[GroupOut]
    rows: list[BreakdownRowOut]
    note: str


class ComparisonOut(Schema):
    scale: str
    wave_1: float
    wave_2: float
    change: float


class ReferenceOut(Schema):
    reference: str
    mean: float | None = Field(description="Moyenne des établissements, absente sous 5 établissements.")
    establishments: int


class BenchmarkOut(Schema):
    scale: str
    own: float | None
    references: list[ReferenceOut]


class FreeTextsOut(Schema):
    question: str
    answers: list[str]


class SurveyResultsOut(Schema):
    campaign_id: int
    published: bool = Field(description="Faux tant que la campagne est ouverte ou sous le seuil.")
    why_not: str
    respondents: int
    threshold: int = Field(description="Seuil d’anonymat : aucun résultat en dessous.")
    scales: list[ScaleResultOut]
    breakdowns: list[BreakdownOut]
    own_items: list[ItemResultOut]
    free_texts: list[FreeTextsOut]
    comparison: list[ComparisonOut]
    benchmarks: list[BenchmarkOut]
