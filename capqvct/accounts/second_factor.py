"""The second factor: a TOTP application, and ten single-use recovery codes for the day it is lost.

Recovery codes are django-otp's static tokens (`django_otp.plugins.otp_static`), in one device per
user named RECOVERY_DEVICE_NAME. A code is deleted once used; generating new codes deletes the
remaining ones. Both devices throttle wrong attempts (1, 2, 4… seconds), which the messages say.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from capqvct.core.exceptions import Refusal
from capqvct.core.services import record_event

RECOVERY_CODES = 10
RECOVERY_DEVICE_NAME = "Codes de secours"
TOTP_DEVICE_NAME = "Application d’authentification"


@dataclass(frozen=True)
class SecondFactorStatus:
    enabled: bool
    recovery_codes_left: int


def second_factor_status(user) -> SecondFactorStatus:
    return SecondFactorStatus(
        enabled=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        recovery_codes_left=recovery_codes_left(user),
    )


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp_device(user) -> TOTPDevice:
    """The device being set up: its key stays the same however often the page is reloaded."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": TOTP_DEVICE_NAME}
    )
    return device


def display_code(code: str) -> str:
    """« abcd-efgh »: two groups of four, easier to copy by hand."""
    return f"{code[:4]}-{code[4:]}"


def _compact(code: str) -> str:
    # Typed as shown (« ABCD-EFGH »), with spaces, or in capitals: the same code.
    return re.sub(r"[^0-9a-z]", "", code.lower())


def _ensure_allowed(device: Device, *, field: str) -> None:
    allowed, details = device.verify_is_allowed()
    if not allowed:
        locked_until = (details or {}).get("locked_until") or timezone.now()
        wait = max(1, round((locked_until - timezone.now()).total_seconds()))
        raise Refusal(
            f"Trop d’essais manqués\u00a0: attendez {wait}\u00a0seconde{'s' if wait > 1 else ''} avant de "
            "réessayer.",
            field=field,
        )


def confirm_totp(*, user, device: TOTPDevice, code: str) -> list[str]:
    """The first code proves the application works: the device is enabled and ten recovery codes are
    generated, returned to be shown once."""
    check_totp(user=user, device=device, code=code)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(action="second_factor_enabled", actor=user, target=user)
        return generate_recovery_codes(user=user)


def check_totp(*, user, device: TOTPDevice, code: str) -> None:
    """A sign-in's code from the application; a Refusal at the field otherwise."""
    _ensure_allowed(device, field="code")
    if not device.verify_token(code):
        record_event(action="second_factor_failed", actor=user, target=user, details={"method": "totp"})
        raise Refusal(
            "Ce code est incorrect ou a expiré\u00a0: saisissez le code affiché maintenant.", field="code"
        )


def use_recovery_code(*, user, code: str) -> tuple[StaticDevice, int]:
    """Sign in with a recovery code, which is then spent; returns the device and how many remain."""
    device = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()
    if device is None or not device.token_set.exists():
        raise Refusal(
            "Vous n’avez plus de code de secours valable. Sans votre application d’authentification, "
            f"écrivez à {settings.CAPQVCT_CONTACT_EMAIL} pour faire réinitialiser votre double "
            "authentification.",
            field="recovery_code",
        )
    _ensure_allowed(device, field="recovery_code")
    if not device.verify_token(_compact(code)):
        record_event(
            action="second_factor_failed", actor=user, target=user, details={"method": "recovery_code"}
        )
        raise Refusal(
            "Ce code de secours n’est pas valable\u00a0: chaque code ne sert qu’une fois, et les codes "
            "remplacés par de nouveaux ne fonctionnent plus.",
            field="recovery_code",
        )
    remaining = device.token_set.count()
    record_event(action="recovery_code_used", actor=user, target=user, details={"remaining": remaining})
    return device, remaining


def generate_recovery_codes(*, user) -> list[str]:
    """Ten new single-use codes; those left from before stop working. Returned to be shown once."""
    with transaction.atomic():
        # The same device is kept: a session verified with a recovery code stays verified.
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        replaced = device.token_set.count()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        record_event(
            action="recovery_codes_generated",
            actor=user,
            target=user,
            details={"count": RECOVERY_CODES, "replaced": replaced},
        )
    return codes
