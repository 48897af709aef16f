from capqvct.cohorts.selectors import cohorts_of_consultant, participations_of


def navigation(request):
    """« Mes collectifs » for the consultants of a confirmed cohort and the people of a participant."""
    user = request.user

    def has_cohorts() -> bool:
        if not user.is_authenticated:
            return False
        return cohorts_of_consultant(user).exists() or participations_of(user).exists()

    # A callable: the queries run only where the menu is drawn.
    return {"has_cohorts": has_cohorts}
