from capqvct.accounts.models import Role
from capqvct.accounts.selectors import has_role
from capqvct.review.models import Assignment


def navigation(request):
    """Reviewers, and outside experts who hold no role but were given dossiers, see « À instruire »."""
    user = request.user

    def has_dossiers_to_review() -> bool:
        if not user.is_authenticated:
            return False
        return has_role(user, Role.REVIEWER) or Assignment.objects.filter(reviewer=user).exists()

    # A callable: the query runs only where the menu is drawn.
    return {"has_dossiers_to_review": has_dossiers_to_review}
