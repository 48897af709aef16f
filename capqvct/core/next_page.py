"""The page to go back to after a detour (sign-up, claim…), carried as `next` and checked."""

from capqvct.core.network import is_local_path


def safe_next_path(request) -> str:
    """The `next` path of the request if it is a path of this site, "" otherwise (never another host)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local_path(target, request) else ""
