from django.conf import settings
from django.db import models


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
