from capqvct.accounts.models import Role
from capqvct.accounts.selectors import can_browse_directory, has_role, is_platform_admin


def navigation(request):
    """Which entries of the main menu the user may see."""
    return {
        "can_browse_directory": can_browse_directory(request.user),
        "is_applicant": has_role(request.user, Role.DIRECTOR, Role.MEMBER),
        "manages_programmes": has_role(request.user, Role.PROGRAMME_MANAGER)
        or is_platform_admin(request.user),
    }
