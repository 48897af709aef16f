"""The review (instruction) of a call's dossiers: reviewers, scores, eligibility, decisions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from capqvct.applications.models import Application
from capqvct.calls.models import Call


class Review(models.Model):
    """The instruction of one call, opened once its deadline has passed or it was closed early."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="review")
    started_at = models.DateTimeField("ouverte le", default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewers_per_dossier = models.PositiveSmallIntegerField("instructeurs par dossier", default=2)
    # Outside experts then read dossiers without the establishment's identity.
    blind_for_experts = models.BooleanField(
        "instruction à l’aveugle pour les experts extérieurs", default=False
    )

    class Meta:
        verbose_name = "instruction"

    def __str__(self) -> str:
        return f"Instruction — {self.call}"


class RoutingRule(models.Model):
    """The dossiers of a département go to a chosen group of reviewers in automatic assignment."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="routing_rules")
    departement = models.ForeignKey(
        "territory.Departement", verbose_name="département", on_delete=models.PROTECT, related_name="+"
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="instructeurs", related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "règle d’affectation"
        verbose_name_plural = "règles d’affectation"
        ordering = ["departement"]
        constraints = [
            models.UniqueConstraint(fields=["review", "departement"], name="one_rule_per_departement")
        ]

    def __str__(self) -> str:
        return f"{self.departement} — {self.review}"


class Criterion(models.Model):
    """A line of the call's scoring grid: scored from 0 to `scale_max`, weighted in the average."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField("critère", max_length=200)
    help_text = models.TextField("précisions", blank=True)
    weight = models.DecimalField("coefficient", max_digits=5, decimal_places=2, default=1)
    scale_max = models.PositiveSmallIntegerField("note maximale", default=4)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "critère"
        ordering = ["review", "position", "pk"]

    def __str__(self) -> str:
        return self.label


class AssignmentState(models.TextChoices):
    """Derived from the declarations' dates (Assignment.state); see review/states.py."""

    ASSIGNED = "assigned", "Conflit d’intérêts à déclarer"
    CLEARED = "cleared", "À noter"
    CONFLICT = "conflict", "Conflit d’intérêts déclaré"
    SUBMITTED = "submitted", "Notation remise"


# How the database finds an assignment in each state; Assignment.state reads the same on an instance, and
# the constraints below make the states cover every row once.
ASSIGNMENT_STATE_CONDITIONS = {
    AssignmentState.ASSIGNED: Q(
        no_conflict_declared_at__isnull=True, conflict_declared_at__isnull=True, submitted_at__isnull=True
    ),
    AssignmentState.CLEARED: Q(
        no_conflict_declared_at__isnull=False, conflict_declared_at__isnull=True, submitted_at__isnull=True
    ),
    AssignmentState.CONFLICT: Q(conflict_declared_at__isnull=False),
    AssignmentState.SUBMITTED: Q(conflict_declared_at__isnull=True, submitted_at__isnull=False),
}


class Assignment(models.Model):
    """A reviewer given a dossier to score; a declared conflict of interest takes them off it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    # PROTECT: deleting an account must not erase what its holder reviewed and declared.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    # An invited outside expert, limited to the dossiers given (blind when the review says so).
    is_expert = models.BooleanField("expert extérieur", default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    # Set when the daily digest told the reviewer about it.
    notified_at = models.DateTimeField(null=True, blank=True)
    # The reviewer states, before reading the dossier, that they have no conflict of interest.
    no_conflict_declared_at = models.DateTimeField("absence de conflit déclarée le", null=True, blank=True)
    conflict_declared_at = models.DateTimeField("conflit d’intérêts déclaré le", null=True, blank=True)
    conflict_reason = models.TextField("motif du conflit d’intérêts", blank=True)
    # Scores are sealed once submitted; the other reviewers' appear only then.
    submitted_at = models.DateTimeField("notation remise le", null=True, blank=True)

    class Meta:
        verbose_name = "affectation"
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_assignment_per_reviewer"),
            # One declaration: no conflict, or a conflict (which then replaces it).
            models.CheckConstraint(
                name="assignment_one_declaration",
                condition=Q(no_conflict_declared_at__isnull=True) | Q(conflict_declared_at__isnull=True),
            ),
            # Scores are submitted only after stating there is no conflict.
            models.CheckConstraint(
                name="assignment_submitted_after_no_conflict",
                condition=Q(submitted_at__isnull=True) | Q(no_conflict_declared_at__isnull=False),
            ),
            models.CheckConstraint(
                name="assignment_conflict_has_reason",
                condition=Q(conflict_declared_at__isnull=True) | ~Q(conflict_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} — {self.application}"

    @property
    def state(self) -> str:
        if self.conflict_declared_at is not None:
            return AssignmentState.CONFLICT
        if self.submitted_at is not None:
            return AssignmentState.SUBMITTED
        if self.no_conflict_declared_at is not None:
            return AssignmentState.CLEARED
        return AssignmentState.ASSIGNED

    def get_state_display(self) -> str:
        return AssignmentState(self.state).label


class Score(models.Model):
    # PROTECT both ways: a score is history; only the review's services delete draft scores, on purpose.
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField("note", null=True, blank=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "note"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion} : {self.value}"


class PrivateNote(models.Model):
    """A note on a dossier that only the agents of the region read; never the applicant nor experts."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("note")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "note interne"
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:50]


