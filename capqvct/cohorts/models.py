"""Cohorts (collectifs) of a call's selected establishments, and the consultant pairs that follow them.

A call's grouping is a draft (proposed by the solver, adjusted by hand) until a programme manager
confirms it; it is read-only afterwards. Each member of a cohort is a `Participant`, linked to the
establishment's dossier; the participants keep the coordinates the grouping was computed from and
how they were found (FINESS, else the commune's or the département's mean).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from capqvct.applications.models import Application
from capqvct.calls.models import Call, Programme
from capqvct.core.files import RandomFileName
from capqvct.establishments.models import Establishment
from capqvct.territory.models import Departement


class ConsultantPair(models.Model):
    """A binôme d’intervenants of a programme: two consultant accounts, the establishments they may
    follow in all (their load), the départements they cover and the establishments they may not follow."""

    programme = models.ForeignKey(
        Programme, verbose_name="programme", on_delete=models.PROTECT, related_name="consultant_pairs"
    )
    first = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="premier intervenant",
        on_delete=models.PROTECT,
        related_name="+",
    )
    second = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="second intervenant",
        on_delete=models.PROTECT,
        related_name="+",
    )
    min_load = models.PositiveSmallIntegerField("établissements suivis, au moins", default=6)
    max_load = models.PositiveSmallIntegerField("établissements suivis, au plus", default=10)
    # None: the whole region.
    departements = models.ManyToManyField(
        Departement, verbose_name="départements couverts", blank=True, related_name="+"
    )
    conflicts = models.ManyToManyField(
        Establishment, verbose_name="établissements qu’il ne peut pas suivre", blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "binôme d’intervenants"
        verbose_name_plural = "binômes d’intervenants"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(name="pair_of_two_people", condition=~Q(first=F("second"))),
            models.CheckConstraint(
                name="pair_load_range", condition=Q(min_load__lte=F("max_load"), max_load__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return " et ".join(person.get_full_name() or person.email for person in (self.first, self.second))


class CohortRules(models.Model):
    """The rules a call's cohorts follow."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="cohort_rules")
    max_size = models.PositiveSmallIntegerField("taille maximale d’un collectif", default=8)
    min_size = models.PositiveSmallIntegerField("taille minimale d’un collectif", default=4)
    same_departement = models.BooleanField("un seul département par collectif", default=True)
    balance_categories = models.BooleanField("équilibrer les catégories d’établissements", default=False)

    class Meta:
        verbose_name = "règles des collectifs"
        verbose_name_plural = "règles des collectifs"
        constraints = [
            models.CheckConstraint(
                name="cohort_sizes_range", condition=Q(min_size__gte=1, min_size__lte=F("max_size"))
            ),
        ]

    def __str__(self) -> str:
        return f"Règles des collectifs de « {self.call} »"


class GroupingStatus(models.TextChoices):
    DRAFT = "draft", "Proposition en cours"
    CONFIRMED = "confirmed", "Collectifs confirmés"


