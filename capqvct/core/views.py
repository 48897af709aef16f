from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render

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
