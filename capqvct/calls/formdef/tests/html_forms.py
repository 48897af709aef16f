"""What a browser would post for a rendered form, to test parse_post against the real markup."""

from html.parser import HTMLParser

from django.utils.datastructures import MultiValueDict


class _FormData(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data = MultiValueDict()
        self.in_template = 0
        self.textarea: tuple[str, list[str]] | None = None
        self.select: tuple[str, list[tuple[str, bool]]] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self.in_template += 1
        attributes = dict(attrs)
        name = attributes.get("name")
        if self.in_template:
            return
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("file", "submit", "button") or (
                kind in ("radio", "checkbox") and "checked" not in attributes
            ):
                return
            self.data.appendlist(name, attributes.get("value") or "")
        elif tag == "textarea":
            self.textarea = (name, [])
        elif tag == "select":
            self.select = (name, [])
        elif tag == "option" and self.select is not None:
            self.select[1].append((attributes.get("value") or "", "selected" in attributes))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template -= 1
        elif tag == "textarea" and self.textarea is not None:
            name, parts = self.textarea
            text = "".join(parts)
            # The parser drops a newline right after <textarea>; browsers post line breaks as CRLF.
            text = text[1:] if text.startswith("\n") else text
            self.data.appendlist(name, text.replace("\n", "\r\n"))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            name, options = self.select
            selected = [value for value, is_selected in options if is_selected] or [options[0][0]]
            self.data.appendlist(name, selected[-1])
            self.select = None


def post_data(html: str, **pressed: str) -> MultiValueDict:
    """The fields a browser submits from `html`, plus the submit button pressed (name=value)."""
    parser = _FormData()
    parser.feed(html)
    parser.close()
    for name, value in pressed.items():
        parser.data.appendlist(name, value)
    return parser.data
