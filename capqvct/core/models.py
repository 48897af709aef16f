from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """Who did what, when, to which object: append-only, read by platform administrators."""

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as typed so the trail survives the deletion of the account.
    actor_email = models.CharField("e-mail de l’auteur", max_length=254, blank=True)
    action = models.CharField("action", max_length=64, db_index=True)
    target_type = models.CharField("type d’objet", max_length=64, blank=True)
    target_id = models.CharField("identifiant de l’objet", max_length=64, blank=True)
    target_label = models.CharField("objet", max_length=255, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)
    # The client's address, read through the trusted proxies only (core.network); none for commands.
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    class Meta:
        verbose_name = "événement du journal"
        verbose_name_plural = "journal d’audit"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or '—'} {self.action} {self.target_label}"


# Separates, in an e-mail's last error, the French explanation from the mail layer's own words.
TECHNICAL_DETAIL = "Détail technique\u00a0:"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "en attente"
    SENDING = "sending", "en cours d’envoi"
    SENT = "sent", "envoyé"
    FAILED = "failed", "en échec"
    CANCELLED = "cancelled", "annulé"


class OutgoingEmail(models.Model):
    """One e-mail of the outbox: written in the transaction of the change that causes it, sent by the
    worker (`outbox.deliver`), retried with a growing delay, and kept as sent, failed or cancelled."""

    created_at = models.DateTimeField("créé le", auto_now_add=True, db_index=True)
    # What the e-mail is for, as a stable code (« review.decision ») read by the hooks of its app.
    purpose = models.CharField("objet de l’envoi", max_length=64, db_index=True)
    to = models.JSONField("destinataires", default=list)
    subject = models.CharField("objet", max_length=500)
    body = models.TextField("texte")
    # Each attachment as data: {"builder", "args", "file_name", "mimetype"}; built when it leaves.
    attachments = models.JSONField("pièces jointes", default=list, blank=True)
    message_id = models.CharField("Message-ID", max_length=255, db_index=True)
    headers = models.JSONField("en-têtes", default=dict, blank=True)
    status = models.CharField("état", max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now)
    claimed_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    caused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="à l’origine de l’envoi",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    about_type = models.CharField("type d’objet", max_length=64, blank=True)
    about_id = models.CharField("identifiant de l’objet", max_length=64, blank=True)
    about_label = models.CharField("concerne", max_length=255, blank=True)

    class Meta:
        verbose_name = "e-mail sortant"
        verbose_name_plural = "e-mails sortants"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["about_type", "about_id"]),
            models.Index(fields=["caused_by", "status"]),
        ]

    def __str__(self) -> str:
        return f"{', '.join(self.to)}\u00a0: {self.subject}"

    @property
    def error_summary(self) -> str:
        """What the agent reads; the technical detail that follows is for the administrator."""
        return self.last_error.partition(TECHNICAL_DETAIL)[0].strip()

    @property
    def error_detail(self) -> str:
        return self.last_error.partition(TECHNICAL_DETAIL)[2].strip()
