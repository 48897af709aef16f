"""The campaign's rules and the anonymity of what is stored: a response keeps nothing that points to a
person, a code is used once, a refused action changes nothing."""

import json

import pytest
from django.db import connection

from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.surveys import services
from capqvct.surveys.models import (
    Access,
    AccessCode,
    CampaignStatus,
    FreeText,
    QuestionKind,
    Response,
    ScaleSummary,
)
from capqvct.surveys.results import results_of
from capqvct.surveys.tests.builders import TODAY, campaign_in, respond, shipped, survey_space

pytestmark = pytest.mark.django_db

IDENTIFYING = (
    "user",
    "account",
    "ip",
    "address",
    "agent",
    "code",
    "session",
    "created",
    "time",
    "email",
    "token",
)


def test_a_stored_response_row_carries_no_identifying_column():
    columns = [
        column.name
        for column in connection.introspection.get_table_description(
            connection.cursor(), Response._meta.db_table
        )
    ]
    assert sorted(columns) == sorted(
        [
            "id",
            "campaign_id",
            "week",
            "channel",
            "profession",
            "service",
            "seniority",
            "shift",
            "answers",
            "own_answers",
            "scores",
        ]
    )
    assert not [column for column in columns if any(word in column for word in IDENTIFYING)]
    free_text_columns = [
        c.name
        for c in connection.introspection.get_table_description(connection.cursor(), FreeText._meta.db_table)
    ]
    assert sorted(free_text_columns) == ["id", "question_id", "status", "text"]


def test_a_response_keeps_the_monday_of_its_week_only_and_writes_no_audit_event():
    space = survey_space()
    campaign = campaign_in(space)
    events = AuditEvent.objects.count()
    respond(campaign, 1, value=4)
    response = Response.objects.get()
    assert response.week.weekday() == 0 and 0 <= (TODAY - response.week).days < 7
    assert AuditEvent.objects.count() == events
    assert set(response.scores) == {scale.code for scale in campaign.instrument.instrument.scales}


def test_a_code_is_kept_hashed_used_once_and_not_referenced_by_the_response():
    space = survey_space()
    campaign = campaign_in(space, access=Access.CODES)
    codes = services.print_codes(campaign=campaign, by=space.director, count=3)
    stored = list(AccessCode.objects.values_list("digest", flat=True))
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    digest = services.check_code(campaign, codes[0].lower())
    respond(campaign, 1, code=digest)
    assert AccessCode.objects.filter(used=True).count() == 1
    with pytest.raises(Refusal, match="déjà servi"):
        services.check_code(campaign, codes[0])
    with pytest.raises(Refusal, match="déjà servi ou n’existe pas"):
        respond(campaign, 1, code=digest)
    assert Response.objects.count() == 1
    assert not [
        field for field in Response._meta.get_fields() if getattr(field, "related_model", None) is AccessCode
    ]


def test_a_wrong_code_is_refused_at_its_field():
    space = survey_space()
    campaign = campaign_in(space, access=Access.CODES)
    with pytest.raises(Refusal) as refused:
        services.check_code(campaign, "ABCD-EFGH")
    assert refused.value.field == "code" and "n’existe pas" in refused.value.message


def test_answers_are_refused_before_the_opening_and_after_the_closure():
    space = survey_space()
    campaign = campaign_in(space, opened=False)
    with pytest.raises(Refusal, match="ouvre le"):
        respond(campaign, 1)
    services.open_campaign(campaign=campaign, by=space.director)
    respond(campaign, 5)
    services.close_campaign(campaign=campaign, by=space.director)
    with pytest.raises(Refusal, match="fermé"):
        respond(campaign, 1)
    assert Response.objects.count() == 5


def test_a_stranger_cannot_open_a_campaign_and_nothing_is_created():
    space = survey_space()
    with pytest.raises(Refusal):
        services.create_campaign(
            participant=space.participant,
            by=space.stranger,
            wave=1,
            instrument=shipped(),
            opens_on=TODAY,
            closes_on=TODAY,
            headcount=10,
        )
    assert not space.participant.campaigns.exists()


def test_copsoq_without_its_texts_cannot_be_used():
    space = survey_space()
    with pytest.raises(Refusal) as refused:
        services.create_campaign(
            participant=space.participant,
            by=space.director,
            wave=1,
            instrument=shipped("copsoq-iii-middle"),
            opens_on=TODAY,
            closes_on=TODAY,
            headcount=10,
        )
    assert refused.value.field == "instrument"


