"""Scores hidden until one's own submission, sealing, eligibility checks and overrides, private notes,
and the blind view of a dossier for outside experts."""

import pytest

from capqvct.calls.formdef.templates_library import standard_qvct_application
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.review import selectors, services
from capqvct.review.models import EligibilityReview
from capqvct.review.services import CriterionInput
from capqvct.review.tests.test_assignment import Setting, opened
from tests.factories import UserFactory


@pytest.fixture
def scored(db):
    """Two criteria, and the first dossier given to the ARS's and the Aract's reviewers."""
    setting = Setting(dossiers=1)
    setting.review = opened(setting)
    setting.criteria = services.set_grid(
        review=setting.review,
        criteria=[CriterionInput("Portage", 2, 5), CriterionInput("Dialogue social", 1, 4)],
        by=setting.manager,
    )
    setting.application = setting.applications[0]
    setting.mine, setting.theirs = (
        services.assign(
            review=setting.review, application=setting.application, reviewer=reviewer, by=setting.manager
        )
        for reviewer in (setting.ars_reviewer, setting.aract_reviewer)
    )
    for assignment in (setting.mine, setting.theirs):
        services.declare_no_conflict(assignment=assignment, by=assignment.reviewer)
    return setting


def values(setting, first, second, comment=""):
    return {setting.criteria[0].pk: (first, comment), setting.criteria[1].pk: (second, "")}


def test_draft_scores_are_kept_with_their_comments_and_checked_against_the_scale(scored):
    services.save_scores(
        assignment=scored.mine,
        values=values(scored, 4, None, "Direction très impliquée."),
        by=scored.ars_reviewer,
    )
    saved = {s.criterion.label: (s.value, s.comment) for s in scored.mine.scores.select_related("criterion")}
    assert saved == {"Portage": (4, "Direction très impliquée."), "Dialogue social": (None, "")}
    for wrong in (6, -1, "beaucoup"):
        with pytest.raises(Refusal, match="la note va de 0 à 5"):
            services.save_scores(
                assignment=scored.mine, values=values(scored, wrong, 1), by=scored.ars_reviewer
            )


def test_only_the_assigned_reviewer_scores(scored):
    with pytest.raises(Refusal):
        services.save_scores(assignment=scored.mine, values=values(scored, 1, 1), by=scored.aract_reviewer)
    with pytest.raises(Refusal):
        services.submit_scores(assignment=scored.mine, by=scored.manager)


def test_submission_needs_every_criterion_then_seals(scored):
    services.save_scores(assignment=scored.mine, values=values(scored, 4, None), by=scored.ars_reviewer)
    with pytest.raises(Refusal, match="Dialogue social"):
        services.submit_scores(assignment=scored.mine, by=scored.ars_reviewer)
    services.save_scores(assignment=scored.mine, values=values(scored, 4, 0), by=scored.ars_reviewer)
    services.submit_scores(assignment=scored.mine, by=scored.ars_reviewer)
    assert scored.mine.submitted_at is not None
    with pytest.raises(Refusal, match="remise"):
        services.save_scores(assignment=scored.mine, values=values(scored, 1, 1), by=scored.ars_reviewer)
    with pytest.raises(Refusal, match="déjà remise"):
        services.submit_scores(assignment=scored.mine, by=scored.ars_reviewer)
    assert AuditEvent.objects.filter(action="review_scores_submitted").count() == 1


def test_submission_is_refused_without_a_grid(db):
    setting = Setting(dossiers=1)
    review = opened(setting)
    assignment = services.assign(
        review=review, application=setting.applications[0], reviewer=setting.ars_reviewer, by=setting.manager
    )
    services.declare_no_conflict(assignment=assignment, by=setting.ars_reviewer)
    with pytest.raises(Refusal, match="grille"):
        services.submit_scores(assignment=assignment, by=setting.ars_reviewer)


def _reviewers_seen_by(user, application) -> set[str]:
    return {s.assignment.reviewer.email for s in selectors.scores_visible_to(user, application)}


def test_others_scores_appear_only_after_ones_own_submission(scored):
    services.save_scores(assignment=scored.theirs, values=values(scored, 3, 3), by=scored.aract_reviewer)
    services.submit_scores(assignment=scored.theirs, by=scored.aract_reviewer)
    services.save_scores(assignment=scored.mine, values=values(scored, 5, 4), by=scored.ars_reviewer)
    assert _reviewers_seen_by(scored.ars_reviewer, scored.application) == {"instructeur@ars.fr"}
    services.submit_scores(assignment=scored.mine, by=scored.ars_reviewer)
    assert _reviewers_seen_by(scored.ars_reviewer, scored.application) == {
        "instructeur@ars.fr",
        "instructrice@aract.fr",
    }
    assert _reviewers_seen_by(scored.manager, scored.application) == {
        "instructeur@ars.fr",
        "instructrice@aract.fr",
    }
    assert _reviewers_seen_by(UserFactory(), scored.application) == set()


