from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from capqvct.accounts import forms, services
from capqvct.accounts.dashboard import panels_for
from capqvct.accounts.middleware import EXPIRED_PARAMETER, EXPIRED_VALUE
from capqvct.accounts.models import Membership, Organisation
from capqvct.accounts.permissions import can_edit_letterhead, can_manage_organisation, can_see_letterhead
from capqvct.accounts.second_factor import second_factor_status
from capqvct.accounts.selectors import is_platform_admin, memberships_of
from capqvct.core.exceptions import Refusal
from capqvct.core.files import stored_image_type
from capqvct.core.network import is_local_path


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    extra_context = {"page_title": "Connexion"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session_expired"] = self.request.GET.get(EXPIRED_PARAMETER) == EXPIRED_VALUE
        context["idle_minutes"] = int(settings.IDLE_SESSION_TIMEOUT.total_seconds() // 60)
        return context


def dashboard(request):
    memberships = list(memberships_of(request.user))
    panels = panels_for(request.user)
    return render(
        request,
        "accounts/dashboard.html",
        {
            "page_title": "Tableau de bord",
            "memberships": memberships,
            "panels": panels,
            "is_platform_admin": is_platform_admin(request.user),
            # « Vous n’appartenez à aucune organisation… » unless a panel already says what comes next
            # (a claim waiting for its answer).
            "show_welcome": not memberships
            and not is_platform_admin(request.user)
            and not any(context.get("says_what_comes_next") for _, context in panels),
        },
    )


def profile(request):
    return render(
        request,
        "accounts/profile.html",
        {
            "page_title": "Mon compte",
            "memberships": memberships_of(request.user),
            "second_factor": second_factor_status(request.user),
        },
    )


def _managed_organisation(request, pk: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=pk)
    if not can_manage_organisation(request.user, organisation):
        # Members of other organisations learn nothing, not even that it exists.
        raise Http404
    return organisation


def organisation_members(request, pk: int, *, lifetime_form=None):
    organisation = _managed_organisation(request, pk)
    if organisation.is_agency and lifetime_form is None:
        lifetime_form = forms.ApiTokenLifetimeForm(
            initial={"api_token_lifetime_days": organisation.api_token_lifetime_days}
        )
    members = organisation.memberships.select_related("user").order_by("user__last_name", "user__email")
    pending = organisation.invitations.pending().select_related("invited_by")
    return render(
        request,
        "accounts/organisation.html",
        {
            "page_title": organisation.name,
            "organisation": organisation,
            "members": members,
            "pending_invitations": pending,
            "invitation_form": forms.InvitationForm(organisation=organisation),
            "lifetime_form": lifetime_form if organisation.is_agency else None,
            "breadcrumb": [("Mon compte", "/compte/"), (organisation.name, None)],
        },
    )


@require_POST
def api_token_lifetime(request, pk: int):
    """An agency's managers set how long its members' API tokens last."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not can_edit_letterhead(request.user, organisation):
        raise Http404
    form = forms.ApiTokenLifetimeForm(request.POST)
    if form.is_valid():
        try:
            services.set_api_token_lifetime(
                organisation=organisation, days=form.cleaned_data["api_token_lifetime_days"], by=request.user
            )
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, "Durée de validité des jetons d’API enregistrée.")
            return redirect("accounts:organisation", pk=organisation.pk)
    return organisation_members(request, pk, lifetime_form=form)


def invite(request, pk: int):
    organisation = _managed_organisation(request, pk)
    form = forms.InvitationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_colleague(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, f"Invitation envoyée à {form.cleaned_data['email']}.")
            return redirect("accounts:organisation", pk=organisation.pk)
    return render(
        request,
        "accounts/invite.html",
        {
            "page_title": "Inviter un collègue",
            "organisation": organisation,
            "form": form,
            "breadcrumb": [
                ("Mon compte", "/compte/"),
                (organisation.name, f"/compte/organisations/{organisation.pk}/"),
                ("Inviter", None),
            ],
        },
    )


def letterhead(request, pk: int):
    """An agency's managers set the logo, address and signatory printed on its decision letters."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not can_edit_letterhead(request.user, organisation):
        raise Http404
    initial = {
        "postal_address": organisation.postal_address,
        "city": organisation.city,
        "signatory_name": organisation.signatory_name,
        "signatory_title": organisation.signatory_title,
    }
    form = forms.LetterheadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_letterhead(organisation=organisation, by=request.user, **form.cleaned_data)
        except Refusal as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, "En-tête des lettres de décision enregistré.")
            return redirect("accounts:organisation", pk=organisation.pk)
    return render(
        request,
        "accounts/letterhead.html",
        {
            "page_title": "En-tête des lettres de décision",
            "organisation": organisation,
            "form": form,
            "breadcrumb": [
                ("Mon compte", "/compte/"),
                (organisation.name, f"/compte/organisations/{organisation.pk}/"),
                ("En-tête des lettres", None),
            ],
        },
    )


def letterhead_logo(request, pk: int):
    """An agency's logo, to its members only: MEDIA_ROOT has no public address."""
    organisation = get_object_or_404(Organisation, pk=pk)
    if not can_see_letterhead(request.user, organisation) or not organisation.logo:
        raise Http404
    try:
        with organisation.logo.open("rb") as logo:
            content = logo.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(content, content_type=stored_image_type(content))
    # Shown by the letterhead page's <img>; opened on its own, an SVG may run nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-cache"
    return response


def _membership_managed_by(request, pk: int) -> Membership:
    membership = get_object_or_404(Membership.objects.select_related("organisation", "user"), pk=pk)
    if membership.user_id != request.user.pk and not can_manage_organisation(
        request.user, membership.organisation
    ):
        raise Http404
    return membership


@require_POST
def change_role(request, pk: int):
    membership = _membership_managed_by(request, pk)
    form = forms.RoleForm(request.POST, organisation=membership.organisation)
    if form.is_valid():
        try:
            services.change_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
        except Refusal as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, f"Rôle de {membership.user} modifié.")
    else:
        messages.error(request, "Choisissez un rôle dans la liste.")
    return redirect("accounts:organisation", pk=membership.organisation_id)


