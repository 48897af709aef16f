"""The engagement letter's text and its two PDFs: the letter as sent (fingerprinted) and, once the
whole trinôme has signed, the co-signed letter with its signatures block.

The call's template is plain text with placeholders between braces (PLACEHOLDERS); it is filled by
simple substitution, never by the template engine, so a manager's text cannot run template code.
A blank line separates paragraphs; a line starting with « - » is an item of a list.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string

from capqvct.cohorts.models import EngagementLetter, Participant, TrioRole
from capqvct.core.formatting import format_date, format_datetime, french_spacing
from capqvct.core.pdf import render_pdf

NBSP = "\u00a0"

COMMITMENTS = (
    "participer aux séances collectives du collectif et aux rencontres d’appui individuel, en "
    "libérant le temps nécessaire aux membres du trinôme",
    "mettre en place un comité QVT qui associe la direction, les représentants du personnel et les "
    "professionnels, et qui porte les choix de la démarche",
    "conduire la démarche dans ses quatre séquences\u00a0: lancement et conduite en interne, état des "
    "lieux partagé et choix des priorités, construction et mise en œuvre d’actions, bilan et évaluation",
    "répondre à l’enquête proposée aux équipes et aux questionnaires de suivi du programme",
)

# Placeholder → what it is replaced by (the label shown on the template's page).
PLACEHOLDERS = {
    "etablissement": "le nom de l’établissement",
    "collectif": "le nom du collectif",
    "intervenants": "les deux intervenants du binôme",
    "programme": "l’intitulé du programme",
    "appel": "l’intitulé de l’appel",
    "region": "la région",
    "engagements": "la liste des engagements (séances, comité QVT, quatre séquences, enquête)",
}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

DEFAULT_BODY = (
    "Madame, Monsieur,\n\n"
    "L’établissement {etablissement} participe à l’appel «\u00a0{appel}\u00a0» "
    "du programme «\u00a0{programme}\u00a0» ({region}). "
    "Il fait partie du collectif «\u00a0{collectif}\u00a0», "
    "accompagné par le binôme d’intervenants {intervenants}.\n\n"
    "Par cette lettre, la direction de l’établissement et les membres de son trinôme s’engagent, pour "
    "toute la durée de l’accompagnement, à\u00a0:\n"
    "{engagements}\n\n"
    "Le trinôme porte la démarche au sein de l’établissement et en rend compte au comité QVT. "
    "L’agence régionale et le binôme d’intervenants s’engagent, de leur côté, à animer les séances "
    "collectives, à accompagner l’établissement entre les séances et à partager avec lui les "
    "enseignements du collectif.\n\n"
    "Chaque membre du trinôme signe cette lettre en ligne, par le lien personnel qu’il a reçu."
)


def unknown_placeholders(body: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def values_for(participant: Participant) -> dict[str, str]:
    cohort = participant.cohort
    call = participant.call
    pair = cohort.pair
    return {
        "etablissement": participant.establishment.name,
        "collectif": cohort.name,
        "intervenants": str(pair) if pair else "(binôme à désigner)",
        "programme": call.programme.title,
        "appel": call.title,
        "region": call.programme.region.name,
        "engagements": "\n".join(
            f"- {item}{' ;' if n < len(COMMITMENTS) - 1 else '.'}" for n, item in enumerate(COMMITMENTS)
        ),
    }


def letter_text(body: str, participant: Participant) -> str:
    """The template's text for this participant, with French spacing."""
    values = values_for(participant)
    filled = PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)
    return french_spacing(filled.replace("\r\n", "\n").strip())


@dataclass(frozen=True)
class Block:
    """A paragraph, or a list (its items)."""

    text: str = ""
    items: tuple[str, ...] = ()


def blocks_of(text: str) -> list[Block]:
    """Paragraphs split by blank lines; consecutive « - » lines form a list."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text):
        paragraph: list[str] = []
        items: list[str] = []
        for line in chunk.splitlines():
            stripped = line.strip()
            if stripped.startswith("- "):
                if paragraph:
                    blocks.append(Block(text=" ".join(paragraph)))
                    paragraph = []
                items.append(stripped[2:].strip())
            elif stripped:
                if items:
                    blocks.append(Block(items=tuple(items)))
                    items = []
                paragraph.append(stripped)
        if paragraph:
            blocks.append(Block(text=" ".join(paragraph)))
        if items:
            blocks.append(Block(items=tuple(items)))
    return blocks


def fingerprint_of(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def _context(participant: Participant, text: str, dated: datetime) -> dict:
    call = participant.call
    return {
        "participant": participant,
        "establishment": participant.establishment,
        "cohort": participant.cohort,
        "call": call,
        "blocks": blocks_of(text),
        "dated": format_date(dated.astimezone(ZoneInfo(call.time_zone)).date()),
    }


def letter_pdf(participant: Participant, text: str, *, dated: datetime) -> bytes:
    """The letter as it is sent: its text, dated the day it is frozen."""
    return render_pdf(
        render_to_string("cohorts/engagement/letter_pdf.html", _context(participant, text, dated))
    )


@dataclass(frozen=True)
class SignatureLine:
    name: str
    role: str
    typed_name: str
    signed_at: str
    ip: str
    replaced: bool


ROLE_ORDER = {role: n for n, role in enumerate(TrioRole.values)}


def cosigned_pdf(letter: EngagementLetter) -> bytes:
    """The letter's text followed by the signatures block (who, as what, when in the call's time zone,
    from which address) and the fingerprint of the letter they signed."""
    participant = letter.participant
    zone = participant.call.time_zone
    signatures = sorted(
        letter.signatures.select_related("member"),
        key=lambda s: (ROLE_ORDER.get(s.member.role, 9), s.signed_at),
    )
    lines = [
        SignatureLine(
            name=s.member.name or s.member.email,
            role=s.member.get_role_display(),
            typed_name=s.typed_name,
            signed_at=format_datetime(s.signed_at, zone, with_zone=True),
            ip=s.ip or "non connue",
            replaced=not s.member.active,
        )
        for s in signatures
    ]
    context = {
        **_context(participant, letter.text, letter.frozen_at),
        "signatures": lines,
        "fingerprint": letter.fingerprint,
        "completed": format_datetime(letter.completed_at, zone, with_zone=True)
        if letter.completed_at
        else "",
    }
    return render_pdf(render_to_string("cohorts/engagement/letter_pdf.html", context))


def letter_file_name(letter: EngagementLetter, *, cosigned: bool = False) -> str:
    suffix = "-cosignee" if cosigned else ""
    return f"lettre-engagement-{letter.participant.establishment.finess_et}{suffix}.pdf"
