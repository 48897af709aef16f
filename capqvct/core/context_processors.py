from django.conf import settings


def service(request):
    """What every page's header and footer need."""
    return {"service_name": "Cap QVCT", "site_url": settings.SITE_URL}
