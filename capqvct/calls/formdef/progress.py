"""How far an applicant has got: the required questions shown and answered, section by section.

A question counts when it is required and shown (its `show_if` met); it is filled when its answer is
not empty, whether or not it is valid yet (errors are said next to the field). A question taken from
the directory (`from_directory`) is filled by the platform, and counts as such.
"""

from dataclasses import dataclass

from capqvct.calls.formdef.answers import is_empty, visibility
from capqvct.calls.formdef.schema import Form


@dataclass(frozen=True)
class SectionProgress:
    key: str
    title: str
    required: int
    filled: int

    @property
    def complete(self) -> bool:
        return self.filled == self.required


def progress_by_section(form: Form, answers: dict) -> list[SectionProgress]:
    answers = answers if isinstance(answers, dict) else {}
    shown = visibility(list(form.fields()), answers)
    sections = []
    for section in form.sections:
        required = [field for field in section.fields if field.required and shown.get(field.key)]
        filled = [field for field in required if not is_empty(answers.get(field.key))]
        sections.append(SectionProgress(section.key, section.title, len(required), len(filled)))
    return sections
