"""The anonymous staff survey of an establishment's approach: the instrument versions stored from their
files, the campaigns (wave 1 before the actions, wave 2 after), the single-use access codes, the
responses and the free texts.

Anonymity is built into the tables, not promised by the pages:
- a `Response` has no account, no IP address, no user agent, no code and no time but the Monday of
  its week; its key is random (a UUID), so the order of the rows says nothing about the order of
  arrival;
- an `AccessCode` is kept as a keyed hash, marked used, in a table no response references;
- a `FreeText` is not linked to the response it came with, so a comment cannot be joined to the
  answers or the profession of whoever wrote it.
"""

import uuid

from django.conf import settings
from django.db import models

from capqvct.cohorts.models import Participant
from capqvct.surveys.instruments import Instrument, load_instrument


class InstrumentVersion(models.Model):
    """An instrument file as imported: the shipped ones (no agency) and those an agency completed with
    the texts it obtained (a licensed instrument's texts are never committed with the code)."""

    code = models.CharField("code", max_length=60)
    version = models.CharField("version", max_length=10)
    title = models.CharField("titre", max_length=255)
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="agence",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    definition = models.JSONField("définition")
    imported_at = models.DateTimeField("importé le", auto_now_add=True)

    class Meta:
        verbose_name = "version de questionnaire"
        ordering = ["code", "version", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version", "agency"], name="one_instrument_version_per_agency"
            ),
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=models.Q(agency__isnull=True),
                name="one_shipped_instrument_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def instrument(self) -> Instrument:
        cached = getattr(self, "_instrument", None)
        if cached is None:
            cached = self._instrument = load_instrument(self.definition)
        return cached


class Wave(models.IntegerChoices):
    BEFORE = 1, "Vague 1 — avant les actions"
    AFTER = 2, "Vague 2 — après les actions"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "En préparation"
    OPEN = "open", "Ouverte"
    CLOSED = "closed", "Clôturée"


class Access(models.TextChoices):
    LINK = "link", "Lien public et QR code, sans code"
    CODES = "codes", "Codes à usage unique distribués sur des coupons"


class Campaign(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="campaigns")
    wave = models.PositiveSmallIntegerField("vague", choices=Wave.choices)
    instrument = models.ForeignKey(
        InstrumentVersion, verbose_name="questionnaire", on_delete=models.PROTECT, related_name="campaigns"
    )
    status = models.CharField(
        "état", max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    access = models.CharField("accès", max_length=10, choices=Access.choices, default=Access.LINK)
    opens_on = models.DateField("ouverture le")
    closes_on = models.DateField("clôture le")
    headcount = models.PositiveIntegerField("effectif concerné")
    # The public address of the questionnaire; knowing it is what the poster gives.
    token = models.CharField(max_length=32, unique=True)
    breakdowns = models.JSONField("questions descriptives", default=list, blank=True)
    services = models.JSONField("services proposés", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)

    class Meta:
        verbose_name = "campagne d’enquête"
        ordering = ["participant", "wave"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "wave"], name="one_campaign_per_wave"),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.get_wave_display()}"


class QuestionKind(models.TextChoices):
    AGREEMENT = "agreement", "Affirmation, de «\u00a0pas du tout\u00a0» à «\u00a0tout à fait d’accord\u00a0»"
    TEXT = "text", "Question ouverte (texte libre, relu avant d’être montré)"


class OwnQuestion(models.Model):
    """A question the establishment adds to its campaign, after the instrument's."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="own_questions")
    text = models.CharField("question", max_length=200)
    kind = models.CharField("type", max_length=10, choices=QuestionKind.choices)

    class Meta:
        verbose_name = "question de l’établissement"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class AccessCode(models.Model):
    """A single-use code printed on a slip: only its keyed hash is kept, and whether it was used."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = "code d’accès"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "digest"], name="one_code_digest_per_campaign")
        ]

    def __str__(self) -> str:
        return "code utilisé" if self.used else "code disponible"


class Channel(models.TextChoices):
    ONLINE = "online", "En ligne"
    PAPER = "paper", "Papier, saisi par le comité"


class Response(models.Model):
    """One person's answers: the instrument's items, the establishment's own agreement questions, the
    descriptive bands, and the scale scores computed when it was stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    week = models.DateField("semaine du")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    profession = models.CharField(max_length=20, blank=True)
    service = models.CharField(max_length=60, blank=True)
    seniority = models.CharField(max_length=20, blank=True)
    shift = models.CharField(max_length=20, blank=True)
    answers = models.JSONField(default=dict)
    own_answers = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)

    class Meta:
        verbose_name = "réponse"

    def __str__(self) -> str:
        return f"réponse de la semaine du {self.week}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "À relire"
    KEPT = "kept", "Gardé"
    HIDDEN = "hidden", "Masqué"


class FreeText(models.Model):
    """An answer to an open question, kept apart from the response it came with."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.ForeignKey(OwnQuestion, on_delete=models.CASCADE, related_name="free_texts")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)

    class Meta:
        verbose_name = "réponse libre"
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text[:50]


class ScaleSummary(models.Model):
    """A closed campaign's score per scale, written once when it closes: the benchmarks read these."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="summaries")
    scale = models.CharField(max_length=20)
    respondents = models.PositiveIntegerField()
    mean = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "scale"], name="one_summary_per_scale")]

    def __str__(self) -> str:
        return f"{self.scale}\u00a0: {self.mean:.0f}"