def test_the_second_wave_must_use_the_first_waves_questionnaire():
    space = survey_space()
    campaign_in(space)
    other = shipped()
    copy = type(other).objects.create(
        code="autre", version="1.0", title="Autre", definition={**other.definition, "code": "autre"}
    )
    with pytest.raises(Refusal, match="même questionnaire"):
        services.create_campaign(
            participant=space.participant,
            by=space.director,
            wave=2,
            instrument=copy,
            opens_on=TODAY,
            closes_on=TODAY,
            headcount=10,
        )


def test_closing_writes_each_scale_once_and_results_appear_only_then():
    space = survey_space()
    campaign = campaign_in(space)
    favourable = {item.code: 1 if item.reverse else 5 for item in campaign.instrument.instrument.items}
    for _ in range(6):
        services.submit_response(campaign=campaign, answers=favourable, today=TODAY)
    assert not results_of(campaign).published
    services.close_campaign(campaign=campaign, by=space.director)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert ScaleSummary.objects.filter(campaign=campaign).count() == 6
    results = results_of(campaign)
    assert results.published
    assert [scale.score for scale in results.scales] == [100.0] * 6
    assert [share.percent for share in results.scales[0].distribution] == [0, 0, 0, 100]


def test_four_respondents_show_nothing_five_show_the_scores():
    space = survey_space()
    campaign = campaign_in(space)
    respond(campaign, 4, value=4)
    services.close_campaign(campaign=campaign, by=space.director)
    results = results_of(campaign)
    assert not results.published and "au moins 5" in results.why_not
    assert results.scales == []


def test_free_texts_need_ten_respondents_and_a_review():
    space = survey_space()
    campaign = campaign_in(space, opened=False)
    question = services.add_own_question(
        campaign=campaign, by=space.director, text="Une idée ?", kind=QuestionKind.TEXT
    )
    services.open_campaign(campaign=campaign, by=space.director)
    for index in range(10):
        services.submit_response(
            campaign=campaign, answers={"ORG1": 3}, texts={str(question.pk): f"idée {index}"}, today=TODAY
        )
    services.close_campaign(campaign=campaign, by=space.director)
    assert results_of(campaign).free_texts == [("Une idée\u00a0?", [])]
    kept = FreeText.objects.get(text="idée 3")
    services.review_free_text(free_text=kept, by=space.director, keep=True)
    services.review_free_text(free_text=FreeText.objects.get(text="idée 4"), by=space.director, keep=False)
    assert results_of(campaign).free_texts == [("Une idée\u00a0?", ["idée 3"])]
    with pytest.raises(Refusal):
        services.review_free_text(
            free_text=FreeText.objects.get(text="idée 5"), by=space.consultant, keep=True
        )
    assert FreeText.objects.get(text="idée 5").status == "pending"


def test_an_agency_loads_the_copsoq_texts_and_its_programmes_may_use_them(tmp_path):
    from django.core.management import CommandError, call_command

    from capqvct.surveys.selectors import instruments_for

    space = survey_space()
    agency = space.manager.memberships.get().organisation
    space.participant.call.programme.agencies.add(agency)
    copsoq = shipped("copsoq-iii-middle")
    texts = {item["code"]: f"Texte de l’item {item['code']}" for item in copsoq.definition["items"]}
    incomplete = tmp_path / "incomplet.json"
    incomplete.write_text(json.dumps(dict(list(texts.items())[1:])), encoding="utf-8")
    with pytest.raises(CommandError, match="Il manque le texte"):
        call_command("import_instrument_texts", "copsoq-iii-middle", str(incomplete), agence=agency.name)
    assert [v.code for v in instruments_for(space.participant)] == ["qvct-cap"]
    complete = tmp_path / "textes.json"
    complete.write_text(json.dumps(texts), encoding="utf-8")
    call_command("import_instrument_texts", "copsoq-iii-middle", str(complete), agence=agency.name)
    usable = {v.code: v for v in instruments_for(space.participant)}
    assert set(usable) == {"qvct-cap", "copsoq-iii-middle"}
    campaign = services.create_campaign(
        participant=space.participant,
        by=space.director,
        wave=1,
        instrument=usable["copsoq-iii-middle"],
        opens_on=TODAY,
        closes_on=TODAY,
        headcount=10,
    )
    first = campaign.instrument.instrument.items[0]
    assert first.text == f"Texte de l’item {first.code}"
    assert not shipped("copsoq-iii-middle").instrument.has_texts
