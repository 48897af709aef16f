"""An establishment's QVT approach (« démarche QVT ») in four sequences: launch and steering (the
comité QVT, the scope, the internal communication plan), shared diagnosis and priorities (the EDT
work groups, the HR indicators per year, the work situations ranked by the comité), actions (the
action plan, with experiments) and review (what worked, what continues, the bilan). One approach per
participant of a confirmed cohort; the sequence moves on when the trinôme asks and a consultant of
the pair agrees."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from capqvct.cohorts.models import Participant
from capqvct.core.files import RandomFileName


class Sequence(models.IntegerChoices):
    LAUNCH = 1, "Lancement et conduite en interne"
    DIAGNOSIS = 2, "État des lieux partagé et priorisation"
    ACTIONS = 3, "Construction et mise en œuvre d’actions"
    REVIEW = 4, "Bilan et évaluation"


class Theme(models.TextChoices):
    """The six subjects of the Anact référentiel QVCT (2023)."""

    ORGANISATION = "organisation", "Organisation, contenu et réalisation du travail"
    SKILLS = "skills", "Compétences et parcours professionnels"
    HEALTH = "health", "Santé au travail"
    EQUALITY = "equality", "Égalité au travail"
    MANAGEMENT = "management", "Projet d’entreprise et management"
    DIALOGUE = "dialogue", "Dialogue social et professionnel"


class Approach(models.Model):
    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="approach")
    sequence = models.PositiveSmallIntegerField("séquence en cours", choices=Sequence.choices, default=1)
    # Set when the fourth sequence is closed: the approach is complete.
    completed_at = models.DateTimeField("démarche terminée le", null=True, blank=True)
    scope_services = models.TextField("services et équipes concernés", blank=True)
    scope_sites = models.TextField("sites concernés", blank=True)
    scope_notes = models.TextField("précisions sur le périmètre", blank=True)
    # Sequence 4.
    what_worked = models.TextField("ce qui a marché", blank=True)
    what_did_not = models.TextField("ce qui n’a pas marché", blank=True)
    what_continues = models.TextField("ce qui continue après le programme", blank=True)
    review_validated_at = models.DateTimeField("bilan validé par le comité le", null=True, blank=True)
    review_validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField("dernière activité", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "démarche QVT"
        verbose_name_plural = "démarches QVT"

    def __str__(self) -> str:
        return f"Démarche QVT — {self.participant}"


class SequenceClosure(models.Model):
    """The trinôme asks to close a sequence (with a reason when items of its checklist are missing);
    a consultant of the pair agrees, or declines with a comment."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "demandée"
        AGREED = "agreed", "acceptée"
        DECLINED = "declined", "refusée"

    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="closures")
    sequence = models.PositiveSmallIntegerField(choices=Sequence.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    missing = models.JSONField("éléments manquants", default=list, blank=True)
    reason = models.TextField("raison de clore malgré les manques", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField("commentaire de l’intervenant", blank=True)

    class Meta:
        verbose_name = "clôture de séquence"
        ordering = ["approach", "sequence", "requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["approach", "sequence"],
                condition=Q(status="requested"),
                name="one_open_closure_per_sequence",
            ),
            models.UniqueConstraint(
                fields=["approach", "sequence"],
                condition=Q(status="agreed"),
                name="one_agreed_closure_per_sequence",
            ),
        ]

    def __str__(self) -> str:
        return f"Clôture de la séquence {self.sequence} ({self.get_status_display()})"


# Sequence 1: the comité QVT, its meetings, the communication plan


class CommitteeRole(models.TextChoices):
    DIRECTION = "direction", "Direction"
    STAFF_REPRESENTATIVE = "staff_representative", "Représentant du personnel"
    CME = "cme", "Commission médicale (CME)"
    PROFESSIONAL = "professional", "Professionnel de terrain"
    OUTSIDE = "outside", "Acteur extérieur"


class CommitteeMember(models.Model):
    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="committee")
    name = models.CharField("nom", max_length=150)
    role = models.CharField("rôle au comité", max_length=24, choices=CommitteeRole.choices)
    function = models.CharField("fonction", max_length=150, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "membre du comité QVT"
        ordering = ["approach", "role", "name"]

    def __str__(self) -> str:
        return self.name


class CommitteeMeeting(models.Model):
    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("date")
    attendees = models.ManyToManyField(
        CommitteeMember, verbose_name="présents", related_name="meetings", blank=True
    )
    minutes = models.TextField("compte rendu", blank=True)
    decisions = models.TextField("décisions", blank=True)

    class Meta:
        verbose_name = "réunion du comité QVT"
        ordering = ["approach", "-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Réunion du comité du {self.held_on:%d/%m/%Y}"


class Message(models.Model):
    """An item of the internal communication plan: what is said to whom and when; sent once done."""

    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="messages")
    audience = models.CharField("à qui", max_length=200)
    content = models.TextField("ce qui est dit")
    channel = models.CharField("par quel moyen", max_length=120, blank=True)
    planned_on = models.DateField("prévu le")
    sent_on = models.DateField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "message du plan de communication"
        ordering = ["approach", "planned_on", "pk"]

    def __str__(self) -> str:
        return f"Message pour {self.audience}"


# Sequence 2: EDT work groups, HR indicators, work situations and priorities


class WorkGroup(models.Model):
    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="work_groups")
    name = models.CharField("nom du groupe", max_length=150)
    members = models.TextField("membres, par métier", help_text="Un membre par ligne : nom et métier.")
    subject = models.TextField("situation ou sujet travaillé", blank=True)

    class Meta:
        verbose_name = "espace de discussion sur le travail (EDT)"
        ordering = ["approach", "name"]

    def __str__(self) -> str:
        return self.name


