"""The whole workspace of an establishment as one ZIP, at any time: the bilan (PDF), a CSV per part
(the comité, its meetings, the communication plan, the EDT, the indicators with their formulas, the
situations as ranked, the actions, the activity), and the documents of every page."""

import io
import zipfile
from datetime import datetime

from django.utils import timezone

from capqvct.approaches.bilan import bilan_pdf
from capqvct.approaches.diagnosis_selectors import figures_of, indicator_years_of
from capqvct.approaches.feed_selectors import feed_of
from capqvct.approaches.indicators import compute_all
from capqvct.approaches.review_selectors import Bilan, bilan_of
from capqvct.cohorts.models import Participant
from capqvct.core.exports import spreadsheet
from capqvct.core.formatting import format_datetime


def export_file_name(participant: Participant) -> str:
    return f"demarche-qvt-{participant.establishment.finess_et or participant.pk}.zip"


def _csv(rows, headers, title) -> bytes:
    return spreadsheet(rows, headers=headers, title=title, export_format="csv")


def _parts(bilan: Bilan, zone: str) -> dict[str, bytes]:
    approach = bilan.approach
    indicator_rows = [
        [row.year, result.indicator.label, result.indicator.formula, result.value, result.indicator.unit]
        for row, results in ((row, compute_all(figures)) for row, figures in _years(bilan))
        for result in results
    ]
    return {
        "comite.csv": _csv(
            [[m.name, m.get_role_display(), m.function, "oui" if m.active else "non"] for m in bilan.members],
            ["Nom", "Rôle", "Fonction", "Toujours membre"],
            "Comité QVT",
        ),
        "reunions-du-comite.csv": _csv(
            [
                [m.held_on, ", ".join(a.name for a in m.attendees.all()), m.minutes, m.decisions]
                for m in bilan.meetings
            ],
            ["Date", "Présents", "Compte rendu", "Décisions"],
            "Réunions du comité",
        ),
        "communication.csv": _csv(
            [[m.planned_on, m.audience, m.content, m.channel, m.sent_on] for m in bilan.plan_messages],
            ["Prévu le", "À qui", "Ce qui est dit", "Moyen", "Envoyé le"],
            "Communication",
        ),
        "edt.csv": _csv(
            [
                [g.name, g.members, g.subject, m.held_on, m.notes]
                for g in bilan.groups
                for m in g.meetings.all()
            ]
            + [[g.name, g.members, g.subject, None, ""] for g in bilan.groups if not g.meetings.all()],
            ["Groupe", "Membres", "Sujet", "Réunion du", "Notes"],
            "EDT",
        ),
        "indicateurs.csv": _csv(
            indicator_rows, ["Année", "Indicateur", "Formule", "Valeur", "Unité"], "Indicateurs"
        ),
        "situations.csv": _csv(
            [
                [
                    e.rank,
                    e.item.title,
                    e.item.get_theme_display(),
                    e.importance,
                    e.feasibility,
                    e.score,
                    "oui" if e.item.retained else "non",
                ]
                for e in bilan.ranked
            ],
            ["Rang", "Situation", "Thème", "Importance", "Faisabilité", "Score", "Retenue"],
            "Situations",
        ),
        "actions.csv": _csv(
            [
                [
                    a.title,
                    a.get_theme_display(),
                    a.situation.title if a.situation else "",
                    a.owner,
                    a.starts_on,
                    a.due_on,
                    a.get_status_display(),
                    a.drop_reason,
                    a.resources,
                    a.indicators,
                    "oui" if a.experiment else "non",
                    a.hypothesis,
                    a.test_period,
                    a.result,
                ]
                for a in bilan.plan.actions
            ],
            [
                "Action",
                "Thème",
                "Situation",
                "Responsable",
                "Début",
                "Échéance",
                "État",
                "Raison de l’abandon",
                "Moyens",
                "Indicateurs à suivre",
                "Expérimentation",
                "Hypothèse",
                "Période de test",
                "Résultat",
            ],
            "Actions",
        ),
        "activite.csv": _csv(
            [
                [format_datetime(e.at, zone), e.who, e.comment.body if e.comment else e.what]
                for e in feed_of(approach)
            ],
            ["Quand", "Qui", "Quoi"],
            "Activité",
        ),
    }


def _years(bilan: Bilan):
    return [(row, figures_of(row)) for row in indicator_years_of(bilan.approach)]


def workspace_zip(participant: Participant, *, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    bilan = bilan_of(participant, now=now)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bilan.pdf", bilan_pdf(participant, now=now, bilan=bilan))
        for name, content in _parts(bilan, participant.call.time_zone).items():
            archive.writestr(name, content)
        if bilan.approach.pk is not None:
            used = set()
            for document in bilan.approach.documents.order_by("part", "uploaded_at", "pk"):
                path = _unique(f"documents/{document.get_part_display()}/{document.name}", used)
                with document.file.open("rb") as stored:
                    archive.writestr(path, stored.read())
    return buffer.getvalue()


def _unique(path: str, used: set[str]) -> str:
    """Two files of one page with the same name keep both: « (2) » before the extension."""
    candidate, number = path, 1
    while candidate in used:
        number += 1
        stem, dot, extension = path.rpartition(".")
        candidate = f"{stem} ({number}).{extension}" if dot else f"{path} ({number})"
    used.add(candidate)
    return candidate
