"""The fields of a form as a page renders them, to post back what a person would send."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """Collects each <form>'s fields with their current values: checked boxes, selected options,
    the text of textareas; buttons and files are left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "form":
            self.forms.append({"__action__": attributes.get("action", "")})
        elif tag == "option" and self._select and self.forms:
            # An option has no name of its own: it gives its value to the select it is in.
            value = attributes.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attributes:
                self.forms[-1][self._select] = value
        elif not self.forms or not name:
            return
        elif tag == "input":
            self._input(name, attributes)
        elif tag == "select":
            self._select, self._select_first = name, None
        elif tag == "textarea":
            self._textarea = name
            self.forms[-1][name] = ""

    def _input(self, name: str, attributes: dict) -> None:
        kind = attributes.get("type", "text")
        if kind in ("submit", "button", "file", "image", "reset"):
            return
        if kind in ("checkbox", "radio") and "checked" not in attributes:
            return
        self.forms[-1][name] = attributes.get("value", "on" if kind == "checkbox" else "")

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.forms[-1].setdefault(self._select, self._select_first or "")
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The newline right after <textarea> is not part of the value (HTML's parsing rules).
            value = self.forms[-1][self._textarea]
            self.forms[-1][self._textarea] = value[1:] if value.startswith("\n") else value
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data


def form_fields(html: str, containing: str) -> dict:
    """The fields of the first form of the page that has a field named `containing`."""
    parser = _FormFields()
    parser.feed(html)
    for form in parser.forms:
        if containing in form:
            return {key: value for key, value in form.items() if key not in ("__action__",)}
    raise AssertionError(f"No form with a field « {containing} » on the page.")
