"""The programme managers' page to write to every holder of a draft of a call, with its reminders' calendar.

403 for whoever manages no region; 404 for a call outside the regions the user manages.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from capqvct.applications import reminders
from capqvct.applications.models import ReminderKind
from capqvct.calls.deadlines import describe_deadline
from capqvct.calls.manage_forms import RefusalMixin
from capqvct.calls.permissions import require_manager
from capqvct.calls.selectors import calls_managed_by
from capqvct.core.exceptions import Refusal

PAGE_TITLE = "Écrire aux détenteurs de brouillon"


class DraftHoldersMessageForm(RefusalMixin, DsfrBaseForm):
    # The service says what is missing, in its own words, next to the field.
    subject = forms.CharField(label="Objet", max_length=reminders.SUBJECT_MAX_LENGTH, required=False)
    body = forms.CharField(
        label="Message",
        help_text="En texte simple. Chaque e-mail rappelle ensuite l’appel, l’établissement, la date limite "
        "et le lien vers le dossier.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


def write_to_drafts(request, call_pk: int):
    require_manager(request.user)
    call = get_object_or_404(calls_managed_by(request.user), pk=call_pk)
    form = DraftHoldersMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            count = reminders.write_to_draft_holders(
                call=call, subject=data["subject"], body=data["body"], by=request.user
            )
        except Refusal as refusal:
            form.add_refusal(refusal)
        else:
            messages.success(
                request, f"Message envoyé à {count}\u00a0destinataire{'s' if count > 1 else ''}."
            )
            return redirect("applications:write_to_drafts", call.pk)
    holders = reminders.draft_holders(call)
    schedule = reminders.reminder_schedule(call, timezone.now())
    return render(
        request,
        "applications/manage/write_to_drafts.html",
        {
            "page_title": f"{PAGE_TITLE} — {call.title}",
            "call": call,
            "form": form,
            "deadline_text": describe_deadline(call.closes_at, call.time_zone),
            "draft_count": len(holders),
            "recipient_count": len({address for item in holders for address in item.recipients}),
            "unreachable_count": sum(1 for item in holders if not item.recipients),
            "last_sent_at": schedule.last_sent_at,
            "planned": [(day, kind == ReminderKind.LAST_DAY) for kind, day in schedule.planned],
            "breadcrumb": [
                ("Gestion des appels", reverse("calls:manage_list")),
                (call.programme.title, reverse("calls:manage_programme", args=[call.programme_id])),
                (call.title, reverse("calls:manage_call", args=[call.pk])),
                (PAGE_TITLE, None),
            ],
        },
    )
