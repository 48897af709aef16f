"""The site map, declared once: each entry names the navigation flag that shows it.

The flags are those the main menu reads, put in every page's context by the apps' navigation
context processors (accounts, establishments, review), so that the site map and the menu cannot
disagree on who sees what; « anonymous » and « signed_in » are read from the user. An entry with
`each` is repeated for every object of that flag's list (a director's establishments). Core names
URLs and flags only: it imports no other app.
"""

from dataclasses import dataclass, field

from django.urls import reverse

ANONYMOUS = "anonymous"
SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class Entry:
    label: str
    url_name: str
    shown_to: tuple[str, ...] = ()  # any of these flags shows the entry; empty: everyone
    args: tuple[str, ...] = ()
    each: str = ""  # a flag holding a list: one link per object, `label` formatted with it
    each_arg: str = ""  # the object's attribute given to the URL


@dataclass(frozen=True)
class Section:
    title: str
    entries: list[Entry] = field(default_factory=list)


SITEMAP = [
    Section(
        "Le service",
        [
            Entry("Accueil", "core:home"),
            Entry("Appels ouverts", "calls:public_list"),
            Entry("Aide", "core:help"),
            Entry("Guide des établissements", "core:guide", args=("etablissements",)),
            Entry("Guide des agents (ARS, Aract)", "core:guide", args=("agents",)),
            Entry("Contact", "core:contact"),
            Entry("Documentation de l’API", "api:openapi-view"),
        ],
    ),
    Section(
        "Connexion",
        [
            Entry("Se connecter", "accounts:login", (ANONYMOUS,)),
            Entry("Mot de passe oublié", "accounts:password_reset", (ANONYMOUS,)),
        ],
    ),
    Section(
        "Mon espace",
        [
            Entry("Tableau de bord", "accounts:dashboard", (SIGNED_IN,)),
            Entry("Mon compte", "accounts:profile", (SIGNED_IN,)),
            Entry("Mes jetons d’API", "tokens:list", (SIGNED_IN,)),
        ],
    ),
    Section(
        "Mon établissement",
        [
            Entry("Mes dossiers", "applications:mine", ("is_applicant",)),
            Entry("Déposer un dossier (choisir un appel ouvert)", "calls:public_list", ("is_applicant",)),
            Entry(
                "Fiche de l’établissement {obj.name}",
                "establishments:detail",
                each="my_establishments",
                each_arg="finess_et",
            ),
            Entry("Rattacher un autre établissement", "establishments:claim_search", ("is_applicant",)),
            Entry("Rattacher mon établissement", "establishments:claim_search", ("is_newcomer",)),
        ],
    ),
    Section(
        "Appels et instruction",
        [
            Entry("Gérer les appels", "calls:manage_list", ("manages_programmes",)),
            Entry("Mes dossiers à instruire", "review:my_assignments", ("has_dossiers_to_review",)),
            Entry("Mes collectifs", "cohorts:mine", ("has_cohorts",)),
        ],
    ),
    Section(
        "Établissements",
        [
            Entry("Annuaire des établissements", "establishments:directory", ("can_browse_directory",)),
            Entry("Demandes de rattachement", "establishments:claims", ("decides_claims",)),
        ],
    ),
    Section(
        "Administration",
        [Entry("Administration de la plateforme", "admin:index", ("is_platform_admin",))],
    ),
    Section(
        "Informations légales",
        [
            Entry("Mentions légales", "core:legal_notice"),
            Entry("Déclaration d’accessibilité", "core:accessibility"),
            Entry("Données personnelles", "core:privacy"),
            Entry("Gestion des cookies", "core:cookies"),
        ],
    ),
]


def _flag(context, name: str):
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    if name == ANONYMOUS:
        return not signed_in
    if name == SIGNED_IN:
        return signed_in
    value = context.get(name)
    return value() if callable(value) else value


def _links(entry: Entry, context) -> list[tuple[str, str]]:
    if entry.each:
        return [
            (entry.label.format(obj=obj), reverse(entry.url_name, args=[getattr(obj, entry.each_arg)]))
            for obj in _flag(context, entry.each) or []
        ]
    if entry.shown_to and not any(_flag(context, name) for name in entry.shown_to):
        return []
    return [(entry.label, reverse(entry.url_name, args=entry.args))]


def sections_for(context) -> list[tuple[str, list[tuple[str, str]]]]:
    """(title, [(label, url)]) of each section the context's user sees something in."""
    visible = []
    for section in SITEMAP:
        links = [link for entry in section.entries for link in _links(entry, context)]
        if links:
            visible.append((section.title, links))
    return visible
