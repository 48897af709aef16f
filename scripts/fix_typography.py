"""Put the French non-breaking spaces where they belong, in templates and Python strings.

Usage: python scripts/fix_typography.py FILE…  (rewrites the files in place)

Before « : » a no-break space (U+00A0); before « ; ! ? » a narrow no-break space (U+202F), as the
Imprimerie nationale's rules ask; inside guillemets, no-break spaces.
"""

import re
import sys
from pathlib import Path

NBSP, NNBSP = "\u00a0", "\u202f"
# Template markup is left alone: only the text between tags is touched.
MARKUP = re.compile(r"({%.*?%}|{{.*?}}|<[^>]*>)", re.S)


def fix_text(text: str) -> str:
    text = re.sub(r"[ \t]+:(?=\s|$|<|\")", NBSP + ":", text)
    text = re.sub(r"[ \t]+([;!?])(?=\s|$|<|\"|»)", NNBSP + r"\1", text)
    text = re.sub(r"«[ \t]+", "«" + NBSP, text)
    text = re.sub(r"[ \t]+»", NBSP + "»", text)
    return text


def fix_template(source: str) -> str:
    return "".join(part if MARKUP.fullmatch(part) else fix_text(part) for part in MARKUP.split(source))


def fix_python(source: str) -> str:
    strings = re.compile(r"(\"[^\"\n]*\"|'[^'\n]*')")
    return "".join(fix_text(part) if strings.fullmatch(part) else part for part in strings.split(source))


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        source = path.read_text()
        fixed = fix_python(source) if path.suffix == ".py" else fix_template(source)
        if fixed != source:
            path.write_text(fixed)
            print(f"fixed {path}")
