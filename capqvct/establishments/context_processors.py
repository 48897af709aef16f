from capqvct.establishments.models import Establishment
from capqvct.establishments.selectors import decides_claims


def navigation(request):
    """The establishments whose space the user belongs to (director or member), and whether the user
    decides claims, for the site map."""
    user = request.user

    def my_establishments() -> list[Establishment]:
        if not user.is_authenticated:
            return []
        return list(
            Establishment.objects.filter(organisation__memberships__user=user).distinct().order_by("name")
        )

    # Callables: the queries run only where a page draws them.
    return {"my_establishments": my_establishments, "decides_claims": lambda: decides_claims(user)}
