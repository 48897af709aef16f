"""Dossiers, restricted to those the caller may see (their establishments', their region's calls…)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from capqvct.api.schemas import (
    MAX_ID,
    ApplicationDetailOut,
    ApplicationOut,
    ApplicationStatusCode,
    DraftIn,
    DraftSavedOut,
    ErrorOut,
    Pagination,
    RefusalCode,
    RefusalOut,
    SubmissionOut,
    ValidationErrorOut,
    answer_errors,
    storage_problem,
)
from capqvct.applications import services
from capqvct.applications.models import Application
from capqvct.applications.selectors import applications_editable_by, applications_visible_to
from capqvct.calls.formdef.schema import Form, Kind
from capqvct.core.exceptions import Refusal

router = Router(tags=["Dossiers"])

# Documented examples of dossier ids: the conformance test maps them onto seeded dossiers, one the
# caller may read and one they may fill in.
EXAMPLE_APPLICATION_ID = 1
EXAMPLE_EDITABLE_APPLICATION_ID = 2

UNKNOWN_QUESTION = "Cette question n’existe pas dans le formulaire de ce dossier : réponse ignorée."

UNAUTHENTICATED = {401: ErrorOut}


@router.get(
    "",
    response={200: list[ApplicationOut], 422: ValidationErrorOut, **UNAUTHENTICATED},
    summary="Lister les dossiers",
)
@paginate(Pagination)
def list_applications(
    request,
    appel: int | None = Query(None, ge=1, le=MAX_ID, description="Identifiant de l’appel."),
    etat: ApplicationStatusCode | None = Query(None, description="État du dossier."),
) -> QuerySet[Application]:
    """Les dossiers que vous pouvez voir (ceux de vos établissements, ceux des appels de votre région
    pour un agent, tous pour un observateur national), du plus récemment modifié au plus ancien ;
    réponse paginée."""
    applications = applications_visible_to(request.auth)
    if appel is not None:
        applications = applications.filter(call_id=appel)
    if etat is not None:
        applications = applications.filter(status=etat)
    return applications.order_by("-updated_at", "-pk")


@router.get(
    "/{application_id}",
    response={200: ApplicationDetailOut, 404: ErrorOut, 422: ValidationErrorOut, **UNAUTHENTICATED},
    summary="Lire un dossier",
)
def get_application(
    request,
    application_id: int = Path(
        ..., ge=1, le=MAX_ID, description="Identifiant du dossier.", example=EXAMPLE_APPLICATION_ID
    ),
) -> Application:
    """Un dossier, avec ses réponses et ses dépôts ; 404 s’il n’existe pas ou si vous ne pouvez pas
    le voir."""
    return get_object_or_404(applications_visible_to(request.auth), pk=application_id)


def _editable(request, application_id: int) -> Application:
    return get_object_or_404(applications_editable_by(request.auth), pk=application_id)


def _refused(refusal: Refusal, *, code: str, errors: dict[str, list[str]] | None = None) -> Status:
    if errors is None:
        errors = {refusal.field: [refusal.message]} if refusal.field else {}
    return Status(409, {"code": code, "detail": refusal.message, "errors": answer_errors(errors)})


@router.put(
    "/{application_id}/reponses",
    response={
        200: DraftSavedOut,
        # A body that is not JSON: django-ninja answers it before the operation runs.
        400: ErrorOut,
        404: ErrorOut,
        409: RefusalOut,
        422: ValidationErrorOut,
        **UNAUTHENTICATED,
    },
    summary="Enregistrer le brouillon",
)
def save_draft(
    request,
    payload: DraftIn,
    application_id: int = Path(
        ..., ge=1, le=MAX_ID, description="Identifiant du dossier.", example=EXAMPLE_EDITABLE_APPLICATION_ID
    ),
) -> Status:
    """Enregistre les réponses du brouillon telles que saisies, même incomplètes ou mal formées : elles
    remplacent les précédentes. La réponse donne le dossier enregistré et, dans « errors », les réponses
    à corriger avant le dépôt ; une question que le formulaire du dossier ne connaît pas y est signalée
    et sa réponse ignorée.

    Envoyez dans « version » la version du dossier que vous avez lue. Si quelqu’un l’a enregistré depuis,
    rien n’est écrit : 409 avec le code « stale_version » ; relisez le dossier et renvoyez vos réponses
    avec sa nouvelle version. Un dossier déposé doit être rouvert avant d’être modifié (409, code
    « refused »). Pour un établissement, ses propres dossiers ; pour un agent, les dossiers reçus par
    e-mail ou par courrier d’une région dont il gère les appels, qu’il retranscrit. 404 pour tout autre
    dossier, même si vous pouvez le lire."""
    application = _editable(request, application_id)
    form = services.form_of(application)
    answers, unknown = _answers_for(form, payload.answers, stored=application.answers)
    if problem := storage_problem(answers):
        return _refused(Refusal(problem), code=RefusalCode.REFUSED)
    try:
        errors = services.save_draft(
            application=application, answers=answers, by=request.auth, expected_version=payload.version
        )
    except services.StaleDraft as refusal:
        return _refused(refusal, code=RefusalCode.STALE_VERSION)
    except Refusal as refusal:
        return _refused(refusal, code=RefusalCode.REFUSED)
    errors.update({key: [UNKNOWN_QUESTION] for key in unknown})
    return Status(200, {"dossier": application, "errors": answer_errors(errors)})


def _answers_for(form: Form, answers: dict, *, stored: dict) -> tuple[dict, list[str]]:
    """The answers to the form's questions, and the keys of those it does not ask. A file answer is set
    only by an upload through the site: the stored one is kept."""
    kept, unknown = {}, []
    for key, value in answers.items():
        field = form.field(key)
        if field is None:
            unknown.append(key)
        elif field.kind != Kind.FILE:
            kept[key] = value
    for field in form.fields():
        if field.kind == Kind.FILE and field.key in stored:
            kept[field.key] = stored[field.key]
    return kept, sorted(unknown)


@router.post(
    "/{application_id}/depot",
    response={201: SubmissionOut, 404: ErrorOut, 409: RefusalOut, 422: ValidationErrorOut, **UNAUTHENTICATED},
    summary="Déposer le dossier",
)
def submit_application(
    request,
    application_id: int = Path(
        ..., ge=1, le=MAX_ID, description="Identifiant du dossier.", example=EXAMPLE_EDITABLE_APPLICATION_ID
    ),
) -> Status:
    """Dépose le brouillon tel qu’il est enregistré, avant la date limite de l’appel, lue sur l’horloge du
    serveur ; l’accusé de réception, qui porte l’empreinte SHA-256 de ce qui a été déposé, part par
    e-mail. Un dossier reçu par e-mail ou par courrier est daté de sa réception.

    Refusé (409) quand des réponses manquent ou sont mal formées (code « invalid_answers », une entrée
    par erreur dans « errors »), après la date limite, pour un dossier déjà déposé ou un établissement
    qui n’est plus éligible (code « refused », l’explication dans « detail ») : le brouillon est
    conservé. Mêmes dossiers que pour l’enregistrement du brouillon ; 404 pour tout autre."""
    application = _editable(request, application_id)
    try:
        submission = services.submit_application(application=application, by=request.auth)
    except services.InvalidAnswers as refusal:
        return _refused(refusal, code=RefusalCode.INVALID_ANSWERS, errors=refusal.errors)
    except Refusal as refusal:
        return _refused(refusal, code=RefusalCode.REFUSED)
    return Status(201, submission)
