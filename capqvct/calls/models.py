from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from capqvct.accounts.models import Organisation
from capqvct.calls.deadlines import deadline_cutoff, is_before_deadline
from capqvct.territory.models import Departement, Region


class ProgrammeFormat(models.TextChoices):
    COHORTS = "cohorts", "Collectifs d’établissements avec séances collectives"
    CODEVELOPMENT = "codevelopment", "Groupe de co-développement entre pairs"
    GRANTS = "grants", "Subventions seules"


class FundingRule(models.TextChoices):
    FLAT_RATE = "flat_rate", "Forfait par établissement"
    PER_PROJECT = "per_project", "Montant par projet, dans une enveloppe"


class Programme(models.Model):
    """A dispositif: the frame in which an agency runs its calls, cohorts and grants."""

    region = models.ForeignKey(Region, verbose_name="région", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("présentation", blank=True)
    agencies = models.ManyToManyField(
        Organisation, verbose_name="agences partenaires", related_name="programmes"
    )
    target_categories = models.JSONField("catégories d’ESSMS visées", default=list, blank=True)
    format = models.CharField("format", max_length=20, choices=ProgrammeFormat.choices)
    funding_rule = models.CharField("financement", max_length=20, choices=FundingRule.choices)
    flat_rate_amount = models.DecimalField(
        "forfait par établissement (€)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    budget = models.DecimalField("enveloppe (€)", max_digits=12, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "programme"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="flat_rate_has_amount",
                condition=~Q(funding_rule="flat_rate") | Q(flat_rate_amount__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.title


class CallKind(models.TextChoices):
    AAC = "aac", "Appel à candidatures"
    AMI = "ami", "Appel à manifestation d’intérêt"
    AAP = "aap", "Appel à projets"
    PROPOSITIONS = "propositions", "Appel à propositions"


class CallStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    PUBLISHED = "published", "Publié"
    CLOSED = "closed", "Clos"


class CallQuerySet(models.QuerySet):
    """« Is the call open » has one answer: `open_at` here, `call_is_open` for one call, the same rule."""

    def open_at(self, now: datetime) -> "CallQuerySet":
        """Calls taking dossiers at `now`: published (a draft never is, one closed early no longer is),
        opened, and whose deadline, read to the second, has not passed."""
        return self.filter(
            status=CallStatus.PUBLISHED, opens_at__lte=now, closes_at__gte=deadline_cutoff(now)
        )

    def listed_at(self, now: datetime) -> "CallQuerySet":
        """The public list: open calls and those published to open later."""
        return self.filter(status=CallStatus.PUBLISHED, closes_at__gte=deadline_cutoff(now))


def call_is_listed(call: "Call", now: datetime) -> bool:
    """CallQuerySet.listed_at(now), for one call: published, its deadline (to the second) not passed."""
    return call.status == CallStatus.PUBLISHED and is_before_deadline(now, call.closes_at)


def call_is_open(call: "Call", now: datetime) -> bool:
    """CallQuerySet.open_at(now), for one call in memory (pages, services, reminders and API)."""
    return (
        call.status == CallStatus.PUBLISHED
        and call.opens_at <= now
        and is_before_deadline(now, call.closes_at)
    )


class Call(models.Model):
    """A call for applications within a programme; its deadline is an instant (see deadlines.py)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="calls")
    kind = models.CharField("type d’appel", max_length=20, choices=CallKind.choices)
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("présentation", blank=True)
    departements = models.ManyToManyField(
        Departement, verbose_name="départements éligibles", blank=True, related_name="+"
    )
    categories = models.JSONField("catégories éligibles", default=list, blank=True)
    declared_criteria = models.JSONField("critères déclarés par le candidat", default=list, blank=True)
    places = models.PositiveIntegerField("nombre de places", null=True, blank=True)
    opens_at = models.DateTimeField("ouverture")
    closes_at = models.DateTimeField("date limite de dépôt")
    notification_on = models.DateField("date annoncée de notification", null=True, blank=True)
    contacts = models.TextField("contacts", blank=True)
    required_attachments = models.JSONField("pièces à joindre", default=list, blank=True)
    reminder_days = models.PositiveSmallIntegerField("relance des brouillons (jours avant)", default=2)
    status = models.CharField("état", max_length=12, choices=CallStatus.choices, default=CallStatus.DRAFT)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    closed_early_at = models.DateTimeField("clos par anticipation le", null=True, blank=True)
    closed_early_reason = models.TextField("motif de la clôture anticipée", blank=True)
    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = "appel"
        ordering = ["closes_at", "pk"]
        indexes = [models.Index(fields=["status", "closes_at"])]
        constraints = [
            models.CheckConstraint(name="opens_before_closing", condition=Q(opens_at__lt=F("closes_at"))),
            # A published or closed call says when it was published; a draft has not been.
            models.CheckConstraint(
                name="call_published_has_its_date",
                condition=Q(status=CallStatus.DRAFT, published_at__isnull=True)
                | (~Q(status=CallStatus.DRAFT) & Q(published_at__isnull=False)),
            ),
            # Closed early means closed, with the reason shown on its page.
            models.CheckConstraint(
                name="call_closed_early_is_closed",
                condition=Q(closed_early_at__isnull=True)
                | (Q(status=CallStatus.CLOSED) & ~Q(closed_early_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def time_zone(self) -> str:
        return self.programme.region.time_zone


class FormVersion(models.Model):
    """One version of a call's application form; submitted dossiers keep the version they answered."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="form_versions")
    number = models.PositiveIntegerField("version")
    definition = models.JSONField("définition")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "version du formulaire"
        verbose_name_plural = "versions du formulaire"
        ordering = ["call", "-number"]
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="one_number_per_form_version")]

    def __str__(self) -> str:
        return f"{self.call} — v{self.number}"
