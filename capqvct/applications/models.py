from django.conf import settings
from django.db import models

from capqvct.calls.models import Call, FormVersion
from capqvct.establishments.models import Establishment


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"
    WITHDRAWN = "withdrawn", "Retiré"


class Channel(models.TextChoices):
    ONLINE = "online", "En ligne"
    EMAIL = "email", "Par e-mail"
    POST = "post", "Par courrier"
    IMPORT = "import", "Import de tableur"


class Application(models.Model):
    """An establishment's dossier for one call; answers are kept as typed, valid or not."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        "état", max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField("réponses", default=dict, blank=True)
    # Optimistic locking: every save must name the version it started from.
    lock_version = models.PositiveIntegerField(default=0)
    channel = models.CharField("canal", max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    received_at = models.DateTimeField("reçu le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField("déposé le", null=True, blank=True)

    class Meta:
        verbose_name = "dossier de candidature"
        verbose_name_plural = "dossiers de candidature"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["call", "establishment"], name="one_application_per_call")
        ]

    def __str__(self) -> str:
        return f"{self.establishment.name} — {self.call.title}"


class Submission(models.Model):
    """One submission of a dossier, frozen: what was sent, when, and its SHA-256 fingerprint."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveIntegerField("numéro")
    submitted_at = models.DateTimeField("déposé le")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField("réponses déposées")
    fingerprint = models.CharField("empreinte SHA-256", max_length=64)

    class Meta:
        verbose_name = "dépôt"
        ordering = ["application", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="one_number_per_submission")
        ]

    def __str__(self) -> str:
        return f"{self.application} — dépôt n° {self.number}"


class Change(models.Model):
    """Who changed which answers of a draft, and when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="changes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    fields = models.JSONField("réponses modifiées", default=list)

    class Meta:
        verbose_name = "modification"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application} — {', '.join(self.fields)}"
