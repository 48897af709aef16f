"""Signing up from a call's « Déposer un dossier », confirming the address, then claiming."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse

from capqvct.accounts import forms
from capqvct.accounts.signup import account_to_confirm, confirm_sign_up, sign_up, within_signup_limit
from capqvct.core.exceptions import Refusal
from capqvct.core.network import client_ip
from capqvct.core.next_page import safe_next_path


@login_not_required
def signup(request):
    next_path = safe_next_path(request)
    if request.user.is_authenticated:
        return redirect(next_path or "accounts:dashboard")
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not within_signup_limit(client_ip(request) or ""):
            form.add_error(
                None,
                "Trop d’inscriptions ont été demandées depuis votre réseau dans l’heure\u00a0: "
                "réessayez plus tard.",
            )
        else:
            try:
                sign_up(next_path=next_path, **form.cleaned_data)
            except Refusal as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                request.session["signup_email"] = form.cleaned_data["email"].strip().lower()
                return redirect("accounts:signup_sent")
    return render(
        request,
        "accounts/signup.html",
        {"page_title": "Créer un compte", "form": form, "next": next_path},
    )


@login_not_required
def signup_sent(request):
    return render(
        request,
        "accounts/signup_sent.html",
        {"page_title": "Confirmez votre adresse", "email": request.session.get("signup_email", "")},
    )


@login_not_required
def signup_confirm(request, uidb64: str, token: str):
    """A button rather than the link itself: mail scanners that open links confirm nothing."""
    next_path = safe_next_path(request)
    if request.method == "POST":
        try:
            user = confirm_sign_up(uidb64=uidb64, token=token)
        except Refusal as refusal:
            messages.error(request, refusal.message)
            return redirect("accounts:login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            "Votre adresse est confirmée. Retrouvez maintenant votre établissement pour demander "
            "à rejoindre son espace.",
        )
        claim = reverse("establishments:claim_search")
        return redirect(f"{claim}?{urlencode({'next': next_path})}" if next_path else claim)
    return render(
        request,
        "accounts/signup_confirm.html",
        {
            "page_title": "Confirmer mon adresse",
            "account": account_to_confirm(uidb64, token),
            "next": next_path,
        },
    )
