from capqvct.establishments.models import Establishment


def navigation(request):
    """The establishments whose space the user belongs to (director or member), for the site map."""
    user = request.user

    def my_establishments() -> list[Establishment]:
        if not user.is_authenticated:
            return []
        return list(
            Establishment.objects.filter(organisation__memberships__user=user).distinct().order_by("name")
        )

    # A callable: the query runs only where a page draws the list.
    return {"my_establishments": my_establishments}
