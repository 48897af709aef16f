"""The engagement letters' pages: the call's text (its managers), sending the letters of a cohort (its
managers), the signing page reached by a personal link (no account needed), the PDFs, and replacing a
member of a trinôme (the managers, the establishment's director).

Calls come through calls_managed_by, cohorts through it too, letters through letters_visible_to and
members through members_replaceable_by: anyone else gets a 404. The signing page answers a link that
cannot sign with a page that says why (engagement_links), and writes nothing then.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from capqvct.calls.selectors import calls_managed_by
from capqvct.cohorts import engagement_services
from capqvct.cohorts.engagement_forms import EngagementTemplateForm, ReplaceMemberForm, SignForm
from capqvct.cohorts.engagement_letters import PLACEHOLDERS, blocks_of, cosigned_pdf, letter_file_name
from capqvct.cohorts.engagement_links import LINK_VALIDITY, LinkRefused, invitation_of_token
from capqvct.cohorts.engagement_selectors import letters_visible_to, members_replaceable_by, template_of
from capqvct.cohorts.models import Cohort
from capqvct.core.exceptions import Refusal
from capqvct.core.network import client_ip


def _posted(request):
    return request.POST if request.method == "POST" else None


def template_page(request, pk: int):
    """The call's letter text and reminders' delay."""
    call = get_object_or_404(calls_managed_by(request.user).select_related("programme__region"), pk=pk)
    current = template_of(call)
    form = EngagementTemplateForm(
        _posted(request), initial={"body": current.body, "reminder_days": current.reminder_days}
    )
    if request.method == "POST" and form.is_valid():
        try:
            engagement_services.save_engagement_template(call=call, by=request.user, **form.cleaned_data)
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(
                request, "Texte enregistré\u00a0: il s’applique aux prochaines lettres envoyées."
            )
            return redirect("cohorts:engagement_template", pk=call.pk)
    return render(
        request,
        "cohorts/engagement/template.html",
        {
            "page_title": "Lettre d’engagement",
            "call": call,
            "form": form,
            "placeholders": PLACEHOLDERS,
            "cohorts": list(Cohort.objects.filter(call=call).order_by("number")),
            "breadcrumb": [
                ("Gestion des appels", reverse("calls:manage_list")),
                (call.title, reverse("calls:manage_call", args=[call.pk])),
                ("Constituer les collectifs", reverse("cohorts:page", args=[call.pk])),
                ("Lettre d’engagement", None),
            ],
        },
    )


@require_POST
def send_letters(request, pk: int):
    cohort = get_object_or_404(
        Cohort.objects.filter(call__in=calls_managed_by(request.user)).select_related(
            "call__programme__region", "call__grouping"
        ),
        pk=pk,
    )
    try:
        count = engagement_services.send_engagement_letters(cohort=cohort, by=request.user)
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            f"Lettres d’engagement envoyées\u00a0: {count} e-mail{'s' if count > 1 else ''} "
            "avec un lien personnel.",
        )
    return redirect(f"{reverse('cohorts:cohort', args=[cohort.pk])}#lettres-engagement")


def _refused_page(request, refusal: LinkRefused):
    return render(
        request,
        "cohorts/engagement/link_refused.html",
        {"page_title": "Signature impossible", "reason": refusal.message},
        status=refusal.status,
    )


@login_not_required
def sign(request, token: str):
    """The letter, its PDF, the typed name and the consent box, and « Signer »."""
    try:
        invitation = invitation_of_token(token, user=request.user, now=timezone.now())
    except LinkRefused as refusal:
        return _refused_page(request, refusal)
    form = SignForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            engagement_services.sign_engagement_letter(
                token=token,
                typed_name=form.cleaned_data["typed_name"],
                consent=form.cleaned_data["consent"],
                user=request.user,
                ip=client_ip(request),
            )
        except LinkRefused as refusal:
            return _refused_page(request, refusal)
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            letter = invitation.letter
            return render(
                request,
                "cohorts/engagement/signed.html",
                {
                    "page_title": "Lettre signée",
                    "member": invitation.member,
                    "participant": letter.participant,
                    "call": letter.participant.call,
                },
            )
    letter = invitation.letter
    participant = letter.participant
    return render(
        request,
        "cohorts/engagement/sign.html",
        {
            "page_title": f"Lettre d’engagement — {participant.establishment.name}",
            "form": form,
            "member": invitation.member,
            "letter": letter,
            "blocks": blocks_of(letter.text),
            "participant": participant,
            "call": participant.call,
            "pdf_url": reverse("cohorts:engagement_letter_by_link", args=[token]),
            "days": LINK_VALIDITY.days,
        },
    )


def _pdf(content: bytes, file_name: str) -> FileResponse:
    return FileResponse(iter([content]), content_type="application/pdf", filename=file_name)


@login_not_required
def letter_by_link(request, token: str):
    """The letter's PDF, as it was sent, for whoever holds a link that may sign."""
    try:
        invitation = invitation_of_token(token, user=request.user, now=timezone.now())
    except LinkRefused as refusal:
        return _refused_page(request, refusal)
    letter = invitation.letter
    return _pdf(bytes(letter.pdf), letter_file_name(letter))


def letter(request, pk: int):
    """A participant's letter as it was sent (pk: the participant)."""
    found = get_object_or_404(letters_visible_to(request.user), participant_id=pk)
    return _pdf(bytes(found.pdf), letter_file_name(found))


def cosigned_letter(request, pk: int):
    """The co-signed letter, once the whole trinôme has signed (pk: the participant)."""
    found = get_object_or_404(letters_visible_to(request.user), participant_id=pk)
    if found.completed_at is None:
        raise Http404("La lettre n’est pas encore signée par tout le trinôme.")
    return _pdf(cosigned_pdf(found), letter_file_name(found, cosigned=True))


def replace_member(request, pk: int):
    member = get_object_or_404(members_replaceable_by(request.user), pk=pk)
    participant = member.participant
    form = ReplaceMemberForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            successor = engagement_services.replace_trio_member(
                member=member, by=request.user, **form.cleaned_data
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            sent = (
                " Son lien de signature lui est envoyé." if hasattr(participant, "engagement_letter") else ""
            )
            messages.success(request, f"{successor.name} remplace {member.name} dans le trinôme.{sent}")
            return redirect("cohorts:participation", pk=participant.pk)
    return render(
        request,
        "cohorts/engagement/replace.html",
        {
            "page_title": "Remplacer un membre du trinôme",
            "member": member,
            "participant": participant,
            "form": form,
            "breadcrumb": [
                ("Mes collectifs", reverse("cohorts:mine")),
                (participant.establishment.name, reverse("cohorts:participation", args=[participant.pk])),
                ("Remplacer un membre du trinôme", None),
            ],
        },
    )
