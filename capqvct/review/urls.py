from django.urls import path

from capqvct.review import (
    bundle_views,
    decision_link_views,
    decision_views,
    exchange_views,
    ranking_views,
    views,
)

app_name = "review"

urlpatterns = [
    # Opening the review, reviewers, conflicts, scoring, eligibility, private notes
    path("appels/<int:call_pk>/", views.dashboard, name="dashboard"),
    path("appels/<int:call_pk>/ouvrir/", views.open_review, name="open"),
    path("appels/<int:call_pk>/grille/", views.grid, name="grid"),
    path("appels/<int:call_pk>/repartir/", views.assign_automatically, name="assign_automatically"),
    path("appels/<int:call_pk>/regles/", views.routing_rule, name="routing_rule"),
    path("regles/<int:pk>/supprimer/", views.delete_routing_rule, name="delete_routing_rule"),
    path("appels/<int:call_pk>/dossiers/<int:pk>/", views.dossier, name="dossier"),
    path("appels/<int:call_pk>/dossiers/<int:pk>/affecter/", views.assign, name="assign"),
    path("appels/<int:call_pk>/dossiers/<int:pk>/eligibilite/", views.eligibility, name="eligibility"),
    path("appels/<int:call_pk>/dossiers/<int:pk>/completer/", views.complete, name="complete"),
    path("affectations/<int:pk>/retirer/", views.unassign, name="unassign"),
    path("dossiers/<int:pk>/notes/", views.private_note, name="private_note"),
    path("mes-dossiers/", views.my_assignments, name="my_assignments"),
    path("mes-dossiers/<int:pk>/conflit/", views.conflict, name="conflict"),
    path("mes-dossiers/<int:pk>/", views.score, name="score"),
    # Consolidation: the ranking table and its exports
    path("appels/<int:call_pk>/classement/", ranking_views.ranking_table, name="ranking"),
    # Requests for more information and interviews
    path("appels/<int:call_pk>/dossiers/<int:pk>/echanges/", exchange_views.exchanges_page, name="exchanges"),
    path("entretiens/<int:pk>/", exchange_views.interview_page, name="interview"),
    path("echanges/dossier/<int:pk>/", exchange_views.applicant_exchanges, name="applicant_exchanges"),
    # Archive of the dossiers
    path("appels/<int:call_pk>/archive/", bundle_views.prepare, name="bundle_prepare"),
    path("appels/<int:call_pk>/archive/etat/", bundle_views.status_fragment, name="bundle_status"),
    path("appels/<int:call_pk>/archive/telecharger/", bundle_views.download, name="bundle_download"),
    # Decisions, commission, letters and notifications
    path("decisions/appels/<int:pk>/", decision_views.decisions_page, name="decisions"),
    path(
        "decisions/appels/<int:pk>/avancement/", decision_views.progress_fragment, name="decisions_progress"
    ),
    path("decisions/appels/<int:pk>/proposition/", decision_views.propose, name="decisions_propose"),
    path("decisions/appels/<int:pk>/commission/", decision_views.confirm, name="decisions_confirm"),
    path("decisions/appels/<int:pk>/notifier/", decision_views.notify, name="decisions_notify"),
    path("decisions/<int:pk>/modifier/", decision_views.change, name="decision_change"),
    path("decisions/<int:pk>/renvoyer/", decision_views.retry, name="decision_retry"),
    path("decisions/dossier/<int:pk>/", decision_views.applicant_decision, name="applicant_decision"),
    path("decisions/dossier/<int:pk>/lettre/", decision_views.letter, name="decision_letter"),
    # The signed link of a letter, for an establishment without an account (no sign-in needed)
    path("decisions/lien/<str:token>/", decision_link_views.decision_by_link, name="decision_by_link"),
    path(
        "decisions/lien/<str:token>/lettre/",
        decision_link_views.decision_letter_by_link,
        name="decision_letter_by_link",
    ),
]