def test_a_declared_conflict_drops_the_reviewers_scores(scored):
    services.save_scores(assignment=scored.mine, values=values(scored, 5, 4), by=scored.ars_reviewer)
    services.declare_conflict(assignment=scored.mine, reason="Ancien employeur.", by=scored.ars_reviewer)
    assert _reviewers_seen_by(scored.manager, scored.application) == set()


# Eligibility


def test_automatic_eligibility_checks_territory_pieces_and_trio(db):
    setting = Setting(
        dossiers=1,
        definition=standard_qvct_application().to_json(),
        required_attachments=[{"label": "Lettre d’engagement signée", "required": True}],
    )
    application = setting.applications[0]
    application.answers = {
        "trio": {
            "direction": {"name": "Claire Martin", "function": "Directrice", "email": "c@exemple.fr"},
            "staff_representative": {"name": "Paul Durand", "function": "Aide-soignant"},
        }
    }
    application.save()
    result = selectors.automatic_eligibility(application)
    checks = {check.label: check for check in result.checks}
    assert checks["Région, département et catégorie"].passed
    assert not checks["Pièces à joindre"].passed
    assert "Lettre d’engagement signée" in checks["Pièces à joindre"].detail
    assert not checks["Trinôme complet"].passed
    assert "Représentant du personnel" in checks["Trinôme complet"].detail
    assert not result.passed


def test_confirming_the_automatic_result_needs_no_reason_overriding_it_does(scored):
    assert selectors.automatic_eligibility(scored.application).passed
    services.review_eligibility(application=scored.application, eligible=True, reason="", by=scored.manager)
    with pytest.raises(Refusal, match="motif"):
        services.review_eligibility(
            application=scored.application, eligible=False, reason="", by=scored.manager
        )
    services.review_eligibility(
        application=scored.application, eligible=False, reason="Établissement fermé.", by=scored.manager
    )
    decided = EligibilityReview.objects.get(application=scored.application)
    assert (decided.eligible, decided.reason) == (False, "Établissement fermé.")
    with pytest.raises(Refusal):
        services.review_eligibility(
            application=scored.application, eligible=True, reason="", by=scored.ars_reviewer
        )


# Private notes


def test_private_notes_are_written_by_the_calls_managers_and_cleared_reviewers_only(scored):
    services.add_private_note(application=scored.application, text="À suivre.", by=scored.ars_reviewer)
    with pytest.raises(Refusal):
        services.add_private_note(application=scored.application, text="Hop", by=UserFactory())
    with pytest.raises(Refusal, match="vide"):
        services.add_private_note(application=scored.application, text=" ", by=scored.manager)
    assert [n.text for n in scored.application.private_notes.all()] == ["À suivre."]


# Blind view


def test_blind_view_hides_the_establishments_identity(db):
    setting = Setting(dossiers=1, definition=standard_qvct_application().to_json())
    application = setting.applications[0]
    establishment = application.establishment
    application.answers = {
        "structure_name": establishment.name,
        "finess_et": establishment.finess_et,
        "email": "direction@tilleuls.fr",
        "trio": {"direction": {"name": "Claire Martin", "function": "Directrice", "email": "c@exemple.fr"}},
        "postal_address": f"{establishment.name}, 1 rue des Lilas",
    }
    application.save()
    view = selectors.dossier_view(application, blind=True)
    text = view.title + view.subtitle + repr(view.summary)
    for secret in (establishment.name, establishment.finess_et, "Claire Martin", "direction@tilleuls.fr"):
        assert secret not in text
    assert "1 rue des Lilas" in text
    open_view = selectors.dossier_view(application, blind=False)
    assert establishment.name in open_view.title
    assert "Claire Martin" in repr(open_view.summary)


def test_scores_wait_for_the_no_conflict_declaration(db):
    setting = Setting(dossiers=1)
    setting.review = opened(setting)
    (criterion,) = services.set_grid(
        review=setting.review, criteria=[CriterionInput("Portage", 1, 5)], by=setting.manager
    )
    assignment = services.assign(
        review=setting.review,
        application=setting.applications[0],
        reviewer=setting.ars_reviewer,
        by=setting.manager,
    )
    with pytest.raises(Refusal, match="pas de conflit d’intérêts"):
        services.save_scores(assignment=assignment, values={criterion.pk: (3, "")}, by=setting.ars_reviewer)
    services.declare_no_conflict(assignment=assignment, by=setting.ars_reviewer)
    services.save_scores(assignment=assignment, values={criterion.pk: (3, "")}, by=setting.ars_reviewer)
    assert assignment.scores.get().value == 3
