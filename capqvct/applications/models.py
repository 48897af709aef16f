import uuid

from django.conf import settings
from django.db import models

from capqvct.calls.models import Call, FormVersion
from capqvct.core.files import RandomFileName
from capqvct.establishments.models import Establishment


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Déposé"
    # Handed to the review once the call's deadline has passed; review holds what follows.
    IN_REVIEW = "in_review", "En instruction"
    WITHDRAWN = "withdrawn", "Retiré"


class ApplicantStage(models.TextChoices):
    """What the applicant reads of a dossier under review, beyond « En instruction »; set by the review."""

    INFORMATION_REQUESTED = "information_requested", "Complément demandé"
    SELECTED = "selected", "Retenu"
    WAITING_LIST = "waiting_list", "Liste d’attente"
    NOT_SELECTED = "not_selected", "Non retenu"


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
    # Kept by the review (a question waiting, a notified decision): the applicant's view of the state.
    applicant_stage = models.CharField(
        "étape vue par le candidat", max_length=24, choices=ApplicantStage.choices, blank=True
    )
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField("réponses", default=dict, blank=True)
    # A dossier reopened and not deposited again before the call closed returns to its last submission;
    # the changes made meanwhile are kept here for its establishment, never shown to reviewers.
    undeposited_answers = models.JSONField("modifications non déposées", default=dict, blank=True)
    # Optimistic locking: every save must name the version it started from.
    lock_version = models.PositiveIntegerField(default=0)
    channel = models.CharField("canal", max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    received_at = models.DateTimeField("reçu le", null=True, blank=True)
    # Who sent a dossier received by e-mail or post: the receipt goes to this address.
    sender_email = models.EmailField("e-mail de l’expéditeur", blank=True)
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
            models.UniqueConstraint(fields=["call", "establishment"], name="one_application_per_call"),
            # Submitted, or handed to the review after it, a dossier has its submission date.
            models.CheckConstraint(
                name="application_submitted_has_its_date",
                condition=~models.Q(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW])
                | models.Q(submitted_at__isnull=False),
            ),
            # A dossier received by e-mail, post or import is dated by its receipt.
            models.CheckConstraint(
                name="application_offsite_has_its_receipt_date",
                condition=models.Q(channel=Channel.ONLINE) | models.Q(received_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.establishment.name} — {self.call.title}"

    @property
    def in_review(self) -> bool:
        return self.status == ApplicationStatus.IN_REVIEW

    @property
    def review_stage(self) -> str:
        """The stage the review set, while the dossier is under review; "" otherwise."""
        return self.applicant_stage if self.status == ApplicationStatus.IN_REVIEW else ""

    @property
    def state_for_applicant(self) -> str:
        """« Complément demandé », « Retenu »… while under review, else the status."""
        return self.get_applicant_stage_display() if self.review_stage else self.get_status_display()


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


class Attachment(models.Model):
    """A file of a dossier: the answer to a file question, or an original received by e-mail or post."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    # The file question it answers; empty for an original file recorded by an agent.
    field_key = models.CharField("question", max_length=100, blank=True)
    name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)")
    content_type = models.CharField("type détecté", max_length=120)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    file = models.FileField(upload_to=RandomFileName("dossiers"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name

    def as_answer(self) -> dict:
        """What a file question's answer holds: enough to show, check and fetch the file; its digest makes
        the submission's fingerprint cover the file's content too."""
        return {
            "id": str(self.id),
            "name": self.name,
            "size": self.size,
            "content_type": self.content_type,
            "sha256": self.sha256,
        }


class ReminderKind(models.TextChoices):
    BEFORE = "before", "Relance avant la date limite"
    LAST_DAY = "last_day", "Relance le dernier jour"


class DraftReminder(models.Model):
    """A reminder sent to a draft's holders; one of each kind per dossier and deadline, never twice."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    # An extended deadline earns new reminders.
    deadline = models.DateTimeField("date limite rappelée")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "relance de brouillon"
        constraints = [
            models.UniqueConstraint(fields=["application", "kind", "deadline"], name="one_reminder_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.application} — {self.get_kind_display()}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Fichier déposé"
    IMPORTED = "imported", "Importé"


class ImportBatch(models.Model):
    """A spreadsheet of dossiers an agent imports into a call: its file, column mapping and report."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="import_batches")
    file = models.FileField(upload_to=RandomFileName("dossiers"), max_length=200)
    original_name = models.CharField("nom du fichier", max_length=255)
    # Which column feeds what: {"finess", "received_at", "received_on", "sender_email": column,
    # "answers": {answer path: column}}; one column may feed several targets.
    mapping = models.JSONField("correspondance des colonnes", default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    # Imported line numbers, and failed ones with their reasons.
    report = models.JSONField("compte rendu", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "import de dossiers"
        verbose_name_plural = "imports de dossiers"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
