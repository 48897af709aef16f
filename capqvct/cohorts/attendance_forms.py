"""Forms of the attendance pages: the sign-in sheet (« présent » / « absent » for each person
expected), the scan of the signed paper sheet, and a visit's report. They type what is posted; the
services in attendance_services.py say what is wrong, at the field."""

from django import forms
from dsfr.forms import DsfrBaseForm

from capqvct.calls.manage_forms import RefusalMixin

PRESENT, ABSENT = "present", "absent"


class PostedForm(forms.Form):
    """Which of the sheet page's forms was posted (its hidden field `form`)."""

    form = forms.CharField(required=False)

    def posted(self) -> str:
        return self.cleaned_data.get("form", "") if self.is_valid() else ""


class AttendanceSheetForm(forms.Form):
    """One « présent » / « absent » choice per trio member expected (field `member-<id>`); a member
    left unanswered is not recorded."""

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        for member in members:
            self.fields[f"member-{member.pk}"] = forms.ChoiceField(
                label=member.name or member.email,
                choices=[(PRESENT, "Présent"), (ABSENT, "Absent")],
                required=False,
            )

    def presence(self) -> dict[int, bool]:
        """Trio member id → present, for the members answered."""
        self.is_valid()
        return {
            int(name.removeprefix("member-")): value == PRESENT
            for name, value in self.cleaned_data.items()
            if value in (PRESENT, ABSENT)
        }


class ScanForm(forms.Form):
    # The file is checked by the service (kind, size), which says what is wrong at the field.
    scan = forms.FileField(required=False)

    def upload(self):
        return self.files.get("scan")


class VisitReportForm(RefusalMixin, DsfrBaseForm):
    done = forms.CharField(
        label="Ce qui a été fait",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    decisions = forms.CharField(
        label="Décisions", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_steps = forms.CharField(
        label="Prochaines étapes",
        help_text="D’ici la prochaine séance ou la prochaine rencontre.",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
