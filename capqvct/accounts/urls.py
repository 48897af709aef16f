from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from capqvct.accounts import agency_views, forms, second_factor_views, signup_views, views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("double-authentification/", second_factor_views.second_factor, name="second_factor"),
    path(
        "double-authentification/codes-de-secours/",
        second_factor_views.recovery_codes,
        name="recovery_codes",
    ),
    path(
        "double-authentification/codes-de-secours/telecharger/",
        second_factor_views.recovery_codes_download,
        name="recovery_codes_download",
    ),
    # Outside the second factor's open addresses: the middleware asks for it first.
    path(
        "codes-de-secours/nouveaux/",
        second_factor_views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path(
        "mot-de-passe/oubli/",
        login_not_required(
            auth_views.PasswordResetView.as_view(
                form_class=forms.PasswordResetForm,
                template_name="accounts/password_reset.html",
                email_template_name="accounts/emails/password_reset.txt",
                subject_template_name="accounts/emails/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
                extra_context={"page_title": "Mot de passe oublié"},
            )
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        login_not_required(
            auth_views.PasswordResetDoneView.as_view(
                template_name="accounts/password_reset_done.html",
                extra_context={"page_title": "Message envoyé"},
            )
        ),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        login_not_required(
            auth_views.PasswordResetConfirmView.as_view(
                form_class=forms.SetPasswordForm,
                template_name="accounts/password_reset_confirm.html",
                success_url=reverse_lazy("accounts:password_reset_complete"),
                extra_context={"page_title": "Nouveau mot de passe"},
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/change/",
        login_not_required(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="accounts/password_reset_complete.html",
                extra_context={"page_title": "Mot de passe changé"},
            )
        ),
        name="password_reset_complete",
    ),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("inscription/", signup_views.signup, name="signup"),
    path("inscription/envoyee/", signup_views.signup_sent, name="signup_sent"),
    path("inscription/confirmer/<uidb64>/<token>/", signup_views.signup_confirm, name="signup_confirm"),
    path("agences/", agency_views.agencies, name="agencies"),
    path("agences/nouvelle/", agency_views.agency_create, name="agency_create"),
    path("", views.profile, name="profile"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("organisations/<int:pk>/", views.organisation_members, name="organisation"),
    path("organisations/<int:pk>/inviter/", views.invite, name="invite"),
    path("organisations/<int:pk>/en-tete/", views.letterhead, name="letterhead"),
    path("organisations/<int:pk>/en-tete/logo/", views.letterhead_logo, name="letterhead_logo"),
    path("organisations/<int:pk>/jetons-api/", views.api_token_lifetime, name="api_token_lifetime"),
    path("appartenances/<int:pk>/role/", views.change_role, name="change_role"),
    path("appartenances/<int:pk>/retirer/", views.remove_membership, name="remove_membership"),
]