class WorkGroupMeeting(models.Model):
    group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("date")
    notes = models.TextField("notes")

    class Meta:
        verbose_name = "réunion d’EDT"
        ordering = ["group", "-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Réunion de {self.group} du {self.held_on:%d/%m/%Y}"


def _figure(label: str, decimals: int = 2):
    return models.DecimalField(label, max_digits=14, decimal_places=decimals, null=True, blank=True)


class IndicatorYear(models.Model):
    """The establishment's raw HR figures for one calendar year; the indicators are computed from them
    (indicators.py), never typed."""

    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="indicator_years")
    year = models.PositiveSmallIntegerField("année")
    real_fte = _figure("ETP réels")
    budgeted_fte = _figure("ETP budgétés")
    headcount_previous_dec31 = models.PositiveIntegerField(
        "effectif au 31 décembre précédent", null=True, blank=True
    )
    entries = models.PositiveIntegerField("entrées dans l’année", null=True, blank=True)
    exits = models.PositiveIntegerField("sorties dans l’année", null=True, blank=True)
    days_short_illness = models.PositiveIntegerField(
        "jours d’absence, maladie ordinaire", null=True, blank=True
    )
    days_medium_illness = models.PositiveIntegerField(
        "jours d’absence, maladie moyenne durée", null=True, blank=True
    )
    days_long_illness = models.PositiveIntegerField(
        "jours d’absence, maladie longue durée", null=True, blank=True
    )
    days_maternity_paternity = models.PositiveIntegerField(
        "jours d’absence, maternité et paternité", null=True, blank=True
    )
    days_work_accident = models.PositiveIntegerField(
        "jours d’absence, accidents du travail et maladies professionnelles", null=True, blank=True
    )
    days_special_leave = models.PositiveIntegerField(
        "jours d’absence, congés spéciaux", null=True, blank=True
    )
    replacement_fte = _figure("ETP en CDD de remplacement")
    staff_cost = _figure("masse salariale (€)")
    external_staff_cost = _figure("coût de l’intérim et des prestations extérieures (€)")
    hours_worked = _figure("heures travaillées", 0)
    accidents_with_leave = models.PositiveIntegerField(
        "accidents du travail avec arrêt", null=True, blank=True
    )
    days_lost = models.PositiveIntegerField("journées perdues (accidents du travail)", null=True, blank=True)

    class Meta:
        verbose_name = "indicateurs RH d’une année"
        ordering = ["approach", "year"]
        constraints = [models.UniqueConstraint(fields=["approach", "year"], name="one_indicator_year")]

    def __str__(self) -> str:
        return f"Indicateurs {self.year}"


