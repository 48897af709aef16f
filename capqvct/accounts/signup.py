"""Signing up without an invitation: a director who has never had an account creates one from a
call's page, confirms their address by e-mail, then asks for their establishment's space (a claim).

The account waits, inactive, until its address is confirmed: nobody can sign in, claim an
establishment or be written to under an address they do not hold. The confirmation link is signed
(Django's token generator, like the password reset) and stops working once used, after 24 hours
(PASSWORD_RESET_TIMEOUT), or when a new sign-up replaces the password.
"""

from datetime import datetime, timedelta

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode

from capqvct.accounts.models import User
from capqvct.accounts.selectors import is_unconfirmed
from capqvct.core.emails import send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event

# Sign-ups per network address and confirmation e-mails per address, per hour: enough for an
# establishment's staff behind one address, too few to use the form to flood a mailbox.
SIGNUPS_PER_ADDRESS_PER_HOUR = 10
EMAILS_PER_MAILBOX_PER_HOUR = 3
LIMIT_PERIOD = 60 * 60


class SignUpTokenGenerator(PasswordResetTokenGenerator):
    """A confirmation link that dies once the account is active or its password changes."""

    key_salt = "capqvct.accounts.signup.SignUpTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.password}{user.is_active}{login}{timestamp}{user.email}"


signup_tokens = SignUpTokenGenerator()


def sign_up(*, email: str, first_name: str, last_name: str, password: str, next_path: str = "") -> None:
    """Create an account that waits for its address to be confirmed, and send the confirmation link.

    An address that already has an account gets a reminder to sign in instead: the page says the same
    to both, so the form tells nobody who has an account."""
    email = User.objects.normalize_email(email.strip()).lower()
    existing = User.objects.filter(email=email).first()
    user = existing if existing is not None and is_unconfirmed(existing) else User(email=email)
    user.first_name, user.last_name, user.is_active = first_name.strip(), last_name.strip(), False
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise Refusal(" ".join(error.messages), field="password") from None
    if not _within_limit(f"signup-mailbox:{email}", EMAILS_PER_MAILBOX_PER_HOUR):
        raise Refusal(
            "Plusieurs messages ont déjà été envoyés à cette adresse dans l’heure : "
            "consultez votre messagerie (et vos courriers indésirables) ou réessayez plus tard.",
            field="email",
        )
    with transaction.atomic():
        if existing is not None and not is_unconfirmed(existing):
            if existing.is_active:
                send_templated_email(
                    to=[email],
                    subject="Cap QVCT : vous avez déjà un compte",
                    template="accounts/emails/signup_existing_account.txt",
                    purpose="accounts.signup_existing_account",
                    about=existing,
                    context={"user": existing, "next_path": next_path},
                )
            # A deactivated account is told nothing: an administrator closed it.
            return
        user.set_password(password)
        user.save()
        record_event(action="signup_requested", actor_email=email, target=user)
        link = reverse(
            "accounts:signup_confirm",
            args=[urlsafe_base64_encode(force_bytes(user.pk)), signup_tokens.make_token(user)],
        )
        if next_path:
            link += "?" + urlencode({"next": next_path})
        send_templated_email(
            to=[email],
            subject="Cap QVCT : confirmez votre adresse e-mail",
            template="accounts/emails/signup_confirm.txt",
            purpose="accounts.signup_confirm",
            about=user,
            context={"user": user, "link": link},
        )


def account_to_confirm(uidb64: str, token: str) -> User | None:
    """The account a confirmation link names, if the link is still valid."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    if not is_unconfirmed(user) or not signup_tokens.check_token(user, token):
        return None
    return user


def confirm_sign_up(*, uidb64: str, token: str) -> User:
    """Activate the account whose address the link proves; the link then stops working."""
    user = account_to_confirm(uidb64, token)
    if user is None:
        raise Refusal(
            "Ce lien de confirmation n’est plus valable : il a déjà servi, a expiré ou a été remplacé "
            "par un lien plus récent. Connectez-vous, ou inscrivez-vous de nouveau pour en recevoir un."
        )
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, is_active=False, last_login__isnull=True).update(
            is_active=True
        )
        if not updated:
            raise Refusal("Ce compte est déjà confirmé : connectez-vous.")
        user.is_active = True
        record_event(action="signup_confirmed", actor=user, target=user)
    return user


def within_signup_limit(network_address: str) -> bool:
    """Whether this network address may still sign up this hour (counts the attempt)."""
    return _within_limit(f"signup-address:{network_address}", SIGNUPS_PER_ADDRESS_PER_HOUR)


def _within_limit(key: str, limit: int) -> bool:
    # The cache is per process unless a shared one (Redis) is configured: see docs/deploiement.md.
    cache.add(key, 0, LIMIT_PERIOD)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LIMIT_PERIOD)
        count = 1
    return count <= limit


# An unconfirmed account is kept this long after its sign-up, then deleted (docs/registre-donnees.md).
UNCONFIRMED_KEPT_FOR = timedelta(days=7)


def purge_unconfirmed_accounts(*, now: datetime | None = None) -> int:
    """Delete the accounts never confirmed within UNCONFIRMED_KEPT_FOR (never signed in, in no
    organisation, no claim); returns how many."""
    now = now or timezone.now()
    stale = User.objects.filter(
        is_active=False,
        last_login__isnull=True,
        date_joined__lt=now - UNCONFIRMED_KEPT_FOR,
        memberships__isnull=True,
        claims__isnull=True,
    )
    with transaction.atomic():
        emails = list(stale.values_list("email", flat=True))
        User.objects.filter(email__in=emails).delete()
        for email in emails:
            record_event(action="unconfirmed_account_deleted", actor_email=email)
    return len(emails)