class EligibilityReview(models.Model):
    """An agent confirms the automatic eligibility checks, or overrides them with a reason."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="eligibility_review"
    )
    eligible = models.BooleanField("éligible")
    reason = models.TextField("motif", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "examen de l’éligibilité"

    def __str__(self) -> str:
        return f"{self.application} : {'éligible' if self.eligible else 'inéligible'}"


class Outcome(models.TextChoices):
    SELECTED = "selected", "Retenu"
    WAITING_LIST = "waiting_list", "Liste d’attente"
    NOT_SELECTED = "not_selected", "Non retenu"
    INELIGIBLE = "ineligible", "Inéligible"


class DecisionState(models.TextChoices):
    """Derived from the decision's dates and sending error (Decision.state); see review/states.py."""

    DRAFTED = "drafted", "En projet"
    CONFIRMED = "confirmed", "Confirmée, non notifiée"
    FAILED = "failed", "Échec de l’envoi"
    NOTIFIED = "notified", "Notifiée"
    BOUNCED = "bounced", "Retour en erreur"


# How the database finds a decision in each state; Decision.state reads the same on an instance, and the
# constraints below make the states cover every row once.
DECISION_STATE_CONDITIONS = {
    DecisionState.DRAFTED: Q(confirmed_at__isnull=True),
    DecisionState.CONFIRMED: Q(confirmed_at__isnull=False, notified_at__isnull=True, notification_error=""),
    DecisionState.FAILED: Q(confirmed_at__isnull=False, notified_at__isnull=True) & ~Q(notification_error=""),
    DecisionState.NOTIFIED: Q(notified_at__isnull=False, bounced_at__isnull=True),
    DecisionState.BOUNCED: Q(notified_at__isnull=False, bounced_at__isnull=False),
}


class Decision(models.Model):
    """The outcome for a dossier: drafted, confirmed in commission, then notified to the applicant."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField("décision", max_length=12, choices=Outcome.choices)
    # Rank on the waiting list, 1 first.
    waiting_rank = models.PositiveSmallIntegerField("rang sur la liste d’attente", null=True, blank=True)
    reason = models.TextField("motif adressé au candidat")
    # Printed on the letter and the e-mail: « AAC12-2026-0003 », given once at the first confirmation
    # (see decisions.decision_reference) and kept through changes and promotions.
    reference = models.CharField("référence", max_length=40, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drafted_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField("confirmée en commission le", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField("notifiée le", null=True, blank=True)
    notification_error = models.TextField("échec de l’envoi", blank=True)
    # The Message-ID of the decision e-mail, to match the delivery reports that come back.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    bounced_at = models.DateTimeField("retour en erreur le", null=True, blank=True)
    bounce_reason = models.TextField("motif du retour en erreur", blank=True)

    class Meta:
        verbose_name = "décision"
        constraints = [
            models.CheckConstraint(
                name="decision_notified_is_confirmed",
                condition=Q(notified_at__isnull=True) | Q(confirmed_at__isnull=False),
            ),
            # A rank on the waiting list exactly when the decision is « liste d’attente », from 1.
            models.CheckConstraint(
                name="decision_waiting_rank_iff_waiting_list",
                # isnull first: NULL >= 1 is unknown, which a CHECK would let through.
                condition=Q(outcome=Outcome.WAITING_LIST, waiting_rank__isnull=False, waiting_rank__gte=1)
                | (~Q(outcome=Outcome.WAITING_LIST) & Q(waiting_rank__isnull=True)),
            ),
            models.CheckConstraint(
                name="decision_bounced_was_notified",
                condition=Q(bounced_at__isnull=True) | Q(notified_at__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="decision_reference_unique"
            ),
            models.CheckConstraint(
                name="decision_notified_without_error",
                condition=Q(notified_at__isnull=True) | Q(notification_error=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} : {self.get_outcome_display()}"

    @property
    def state(self) -> str:
        if self.confirmed_at is None:
            return DecisionState.DRAFTED
        if self.notified_at is None:
            return DecisionState.FAILED if self.notification_error else DecisionState.CONFIRMED
        return DecisionState.BOUNCED if self.bounced_at is not None else DecisionState.NOTIFIED

    def get_state_display(self) -> str:
        return DecisionState(self.state).label


class InformationRequest(models.Model):
    """An agent's question to the applicant during the review, answered by a reply deadline."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="information_requests"
    )
    question = models.TextField("question")
    reply_by = models.DateField("réponse attendue avant le")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField("réponse", blank=True)
    # A file sent with the answer: an Attachment of the dossier, outside the answers.
    answer_attachment = models.ForeignKey(
        "applications.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField("répondu le", null=True, blank=True)

    class Meta:
        verbose_name = "demande de complément"
        ordering = ["asked_at"]

    def __str__(self) -> str:
        return self.question[:50]


class Interview(models.Model):
    """A meeting with the director and the staff representative, with its invitation and notes."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="interviews")
    starts_at = models.DateTimeField("date et heure")
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", default=60)
    place = models.CharField("lieu", max_length=300, blank=True)
    video_link = models.URLField("lien de visioconférence", blank=True)
    # The invitation's addressees, as typed by the agent (the director and the staff representative).
    attendees = models.JSONField("invités", default=list)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField("invitation envoyée le", null=True, blank=True)
    # Bumped on each change so calendars update the same event.
    sequence = models.PositiveIntegerField(default=0)
    notes = models.TextField("compte rendu", blank=True)
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)

    class Meta:
        verbose_name = "entretien"
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"Entretien — {self.application}"
