"""The URL configuration of the floor of ``bench.survey_load``, never part of the site: one view that
stores a response with fixed answers by ``Response.objects.create``, the least a submission could cost
through the same server, the same middlewares and the same database. Served by that bench alone, which
sets ``ROOT_URLCONF`` to this module in its own server processes."""

from datetime import date

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from capqvct.surveys.models import Channel, Response

ANSWERS = {
    f"{scale}{n}": 1 + n % 5 for scale in ("ORG", "CAR", "HEA", "EQU", "MAN", "DIA") for n in range(1, 6)
}
SCORES = {scale: 50.0 for scale in ("ORG", "CAR", "HEA", "EQU", "MAN", "DIA")}


@csrf_exempt
@login_not_required
@require_POST
def bare_insert(request, campaign_id: int):
    today = date.today()
    Response.objects.create(
        campaign_id=campaign_id,
        week=date.fromordinal(today.toordinal() - today.weekday()),
        channel=Channel.ONLINE,
        profession="care",
        seniority="gt5",
        shift="day",
        answers=ANSWERS,
        scores=SCORES,
    )
    return HttpResponse(status=204)


urlpatterns = [path("banc/reponse/<int:campaign_id>/", bare_insert)]
