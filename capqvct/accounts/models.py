import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from capqvct.core.files import RandomFileName
from capqvct.territory.models import Region

# An agency may shorten its members' API tokens, never make them last more than a year.
API_TOKEN_MAX_LIFETIME_DAYS = 365


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("Une adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person; signs in with an e-mail address."""

    username = None
    email = models.EmailField("adresse e-mail", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class OrganisationKind(models.TextChoices):
    ARS = "ars", "ARS"
    ARACT = "aract", "Aract"
    NATIONAL = "national", "Organisme national"
    CONSULTANCY = "consultancy", "Cabinet d’intervenants"
    ESTABLISHMENT = "establishment", "Établissement"


AGENCY_KINDS = (OrganisationKind.ARS, OrganisationKind.ARACT)


class OrganisationQuerySet(models.QuerySet):
    def agencies(self):
        return self.filter(kind__in=AGENCY_KINDS)


class Organisation(models.Model):
    """An agency (ARS, Aract), a national body, a consultancy or an establishment's space."""

    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    name = models.CharField("nom", max_length=200)
    region = models.ForeignKey(
        Region, verbose_name="région", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField("e-mail de contact", blank=True)
    # An agency's letterhead, printed on its decision letters; the logo is private media, served by a
    # view that checks who asks.
    logo = models.FileField("logo", upload_to=RandomFileName("logos"), max_length=200, blank=True)
    postal_address = models.TextField("adresse postale", blank=True)
    # The place line of its letters (« Montpellier, le 23 novembre 2026 »); the region's name without it.
    city = models.CharField("ville", max_length=100, blank=True)
    signatory_name = models.CharField("nom du signataire", max_length=150, blank=True)
    signatory_title = models.CharField("qualité du signataire", max_length=200, blank=True)
    # How long the API tokens of an agency's members last; the shortest of a user's agencies applies.
    api_token_lifetime_days = models.PositiveSmallIntegerField(
        "durée de validité des jetons d’API (jours)",
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(API_TOKEN_MAX_LIFETIME_DAYS)],
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="agency_has_region",
                condition=~Q(kind__in=AGENCY_KINDS) | Q(region__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_agency(self) -> bool:
        return self.kind in AGENCY_KINDS


class Role(models.TextChoices):
    PROGRAMME_MANAGER = "programme_manager", "Responsable de programme"
    REVIEWER = "reviewer", "Instructeur"
    CONSULTANT = "consultant", "Intervenant"
    DIRECTOR = "director", "Direction d’établissement"
    MEMBER = "member", "Membre d’établissement"
    OBSERVER = "observer", "Observateur national"


# Which roles each kind of organisation can give.
ROLES_BY_KIND = {
    OrganisationKind.ARS: (Role.PROGRAMME_MANAGER, Role.REVIEWER),
    OrganisationKind.ARACT: (Role.PROGRAMME_MANAGER, Role.REVIEWER),
    OrganisationKind.NATIONAL: (Role.OBSERVER,),
    OrganisationKind.CONSULTANCY: (Role.CONSULTANT,),
    OrganisationKind.ESTABLISHMENT: (Role.DIRECTOR, Role.MEMBER),
}
AGENT_ROLES = (Role.PROGRAMME_MANAGER, Role.REVIEWER)
# Those who will see applicants' dossiers must prove a second factor.
SECOND_FACTOR_ROLES = (Role.PROGRAMME_MANAGER, Role.REVIEWER, Role.CONSULTANT, Role.OBSERVER)


class Membership(models.Model):
    user = models.ForeignKey(
        User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=32, choices=Role.choices)
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "appartenance"
        verbose_name_plural = "appartenances"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self, *, now=None):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
        )


class Invitation(models.Model):
    """An e-mail invitation to join an organisation with a role; only the token's hash is stored."""

    organisation = models.ForeignKey(
        Organisation, verbose_name="organisation", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("adresse e-mail")
    role = models.CharField("rôle", max_length=32, choices=Role.choices)
    token_hash = models.CharField("empreinte du lien", max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, verbose_name="invitée par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    revoked_at = models.DateTimeField("remplacée le", null=True, blank=True)
    # Where the invited person lands once they have joined (an agent's invitation to answer a call
    # leads to the call's page), and what that page is, for the invitation page to say so.
    next_path = models.CharField("page d’arrivée", max_length=200, blank=True)
    next_label = models.CharField("objet de l’invitation", max_length=255, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def active(self, *, now=None):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def unrevoked(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token; the secret is shown once and only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    expires_at = models.DateTimeField("expire le")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d’API"
        verbose_name_plural = "jetons d’API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())
