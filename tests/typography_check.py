"""French typography of what people read: no ordinary space before « ; : ! ? » nor inside guillemets."""

import re
from html.parser import HTMLParser

BAD = re.compile(r"\S*[ \t\n]+[;:!?](?=\s|$)|«[ \t]|[ \t]»")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def typography_errors(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = "".join(parser.parts)
    return [match.group(0).strip() for match in BAD.finditer(text)]
