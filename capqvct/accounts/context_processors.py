from capqvct.accounts.selectors import can_browse_directory


def navigation(request):
    """Which entries of the main menu the user may see."""
    return {"can_browse_directory": can_browse_directory(request.user)}
