"""Pages where a signed-in user manages their personal API tokens."""

from django.contrib import messages
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from capqvct.accounts.models import ApiToken
from capqvct.api import services
from capqvct.api.forms import ApiTokenForm
from capqvct.core.exceptions import Refusal

# Where the secret of a token just created waits for the next page, which shows it once.
NEW_SECRET_SESSION_KEY = "api_token_new_secret"


def _my_tokens(request) -> QuerySet[ApiToken]:
    # Someone else's token is not found (404), whatever its number.
    return ApiToken.objects.filter(user=request.user)


def _breadcrumb(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("Mon compte", reverse("accounts:profile")), *tail]


def token_list(request):
    return render(
        request,
        "api/token_list.html",
        {
            "page_title": "Mes jetons d’API",
            # Active tokens first (a null revocation date), whatever the database's null ordering.
            "tokens": _my_tokens(request).order_by(F("revoked_at").desc(nulls_first=True), "-created_at"),
            "now": timezone.now(),
            "lifetime_days": services.token_lifetime(request.user).days,
            "breadcrumb": _breadcrumb(("Mes jetons d’API", None)),
        },
    )


def token_create(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            request.session[NEW_SECRET_SESSION_KEY] = {"token": token.pk, "secret": secret}
            return redirect("tokens:created", pk=token.pk)
    return render(
        request,
        "api/token_form.html",
        {
            "page_title": "Créer un jeton d’API",
            "form": form,
            "breadcrumb": _breadcrumb(("Mes jetons d’API", reverse("tokens:list")), ("Créer un jeton", None)),
        },
    )


@never_cache
def token_created(request, pk: int):
    token = get_object_or_404(_my_tokens(request), pk=pk)
    pending = request.session.get(NEW_SECRET_SESSION_KEY) or {}
    if pending.get("token") != token.pk:
        messages.info(request, "Le secret d’un jeton ne s’affiche qu’une fois, juste après sa création.")
        return redirect("tokens:list")
    del request.session[NEW_SECRET_SESSION_KEY]
    return render(
        request,
        "api/token_created.html",
        {
            "page_title": "Jeton d’API créé",
            "token": token,
            "secret": pending["secret"],
            "breadcrumb": _breadcrumb(("Mes jetons d’API", reverse("tokens:list")), (token.name, None)),
        },
    )


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(_my_tokens(request), pk=pk)
    try:
        services.revoke_api_token(token=token, by=request.user)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Le jeton « {token.name} » est révoqué : il ne donne plus accès à l’API.")
    return redirect("tokens:list")
