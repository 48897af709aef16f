"""The forms of the exchanges with the applicant: the agents' question and interview, the interview's
notes, and the applicant's answer.

They read and type what was posted, keeping it as typed so the page can show it again; the services in
exchanges.py say what is wrong (a date missing or past, an empty question, a file too big) and the page
shows their refusal at the field.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django import forms

INTERVIEW_FIELDS = ("day", "hour", "duration", "place", "video_link", "attendees")


class ExchangeForm(forms.Form):
    """Which of the page's forms was posted (its hidden field `form`)."""

    form = forms.CharField(required=False)

    def posted(self) -> str:
        return self.cleaned_data.get("form", "") if self.is_valid() else ""


class QuestionForm(forms.Form):
    question = forms.CharField(required=False, strip=False)
    reply_by = forms.CharField(required=False)

    def typed(self) -> dict:
        self.is_valid()
        return {
            "question": self.cleaned_data.get("question", ""),
            "reply_by": self.cleaned_data.get("reply_by", ""),
        }

    def reply_by_date(self) -> date | None:
        return parse_date(self.typed()["reply_by"])


class InterviewForm(forms.Form):
    """An interview's date and time (in the call's time zone), duration, place or link, and guests."""

    day = forms.CharField(required=False)
    hour = forms.CharField(required=False)
    duration = forms.CharField(required=False)
    place = forms.CharField(required=False)
    video_link = forms.CharField(required=False)
    attendees = forms.CharField(required=False)

    def typed(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name, "") for name in INTERVIEW_FIELDS}

    def arguments(self, zone: str) -> dict:
        """What the services take: None for what could not be read, which they refuse at its field."""
        typed = self.typed()
        return {
            "starts_at": parse_local(typed["day"], typed["hour"], zone),
            "duration": int_or_none(typed["duration"]),
            "place": typed["place"],
            "video_link": typed["video_link"],
            "attendees": typed["attendees"].replace(",", "\n").replace(";", "\n").split(),
        }


class InterviewNotesForm(forms.Form):
    notes = forms.CharField(required=False, strip=False)

    def text(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("notes", "")


class AnswerForm(forms.Form):
    """The applicant's answer to one question (`request`, its number), with an optional file."""

    request = forms.IntegerField(required=False)
    answer = forms.CharField(required=False, strip=False)

    def request_number(self) -> int | None:
        return self.cleaned_data.get("request") if self.is_valid() else None

    def upload(self):
        # The file is checked by the service (kind, size), which says what is wrong at the field.
        return self.files.get("file")


def parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except (AttributeError, ValueError):
        return None


def parse_local(day: str, hour: str, zone: str) -> datetime | None:
    """The instant of a date and time typed in the call's time zone."""
    parsed_day = parse_date(day)
    try:
        parsed_time = time.fromisoformat((hour or "").strip())
    except ValueError:
        return None
    if parsed_day is None:
        return None
    return datetime.combine(parsed_day, parsed_time, tzinfo=ZoneInfo(zone))


def int_or_none(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None
