from django.conf import settings
from django.db import models
from django.db.models import Q

from capqvct.accounts.models import Organisation
from capqvct.territory.models import Commune, Departement


class Establishment(models.Model):
    """An ESSMS of the FINESS register (one geographic establishment, ET)."""

    finess_et = models.CharField("FINESS établissement", max_length=9, unique=True)
    finess_ej = models.CharField("FINESS entité juridique", max_length=9, db_index=True)
    name = models.CharField("raison sociale", max_length=255)
    long_name = models.CharField("raison sociale longue", max_length=255, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city_label = models.CharField("ligne d’acheminement", max_length=100, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name="commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    departement = models.ForeignKey(
        Departement, verbose_name="département", on_delete=models.PROTECT, related_name="establishments"
    )
    phone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("e-mail", blank=True)
    category_code = models.CharField("code catégorie", max_length=4)
    category_label = models.CharField("catégorie", max_length=255)
    aggregate_category_code = models.CharField("code agrégat de catégorie", max_length=4, blank=True)
    aggregate_category_label = models.CharField("agrégat de catégorie", max_length=255, blank=True)
    opened_on = models.DateField("date d’ouverture", null=True, blank=True)
    finess_updated_on = models.DateField("mise à jour FINESS", null=True, blank=True)
    # Coordinates as published by FINESS: Lambert-93 in mainland France, the local projection
    # named in geo_source overseas.
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    geo_source = models.CharField("source de géolocalisation", max_length=255, blank=True)
    organisation = models.OneToOneField(
        Organisation,
        verbose_name="espace de l’établissement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="establishment",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "établissement"
        ordering = ["name"]
        indexes = [
            models.Index(fields=["departement", "name"]),
            models.Index(fields=["category_code"]),
            models.Index(fields=["postal_code"]),
            models.Index(fields=["name", "finess_et"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.finess_et})"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    APPROVED = "approved", "Acceptée par l’agence"
    REJECTED = "rejected", "Refusée par l’agence"
    CONFIRMED = "confirmed", "Confirmée par la direction"
    DECLINED = "declined", "Refusée par la direction"


REFUSED_CLAIM_STATUSES = (ClaimStatus.REJECTED, ClaimStatus.DECLINED)


class Claim(models.Model):
    """A person's request to join an establishment's space, decided by a programme manager of the
    region or, when the space already has a direction, confirmed by that direction (see services)."""

    establishment = models.ForeignKey(
        Establishment, verbose_name="établissement", on_delete=models.CASCADE, related_name="claims"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandeur", on_delete=models.CASCADE, related_name="claims"
    )
    function = models.CharField("fonction", max_length=120)
    message = models.TextField("message à l’agence", blank=True)
    status = models.CharField("état", max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField("motif", blank=True)
    # The page the claimant came from (a call's page): the acceptance e-mail leads back to it.
    return_path = models.CharField("page de retour", max_length=200, blank=True)

    class Meta:
        verbose_name = "demande de rattachement"
        verbose_name_plural = "demandes de rattachement"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "user"],
                condition=Q(status="pending"),
                name="one_pending_claim_per_user_and_establishment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.establishment}"