class Grouping(models.Model):
    """The cohorts of a call as a whole: a draft the managers adjust, then confirmed once."""

    call = models.OneToOneField(Call, on_delete=models.PROTECT, related_name="grouping")
    status = models.CharField(
        "état", max_length=12, choices=GroupingStatus.choices, default=GroupingStatus.DRAFT
    )
    # What the solver found: the proposal's total travel and a bound no grouping can beat (metres).
    proposed_travel = models.FloatField("trajets de la proposition (m)", null=True, blank=True)
    lower_bound = models.FloatField("minimum possible des trajets (m)", null=True, blank=True)
    proposed_at = models.DateTimeField("proposée le", null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("confirmée le", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The rules it still broke when it was confirmed, as the manager acknowledged them.
    acknowledged_breaches = models.JSONField("écarts aux règles acceptés", default=list, blank=True)

    class Meta:
        verbose_name = "constitution des collectifs"
        verbose_name_plural = "constitutions des collectifs"
        constraints = [
            models.CheckConstraint(
                name="grouping_confirmed_has_its_date",
                condition=Q(status=GroupingStatus.DRAFT, confirmed_at__isnull=True)
                | Q(status=GroupingStatus.CONFIRMED, confirmed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Collectifs de « {self.call} »"


class Cohort(models.Model):
    """A collectif: at most a few establishments meeting at one of them, followed by a pair."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="cohorts")
    number = models.PositiveSmallIntegerField("numéro")
    name = models.CharField("nom", max_length=120)
    meeting_place = models.ForeignKey(
        Establishment,
        verbose_name="lieu de rencontre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Sum of the straight-line distances from each member to the meeting place, metres.
    travel = models.FloatField("trajets (m)", default=0)
    pair = models.ForeignKey(
        ConsultantPair,
        verbose_name="binôme d’intervenants",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cohorts",
    )

    class Meta:
        verbose_name = "collectif"
        ordering = ["call", "number"]
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="one_cohort_number_per_call")]

    def __str__(self) -> str:
        return self.name


class Placement(models.TextChoices):
    """Where the coordinates of a participant come from."""

    FINESS = "finess", "Coordonnées FINESS"
    COMMUNE = "commune", "Centre de la commune"
    DEPARTEMENT = "departement", "Centre du département"
    UNKNOWN = "unknown", "Position inconnue"


class Participant(models.Model):
    """A selected establishment in its cohort, linked to its dossier; once per call."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="participants")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="participants")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="participations")
    application = models.OneToOneField(
        Application, verbose_name="dossier", on_delete=models.PROTECT, related_name="participant"
    )
    x = models.FloatField(default=0)
    y = models.FloatField(default=0)
    placement = models.CharField("position", max_length=12, choices=Placement.choices)

    class Meta:
        verbose_name = "participant"
        ordering = ["cohort__number", "establishment__name"]
        constraints = [
            models.UniqueConstraint(fields=["call", "establishment"], name="one_participation_per_call"),
        ]

    def __str__(self) -> str:
        return str(self.establishment)

    @property
    def approximate(self) -> bool:
        return self.placement != Placement.FINESS

    @property
    def placement_label(self) -> str:
        return str(Placement(self.placement).label)


# The trinôme of each participant, taken from its dossier when the cohorts are confirmed.


class TrioRole(models.TextChoices):
    # The labels of the dossier's « Trinôme » question (calls.formdef.schema.TRIO_ROLES).
    DIRECTION = "direction", "Représentant de la direction"
    STAFF_REPRESENTATIVE = "staff_representative", "Représentant du personnel"
    PROFESSIONS = "professions", "Représentant des métiers ou de l’encadrement soignant"


class TrioMember(models.Model):
    """One of the three people who represent a participant: at the sessions, on the engagement letter.

    A replaced member stays, inactive, with what they did (signatures, attendance); the participant has
    one active member per role at most."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="trio")
    role = models.CharField("rôle", max_length=24, choices=TrioRole.choices)
    name = models.CharField("nom", max_length=200)
    function = models.CharField("fonction", max_length=200, blank=True)
    email = models.EmailField("adresse e-mail")
    # The account with this e-mail, when there is one.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="trio_roles"
    )
    active = models.BooleanField("en fonction", default=True)
    replaced_at = models.DateTimeField("remplacé le", null=True, blank=True)
    replacement_reason = models.TextField("motif du remplacement", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "membre du trinôme"
        verbose_name_plural = "membres du trinôme"
        ordering = ["participant", "role", "-active", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "role"],
                condition=Q(active=True),
                name="one_active_trio_member_per_role",
            ),
            models.CheckConstraint(
                name="replaced_trio_member_is_inactive",
                condition=Q(replaced_at__isnull=True) | Q(active=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


# Engagement: each participant's letter, frozen when sent, and its trinôme's signatures.


class EngagementTemplate(models.Model):
    """The text of a call's engagement letters, with placeholders (engagement_letters.PLACEHOLDERS),
    and how many days after a link a member who has not signed is reminded."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="engagement_template")
    body = models.TextField("texte de la lettre")
    reminder_days = models.PositiveSmallIntegerField("relance après (jours)", default=7)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "modèle de lettre d’engagement"
        verbose_name_plural = "modèles de lettre d’engagement"
        constraints = [
            models.CheckConstraint(name="engagement_reminder_days_range", condition=Q(reminder_days__gte=1)),
        ]

    def __str__(self) -> str:
        return f"Lettre d’engagement de « {self.call} »"


class EngagementLetter(models.Model):
    """A participant's letter as it was sent: the exact text and its PDF, fingerprinted (SHA-256 of the
    PDF). Sent again before anyone signed, it is frozen anew from the call's current text."""

    participant = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="engagement_letter"
    )
    text = models.TextField("texte envoyé")
    pdf = models.BinaryField("lettre (PDF)")
    fingerprint = models.CharField("empreinte SHA-256 du PDF", max_length=64)
    frozen_at = models.DateTimeField("figée le")
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when every active member of the trinôme has signed.
    completed_at = models.DateTimeField("signée par tout le trinôme le", null=True, blank=True)

    class Meta:
        verbose_name = "lettre d’engagement"
        verbose_name_plural = "lettres d’engagement"

    def __str__(self) -> str:
        return f"Lettre d’engagement de {self.participant}"


class EngagementInvitation(models.Model):
    """The personal link of one trinôme member to their letter: a new nonce at each e-mail (the first,
    a reminder), so that only the latest link works; `sent_at` dates the latest, for the reminders."""

    letter = models.ForeignKey(EngagementLetter, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(TrioMember, on_delete=models.PROTECT, related_name="engagement_invitations")
    nonce = models.CharField(max_length=32)
    sent_at = models.DateTimeField("lien envoyé le")
    reminders = models.PositiveSmallIntegerField("relances", default=0)

    class Meta:
        verbose_name = "lien de signature"
        verbose_name_plural = "liens de signature"
        constraints = [
            models.UniqueConstraint(fields=["letter", "member"], name="one_engagement_link_per_member"),
        ]

    def __str__(self) -> str:
        return f"Lien de {self.member}"


class EngagementSignature(models.Model):
    """A member's signature: who (and the account, when signed in), when, from which address, the name
    they typed, and the fingerprint of the letter they read."""

    letter = models.ForeignKey(EngagementLetter, on_delete=models.PROTECT, related_name="signatures")
    member = models.ForeignKey(TrioMember, on_delete=models.PROTECT, related_name="engagement_signatures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    typed_name = models.CharField("nom saisi", max_length=200)
    signed_at = models.DateTimeField("signée le")
    # The client's address as core.network.client_ip reads it (REMOTE_ADDR behind no trusted proxy).
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    fingerprint = models.CharField("empreinte de la lettre signée", max_length=64)

    class Meta:
        verbose_name = "signature de la lettre d’engagement"
        verbose_name_plural = "signatures des lettres d’engagement"
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "member"], name="one_signature_per_member_and_letter"),
        ]

    def __str__(self) -> str:
        return f"Signature de {self.member}"


# The cohort's calendar: its sessions, and the visits to each participant.


class Mode(models.TextChoices):
    ON_SITE = "on_site", "Sur place"
    VIDEO = "video", "En visioconférence"


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Prévue"
    CANCELLED = "cancelled", "Annulée"


class CalendarEvent(models.Model):
    """What a session and a visit share: when, where, and what a calendar application needs to update
    the event it was sent (the same UID, a higher SEQUENCE at each change or cancellation)."""

    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    mode = models.CharField("modalité", max_length=10, choices=Mode.choices, default=Mode.ON_SITE)
    address = models.TextField("adresse", blank=True)
    video_url = models.URLField("lien de la visioconférence", blank=True)
    status = models.CharField(
        "état", max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SessionKind(models.TextChoices):
    PRESENTATION = "presentation", "Présentation du dispositif"
    COLLECTIVE = "collective", "Séance collective"


class Session(CalendarEvent):
    """A collective session of a cohort (numbered), or the presentation of the programme to all the
    call's cohorts (no cohort)."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="sessions")
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    kind = models.CharField(
        "type", max_length=14, choices=SessionKind.choices, default=SessionKind.COLLECTIVE
    )
    number = models.PositiveSmallIntegerField("numéro", null=True, blank=True)
    agenda = models.TextField("ordre du jour", blank=True)

    class Meta:
        verbose_name = "séance"
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(name="session_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))),
            models.CheckConstraint(
                name="session_kind_shape",
                condition=Q(kind=SessionKind.COLLECTIVE, cohort__isnull=False, number__isnull=False)
                | Q(kind=SessionKind.PRESENTATION, cohort__isnull=True, number__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["cohort", "number"],
                condition=Q(status=EventStatus.SCHEDULED),
                name="one_scheduled_session_number_per_cohort",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == SessionKind.PRESENTATION:
            return str(SessionKind.PRESENTATION.label)
        return f"Séance {self.number}"


class SessionDocument(models.Model):
    """A file given with a session (its programme, a handout), checked and stored as a dossier's files
    are: by its content, under a random name."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to=RandomFileName("sessions"), max_length=200)
    name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)")
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "document de séance"
        verbose_name_plural = "documents de séance"
        ordering = ["session", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class SchoolHoliday(models.Model):
    """A school-holiday period a programme manager typed for a call (no offline source gives them
    for every zone and year): the planning assistant avoids it when asked to."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="school_holidays")
    name = models.CharField("nom", max_length=120)
    starts_on = models.DateField("premier jour")
    ends_on = models.DateField("dernier jour")

    class Meta:
        verbose_name = "vacances scolaires"
        verbose_name_plural = "vacances scolaires"
        ordering = ["call", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="school_holiday_ends_after_start", condition=Q(ends_on__gte=F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarFeed(models.Model):
    """A user's private calendar address: whoever has the token reads the user's events, so a new
    token replaces the old one (the old address then answers 404)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("créée le")

    class Meta:
        verbose_name = "agenda privé"
        verbose_name_plural = "agendas privés"

    def __str__(self) -> str:
        return f"Agenda de {self.user}"


class VisitKind(models.TextChoices):
    KICKOFF = "kickoff", "Rencontre préalable"
    SUPPORT = "support", "Appui individuel"


class VisitLength(models.TextChoices):
    HALF_DAY = "half_day", "Demi-journée"
    DAY = "day", "Journée"


class SupportVisit(CalendarEvent):
    """A consultant's meeting with one participant: before the start, or an individual support visit,
    with the report the consultant writes afterwards (read by the trinôme and the programme managers)."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="visits")
    kind = models.CharField("type", max_length=10, choices=VisitKind.choices, default=VisitKind.SUPPORT)
    length = models.CharField(
        "durée", max_length=10, choices=VisitLength.choices, default=VisitLength.HALF_DAY
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="intervenant", on_delete=models.PROTECT, related_name="visits"
    )
    subject = models.CharField("objet", max_length=200, blank=True)
    report_done = models.TextField("ce qui a été fait", blank=True)
    report_decisions = models.TextField("décisions", blank=True)
    report_next_steps = models.TextField("prochaines étapes", blank=True)
    report_written_at = models.DateTimeField("compte rendu écrit le", null=True, blank=True)
    report_written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "rencontre avec un établissement"
        verbose_name_plural = "rencontres avec les établissements"
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(name="visit_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.participant}"


# Attendance at the sessions, the scans of their paper sheets, and the history of the visit reports.


class Attendance(models.Model):
    """Whether a trio member was at a session: recorded by the pair or a programme manager for everyone,
    or ticked by the member themself on the session's day. Who recorded it last, and when, is kept."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendances")
    trio_member = models.ForeignKey(
        TrioMember, verbose_name="membre du trinôme", on_delete=models.PROTECT, related_name="attendances"
    )
    present = models.BooleanField("présent")
    self_declared = models.BooleanField("signalé par la personne elle-même", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistré le")

    class Meta:
        verbose_name = "présence"
        ordering = ["session", "trio_member"]
        constraints = [
            models.UniqueConstraint(fields=["session", "trio_member"], name="one_attendance_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.trio_member} — {self.session} — {'présent' if self.present else 'absent'}"


class SignInSheetScan(models.Model):
    """The scan of a session's signed paper sheet (PDF, JPEG or PNG), checked by its content."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="sign_in_scans")
    file = models.FileField(upload_to=RandomFileName("emargements"), max_length=200)
    name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)")
    content_type = models.CharField("type détecté", max_length=120)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "feuille d’émargement numérisée"
        verbose_name_plural = "feuilles d’émargement numérisées"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class VisitReportVersion(models.Model):
    """One writing of a visit's report: the visit holds the current text and its first writing; each
    version keeps who wrote what, and when."""

    visit = models.ForeignKey(SupportVisit, on_delete=models.PROTECT, related_name="report_versions")
    done = models.TextField("ce qui a été fait")
    decisions = models.TextField("décisions", blank=True)
    next_steps = models.TextField("prochaines étapes", blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField("écrit le")

    class Meta:
        verbose_name = "version d’un compte rendu"
        verbose_name_plural = "versions des comptes rendus"
        ordering = ["visit", "written_at", "pk"]

    def __str__(self) -> str:
        return f"Compte rendu — {self.visit}"
