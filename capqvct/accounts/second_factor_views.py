"""The second factor's pages: set-up with its recovery codes, the code asked at sign-in (or a recovery
code), and new recovery codes from « Mon compte ». Their header has no menu: until the second factor
is proved, nothing behind it can be reached."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from capqvct.accounts import forms
from capqvct.accounts import second_factor as services
from capqvct.accounts.selectors import needs_second_factor
from capqvct.core.exceptions import Refusal
from capqvct.core.next_page import safe_next_path

# The codes just generated wait in the session until the user says they noted them.
CODES_TO_SHOW = "capqvct_recovery_codes"
AFTER_CODES = "capqvct_recovery_codes_next"


def _safe_next(request, default: str = "accounts:dashboard"):
    return safe_next_path(request) or default


def _qr_code_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def _show_codes(request, codes: list[str], then: str):
    request.session[CODES_TO_SHOW] = codes
    request.session[AFTER_CODES] = then
    return redirect("accounts:recovery_codes")


def second_factor(request):
    """Set up a TOTP device the first time, then ask for a code (or a recovery code) at each sign-in."""
    user = request.user
    if user.is_verified() or not needs_second_factor(user):
        return redirect(_safe_next(request))
    device = services.confirmed_totp_device(user)
    setting_up = device is None
    if setting_up:
        device = services.pending_totp_device(user)
    with_recovery_code = not setting_up and "recovery_code" in request.POST
    form = forms.OtpForm(request.POST if request.method == "POST" and not with_recovery_code else None)
    recovery_form = forms.RecoveryCodeForm(request.POST if with_recovery_code else None)
    if with_recovery_code and recovery_form.is_valid():
        try:
            static_device, remaining = services.use_recovery_code(
                user=user, code=recovery_form.cleaned_data["recovery_code"]
            )
        except Refusal as refusal:
            recovery_form.add_error(refusal.field, refusal.message)
        else:
            otp_login(request, static_device)
            messages.warning(request, _remaining_message(remaining))
            return redirect(_safe_next(request))
    elif request.method == "POST" and form.is_valid():
        try:
            if setting_up:
                codes = services.confirm_totp(user=user, device=device, code=form.cleaned_data["code"])
            else:
                services.check_totp(user=user, device=device, code=form.cleaned_data["code"])
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            otp_login(request, device)
            if setting_up:
                return _show_codes(request, codes, then=_safe_next(request))
            return redirect(_safe_next(request))
    context = {
        "page_title": "Double authentification",
        "form": form,
        "recovery_form": recovery_form,
        "setting_up": setting_up,
        "recovery_codes_left": None if setting_up else services.recovery_codes_left(user),
        "next": _safe_next(request, default=""),
    }
    if setting_up:
        context["qr_code"] = _qr_code_svg(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/second_factor.html", context)


def _remaining_message(remaining: int) -> str:
    if remaining == 0:
        return (
            "Code de secours accepté. C’était votre dernier\u00a0: générez-en de nouveaux dès maintenant "
            "depuis « Mon compte »."
        )
    if remaining == 1:
        return (
            "Code de secours accepté. Il ne vous en reste qu’un\u00a0: générez-en de nouveaux depuis "
            "« Mon compte »."
        )
    return (
        f"Code de secours accepté. Il vous en reste {remaining}. Si votre téléphone est perdu, générez "
        "de nouveaux codes depuis « Mon compte »."
    )


def recovery_codes(request):
    """The codes just generated, shown once; « J’ai noté mes codes » forgets them and goes on."""
    codes = request.session.get(CODES_TO_SHOW)
    if not codes:
        return redirect("accounts:profile")
    if request.method == "POST":
        request.session.pop(CODES_TO_SHOW, None)
        then = request.session.pop(AFTER_CODES, "accounts:dashboard")
        messages.success(request, "Double authentification prête. Gardez vos codes de secours en lieu sûr.")
        return redirect(then)
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "page_title": "Vos codes de secours",
            "codes": [services.display_code(code) for code in codes],
        },
    )


def recovery_codes_download(request):
    """The same codes as a text file, while they are shown."""
    codes = request.session.get(CODES_TO_SHOW)
    if not codes:
        raise Http404
    text = render_to_string(
        "accounts/recovery_codes.txt",
        {
            "email": request.user.email,
            "generated_on": timezone.localtime(),
            "codes": [services.display_code(code) for code in codes],
        },
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="codes-de-secours-cap-qvct.txt"'
    return response


@require_POST
def recovery_codes_regenerate(request):
    """From « Mon compte »: ten new codes, the old ones no longer work."""
    user = request.user
    # Only a session that proved the second factor: a password alone must not yield codes.
    if not (user.is_verified() and services.confirmed_totp_device(user)):
        raise Http404
    codes = services.generate_recovery_codes(user=user)
    return _show_codes(request, codes, then="accounts:profile")
