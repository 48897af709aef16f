from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_POST

from capqvct.core import outbox, selectors
from capqvct.core.guides import GUIDES, rendered_guide
from capqvct.core.outcomes import report_outcome

LEGAL_PAGES = {
    "mentions": ("Mentions légales", "core/legal/mentions.html"),
    "accessibilite": ("Déclaration d’accessibilité", "core/legal/accessibilite.html"),
    "donnees": ("Données personnelles", "core/legal/donnees.html"),
    "cookies": ("Gestion des cookies", "core/legal/cookies.html"),
    "plan": ("Plan du site", "core/legal/plan.html"),
}


@login_not_required
def home(request):
    return render(request, "core/home.html", {"page_title": "Accueil"})


@login_not_required
def legal_page(request, page: str):
    if page not in LEGAL_PAGES:
        raise Http404
    title, template = LEGAL_PAGES[page]
    return render(request, template, {"page_title": title, "breadcrumb": [("Accueil", "/"), (title, None)]})


@login_not_required
def help_index(request):
    return render(
        request,
        "core/help/index.html",
        {
            "page_title": "Aide",
            "guides": GUIDES.values(),
            "contact_email": settings.CAPQVCT_CONTACT_EMAIL,
            "breadcrumb": [("Accueil", "/"), ("Aide", None)],
        },
    )


@login_not_required
def guide(request, slug: str):
    """A user guide, read from its Markdown file in docs/ (its one source)."""
    if slug not in GUIDES:
        raise Http404
    chosen = GUIDES[slug]
    return render(
        request,
        "core/help/guide.html",
        {
            "page_title": chosen.title,
            "guide": chosen,
            "rendered": rendered_guide(chosen),
            "breadcrumb": [("Accueil", "/"), ("Aide", "/aide/"), (chosen.title, None)],
        },
    )


@login_not_required
def contact(request):
    return render(
        request,
        "core/help/contact.html",
        {
            "page_title": "Contact",
            "contact_email": settings.CAPQVCT_CONTACT_EMAIL,
            "guides": GUIDES.values(),
            "breadcrumb": [("Accueil", "/"), ("Contact", None)],
        },
    )


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: the DSFR's Marianne. Not a permanent
    redirect: its target's hashed name changes with each new version of the file."""
    return redirect(static("dsfr/dist/favicon/favicon.ico"))


FAILED_EMAILS_TITLE = "Envois en échec"


def failed_emails(request):
    """The e-mails the signed-in person caused that could not leave, with the error and a retry."""
    return render(
        request,
        "core/failed_emails.html",
        {
            "page_title": FAILED_EMAILS_TITLE,
            "breadcrumb": [("Mon compte", reverse("accounts:profile")), (FAILED_EMAILS_TITLE, None)],
            "emails": selectors.emails_in_trouble_caused_by(request.user),
        },
    )


@require_POST
def retry_failed_email(request, pk: int):
    # Someone else's e-mail is not found: nobody learns what another person sent.
    email = get_object_or_404(selectors.emails_in_trouble_caused_by(request.user), pk=pk)
    report_outcome(
        request,
        lambda: outbox.retry_email(email=email, by=request.user),
        success=f"Nouvel envoi lancé pour l’e-mail à {', '.join(email.to)}.",
    )
    return redirect("core:failed_emails")
