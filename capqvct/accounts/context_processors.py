from capqvct.accounts.models import Role
from capqvct.accounts.selectors import can_browse_directory, has_role, is_platform_admin


def navigation(request):
    """Which entries of the main menu (and of the site map) the user may see."""
    user = request.user
    return {
        "can_browse_directory": can_browse_directory(user),
        "is_applicant": has_role(user, Role.DIRECTOR, Role.MEMBER),
        "manages_programmes": has_role(user, Role.PROGRAMME_MANAGER) or is_platform_admin(user),
        "is_platform_admin": is_platform_admin(user),
        # Signed in but in no organisation yet: their first step is to claim their establishment.
        "is_newcomer": user.is_authenticated and not is_platform_admin(user) and not has_role(user, *Role),
    }
