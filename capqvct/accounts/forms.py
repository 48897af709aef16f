from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.template.loader import render_to_string
from dsfr.forms import DsfrBaseForm

from capqvct.accounts import services
from capqvct.accounts.models import (
    AGENCY_KINDS,
    API_TOKEN_MAX_LIFETIME_DAYS,
    ROLES_BY_KIND,
    Organisation,
    Role,
)
from capqvct.core.emails import send_templated_email
from capqvct.territory.models import Region


class LoginForm(auth_forms.AuthenticationForm, DsfrBaseForm):
    username = forms.EmailField(
        label="Adresse e-mail", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class PasswordResetForm(auth_forms.PasswordResetForm, DsfrBaseForm):
    email = forms.EmailField(label="Adresse e-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the outbox, like every e-mail; its link uses the configured site address."""
        subject = render_to_string(subject_template_name, context)
        send_templated_email(
            to=[to_email],
            subject=subject,
            template=email_template_name,
            context=context,
            purpose="accounts.password_reset",
            about=context.get("user"),
        )


class SetPasswordForm(auth_forms.SetPasswordForm, DsfrBaseForm):
    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            # A reset password is a possibly leaked one: the tokens made with it go too.
            services.password_reset_completed(user=user)
        return user


class ApiTokenLifetimeForm(DsfrBaseForm):
    api_token_lifetime_days = forms.IntegerField(
        label="Durée de validité des jetons d’API (en jours)",
        min_value=1,
        max_value=API_TOKEN_MAX_LIFETIME_DAYS,
        help_text=f"Entre 1 et {API_TOKEN_MAX_LIFETIME_DAYS}\u00a0jours. S’applique aux jetons créés ensuite "
        "par les membres de l’agence.",
        error_messages={
            "required": "Indiquez une durée en jours.",
            "invalid": "Indiquez un nombre entier de jours.",
        },
    )


class OtpForm(DsfrBaseForm):
    code = forms.CharField(
        label="Code à 6 chiffres",
        help_text="Le code affiché par votre application d’authentification.",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class RecoveryCodeForm(DsfrBaseForm):
    recovery_code = forms.CharField(
        label="Code de secours",
        help_text="L’un des dix codes reçus à l’activation de la double authentification, par exemple "
        "abcd-efgh.",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )


class InvitationForm(DsfrBaseForm):
    email = forms.EmailField(label="Adresse e-mail de la personne invitée")
    role = forms.ChoiceField(label="Rôle")

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in ROLES_BY_KIND[organisation.kind]]


class RoleForm(DsfrBaseForm):
    role = forms.ChoiceField(label="Nouveau rôle")

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, Role(r).label) for r in ROLES_BY_KIND[organisation.kind]]


class NewAccountForm(DsfrBaseForm):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )


class LetterheadForm(DsfrBaseForm):
    """What an agency's decision letters carry; the service checks the logo's content."""

    logo = forms.FileField(
        label="Nouveau logo",
        required=False,
        help_text="PNG ou JPEG, 1\u00a0Mo au plus. Il est imprimé sur 2\u00a0cm de haut environ.",
        widget=forms.FileInput(
            attrs={"class": "fr-upload", "accept": ".png,.jpg,.jpeg,image/png,image/jpeg"}
        ),
        error_messages={"empty": "Ce fichier est vide\u00a0: choisissez-en un autre."},
    )
    remove_logo = forms.BooleanField(label="Retirer le logo actuel", required=False)
    postal_address = forms.CharField(
        label="Adresse postale",
        required=False,
        max_length=400,
        help_text="Telle qu’elle figure sur vos courriers, une ligne par ligne (6\u00a0lignes au plus).",
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
    )
    city = forms.CharField(
        label="Ville",
        required=False,
        max_length=100,
        help_text="Celle du lieu d’où partent les lettres, par exemple\u00a0: Montpellier. Sans ville, la "
        "lettre porte le nom de la région.",
    )
    signatory_name = forms.CharField(
        label="Nom du signataire",
        required=False,
        max_length=150,
        help_text="Par exemple\u00a0: Dr Jeanne Dupont. Sans signataire, la lettre est signée par l’agent "
        "qui a confirmé la décision.",
    )
    signatory_title = forms.CharField(
        label="Qualité du signataire",
        required=False,
        max_length=200,
        help_text="Par exemple\u00a0: Directrice générale de l’ARS Occitanie.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The DSFR's file upload component rather than its text input's frame.
        self.fields["logo"].widget.group_class = "fr-upload-group"


class AgencyForm(DsfrBaseForm):
    """A new agency and the address of its first programme manager; the service checks the region."""

    kind = forms.ChoiceField(
        label="Type d’agence",
        choices=[("", "Choisir ARS ou Aract")] + [(kind.value, kind.label) for kind in AGENCY_KINDS],
    )
    region = forms.ModelChoiceField(
        label="Région",
        queryset=Region.objects.order_by("name"),
        empty_label="Choisir une région",
        error_messages={"invalid_choice": "Choisissez une région de la liste."},
    )
    name = forms.CharField(
        label="Nom de l’agence (facultatif)",
        required=False,
        max_length=200,
        help_text="Par défaut «\u00a0ARS\u00a0» ou «\u00a0Aract\u00a0» suivi du nom de la région.",
    )
    email = forms.EmailField(
        label="Adresse e-mail de contact de l’agence (facultatif)",
        required=False,
        help_text="Une adresse de service, par exemple qvct@ars.sante.fr.",
    )
    manager_email = forms.EmailField(
        label="Adresse e-mail du premier responsable de programme",
        help_text="Il reçoit une invitation valable 7\u00a0jours pour créer son compte, puis invite ses "
        "collègues.",
    )


class SignUpForm(DsfrBaseForm):
    email = forms.EmailField(
        label="Adresse e-mail professionnelle", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