class Situation(models.Model):
    """A work situation analysed in the shared diagnosis, with its QVCT theme and the comité's rating
    (importance × feasibility, 1 to 4 each) once decided."""

    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="situations")
    title = models.CharField("situation de travail", max_length=200)
    description = models.TextField("ce qui se passe, pour qui, quand", blank=True)
    theme = models.CharField("thème QVCT", max_length=16, choices=Theme.choices)
    importance = models.PositiveSmallIntegerField("importance (1 à 4)", null=True, blank=True)
    feasibility = models.PositiveSmallIntegerField("faisabilité (1 à 4)", null=True, blank=True)
    retained = models.BooleanField("retenue par le comité", default=False)

    class Meta:
        verbose_name = "situation de travail"
        ordering = ["approach", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(importance__isnull=True) | Q(importance__gte=1, importance__lte=4),
                name="situation_importance_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(feasibility__isnull=True) | Q(feasibility__gte=1, feasibility__lte=4),
                name="situation_feasibility_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# Sequence 3: the action plan


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    RUNNING = "running", "En cours"
    DONE = "done", "Réalisée"
    DROPPED = "dropped", "Abandonnée"


class Action(models.Model):
    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField("action", max_length=200)
    theme = models.CharField("thème QVCT", max_length=16, choices=Theme.choices)
    situation = models.ForeignKey(
        Situation,
        verbose_name="situation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    owner = models.CharField("responsable", max_length=150, blank=True)
    starts_on = models.DateField("début", null=True, blank=True)
    due_on = models.DateField("échéance", null=True, blank=True)
    status = models.CharField(
        "état", max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    drop_reason = models.TextField("raison de l’abandon", blank=True)
    resources = models.TextField("moyens", blank=True)
    indicators = models.TextField("indicateurs à suivre", blank=True)
    experiment = models.BooleanField("expérimentation", default=False)
    hypothesis = models.TextField("hypothèse", blank=True)
    test_period = models.CharField("période de test", max_length=150, blank=True)
    result = models.TextField("résultat", blank=True)

    class Meta:
        verbose_name = "action"
        ordering = ["approach", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(due_on__isnull=True)
                | Q(due_on__gte=models.F("starts_on")),
                name="action_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# Documents and the activity feed


class Part(models.TextChoices):
    """The page of the workspace a document belongs to."""

    LAUNCH = "launch", "Lancement et pilotage"
    DIAGNOSIS = "diagnosis", "État des lieux partagé"
    ACTIONS = "actions", "Plan d’actions"
    REVIEW = "review", "Bilan"


class ApproachDocument(models.Model):
    """A file on a page of the workspace (minutes, photos of paper boards), checked and stored as a
    dossier's files are."""

    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="documents")
    part = models.CharField("page", max_length=12, choices=Part.choices)
    file = models.FileField(upload_to=RandomFileName("approaches"), max_length=200)
    name = models.CharField("nom du fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)")
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "document de la démarche"
        ordering = ["approach", "part", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Comment(models.Model):
    """A comment in the establishment's activity feed; the people it mentions (@prénom.nom) are told."""

    approach = models.ForeignKey(Approach, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField("commentaire")
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "commentaire"
        ordering = ["approach", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.body[:60]


class MentionNotice(models.Model):
    """Someone mentioned in a comment; sent at once, or in the next daily digest when they chose it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "mention à prévenir"
        constraints = [models.UniqueConstraint(fields=["user", "comment"], name="one_notice_per_mention")]

    def __str__(self) -> str:
        return f"Mention de {self.user} ({'envoyée' if self.sent_at else 'à envoyer'})"


class NotificationPreference(models.Model):
    """How a person wants to hear of the comments that mention them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    daily_digest = models.BooleanField("un résumé par jour plutôt qu’un e-mail par mention", default=False)

    class Meta:
        verbose_name = "préférence de notification"

    def __str__(self) -> str:
        return f"{self.user} : {'résumé quotidien' if self.daily_digest else 'à chaque mention'}"