@require_POST
def remove_membership(request, pk: int):
    membership = _membership_managed_by(request, pk)
    leaving = membership.user_id == request.user.pk
    try:
        services.remove_membership(membership=membership, by=request.user)
    except Refusal as refusal:
        messages.error(request, refusal.message)
        if leaving:
            return redirect("accounts:profile")
        return redirect("accounts:organisation", pk=membership.organisation_id)
    if leaving:
        messages.success(request, f"Vous avez quitté {membership.organisation}.")
        return redirect("accounts:profile")
    messages.success(request, f"{membership.user} ne fait plus partie de {membership.organisation}.")
    return redirect("accounts:organisation", pk=membership.organisation_id)


@login_not_required
def accept_invitation(request, token: str):
    invitation = services.find_pending_invitation(token)
    if invitation is None:
        return render(
            request, "accounts/invitation_invalid.html", {"page_title": "Invitation expirée"}, status=410
        )
    user = request.user if request.user.is_authenticated else None
    form = forms.NewAccountForm(request.POST or None) if user is None else None
    if request.method == "POST":
        try:
            if user is not None:
                services.accept_invitation(token=token, user=user)
                return _welcome(request, invitation)
            if form.is_valid():
                membership = services.accept_invitation(token=token, **form.cleaned_data)
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                return _welcome(request, invitation)
        except Refusal as refusal:
            messages.error(request, refusal.message)
        except ValidationError as error:
            form.add_error("password", error)
    return render(
        request,
        "accounts/accept_invitation.html",
        {"page_title": "Rejoindre une organisation", "invitation": invitation, "form": form},
    )


def _welcome(request, invitation):
    messages.success(request, f"Bienvenue dans {invitation.organisation}.")
    # An invitation to answer a call leads to the call's page; any other to the dashboard.
    if is_local_path(invitation.next_path, request):
        return redirect(invitation.next_path)
    return redirect("accounts:dashboard")
