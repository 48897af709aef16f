"""The dashboard shows what later apps have for the user (a claim waiting, a colleague to confirm…)
without this app importing them: each registers a panel, a template and a function giving its
context for a user, or None when it has nothing to show. A context holding
`says_what_comes_next: True` (a claim waiting for its answer) replaces the welcome that tells a
newcomer how to join an organisation."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[object], dict | None]


_panels: list[Panel] = []


def register_panel(template: str, context: Callable[[object], dict | None]) -> None:
    """Called from an app's AppConfig.ready(); a panel is registered once however often it runs."""
    panel = Panel(template, context)
    if panel not in _panels:
        _panels.append(panel)


def panels_for(user) -> list[tuple[str, dict]]:
    """The panels that have something for this user, in the order the apps registered them."""
    shown = []
    for panel in _panels:
        context = panel.context(user)
        if context is not None:
            shown.append((panel.template, context))
    return shown
