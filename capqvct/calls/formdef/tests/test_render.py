import re

from django.contrib.staticfiles import finders
from django.template import Engine
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from capqvct.calls.formdef import render
from capqvct.calls.formdef.answers import validate_answers, visibility
from capqvct.calls.formdef.render import item_change, parse_post, render_form
from capqvct.calls.formdef.schema import Form
from capqvct.calls.formdef.templates_library import standard_qvct_application
from capqvct.calls.formdef.tests.html_forms import post_data
from capqvct.calls.formdef.tests.strategies import forms, json_values, junk_answers, valid_answers
from tests.typography_check import typography_errors

ACTIONS = Form.from_json(
    {
        "sections": [
            {
                "key": "main",
                "title": "Actions",
                "fields": [
                    {
                        "key": "has_actions",
                        "kind": "yes_no",
                        "label": "Des actions ont-elles été menées\u202f?",
                    },
                    {
                        "key": "actions",
                        "kind": "repeated",
                        "label": "Actions menées",
                        "item_label": "Action",
                        "max_items": 3,
                        "show_if": {"field": "has_actions", "equals": True},
                        "fields": [
                            {"key": "title", "kind": "short_text", "label": "Intitulé", "required": True},
                            {"key": "done", "kind": "yes_no", "label": "Terminée"},
                            {
                                "key": "result",
                                "kind": "long_text",
                                "label": "Résultat",
                                "max_length": 500,
                                "show_if": {"field": "done", "equals": True},
                            },
                        ],
                    },
                ],
            }
        ]
    }
)


def test_the_standard_application_renders_in_dsfr_markup_with_french_typography():
    form = standard_qvct_application()
    answers = {"email": "pas-une-adresse", "legal_status": "public", "trio": {"direction": {"name": "Léa"}}}
    errors = validate_answers(form, answers, for_submission=True)

    html = render_form(form, answers, errors)

    assert typography_errors(html) == []
    assert "<script" not in html
    assert 'name="answers.trio.staff_representative.email"' in html
    assert "Représentant des métiers ou de l’encadrement soignant" in html
    assert re.search(
        r'<input class="fr-input fr-input--error" type="email" id="formdef-email"[^>]*'
        r'aria-describedby="formdef-email-hint formdef-email-errors"',
        html,
    )
    assert re.search(
        r'id="formdef-email-errors"[^>]*><p class="fr-message fr-message--error fr-error-text">'
        r"Saisissez une adresse e-mail valide",
        html,
    )
    assert (
        '<input type="radio" id="formdef-legal_status-0" name="answers.legal_status" value="public" checked>'
        in html
    )
    assert 'Nom de la structure<span class="fr-required-marker" aria-hidden="true">&nbsp;*</span>' in html
    assert (
        '<a href="#formdef-trio-direction-function">Composition du trinôme › Représentant de la direction'
        in html
    )


def test_unknown_template_variables_would_show(monkeypatch):
    strict = Engine(dirs=[str(render.TEMPLATES_DIR)], string_if_invalid="@@%s@@")
    monkeypatch.setattr(render, "get_engine", lambda: strict)
    form = standard_qvct_application()

    html = render_form(form, {}, validate_answers(form, {}, for_submission=True)) + render_form(
        ACTIONS, {}, {}
    )

    assert "@@" not in html


def test_conditions_are_data_attributes_for_the_script():
    html = render_form(ACTIONS, {"actions": [{"title": "Analyse des arrêts"}]}, {})

    assert (
        'data-formdef-field="actions" data-show-if-name="answers.has_actions" data-show-if-value="yes" '
        'data-show-if-operator="equals"'
    ) in html
    assert 'data-show-if-name="answers.actions.0.done" data-show-if-value="yes"' in html
    assert 'data-show-if-name="answers.actions.__index__.done"' in html  # in the <template> the script clones
    assert finders.find(render.SCRIPT), "the script must be found by staticfiles to be served"


def test_adding_and_removing_items_works_without_javascript():
    answers = {"has_actions": True, "actions": [{"title": "Première"}, {"title": "Deuxième", "done": True}]}
    html = render_form(ACTIONS, answers, {})
    assert '<input type="hidden" name="answers.actions.count" value="2" data-formdef-count>' in html

    added = parse_post(ACTIONS, post_data(html, add_item="actions"))
    assert added["actions"] == [{"title": "Première"}, {"title": "Deuxième", "done": True}, {}]
    assert item_change(ACTIONS, post_data(html, add_item="actions")) == render.ItemChange("add", "actions")

    removed = parse_post(ACTIONS, post_data(html, remove_item="actions.0"))
    assert removed["actions"] == [{"title": "Deuxième", "done": True}]

    full = render_form(ACTIONS, {"actions": [{}, {}, {}]}, {})
    assert re.search(r'name="add_item" value="actions" formnovalidate data-formdef-add disabled', full)
    assert len(parse_post(ACTIONS, post_data(full, add_item="actions"))["actions"]) == 3


def test_a_required_block_starts_with_one_item_to_fill_in():
    form = Form.from_json(
        {
            "sections": [
                {
                    "key": "main",
                    "title": "Principal",
                    "fields": [
                        {
                            "key": "members",
                            "kind": "repeated",
                            "label": "Membres du comité",
                            "required": True,
                            "fields": [{"key": "member", "kind": "person", "label": "Membre"}],
                        }
                    ],
                }
            ]
        }
    )

    html = render_form(form, {}, {})

    assert 'name="answers.members.0.member.email"' in html


def test_files_come_from_the_saved_answers_not_from_the_post():
    form = Form.from_json(
        {
            "sections": [
                {
                    "key": "main",
                    "title": "Pièces",
                    "fields": [
                        {
                            "key": "letter",
                            "kind": "file",
                            "label": "Lettre",
                            "extensions": ["pdf"],
                            "max_size_mb": 5,
                        }
                    ],
                }
            ]
        }
    )
    saved = {
        "letter": {"name": "lettre.pdf", "size": 2_500_000, "content_type": "application/pdf", "id": "x"}
    }

    html = render_form(form, saved, {})

    assert "Fichier déposé\u00a0: lettre.pdf (2,4\u00a0Mo)" in html.replace("&nbsp;", "\u00a0")
    assert 'accept=".pdf"' in html
    assert parse_post(form, post_data(html), previous=saved) == saved
    assert parse_post(form, post_data(html)) == {}


@settings(max_examples=60, deadline=None)
@given(forms())
def test_any_valid_form_renders_with_one_label_per_question(form):
    html = render_form(form, {}, {})

    for field in form.fields():
        assert html.count(f'id="formdef-{field.key}-label"') == 1
        assert f'id="formdef-{field.key}-label">{escape(field.label)}' in html
    assert set(visibility(form.fields(), {})) == {field.key for field in form.fields()}


@settings(max_examples=60, deadline=None)
@given(st.data(), forms(), st.booleans())
def test_any_answers_and_errors_render_and_post_back_without_error(data, form, for_submission):
    answers = data.draw(junk_answers(form))
    errors = validate_answers(form, answers, for_submission=for_submission)
    errors.update(
        data.draw(st.dictionaries(st.text(max_size=10), st.lists(st.text(max_size=10), min_size=1)))
    )

    html = render_form(form, answers, errors)
    posted = parse_post(form, post_data(html), previous=answers)

    assert isinstance(posted, dict)
    assert isinstance(parse_post(form, data.draw(st.dictionaries(st.text(max_size=30), json_values))), dict)


@settings(max_examples=80, deadline=None)
@given(st.data(), forms())
def test_what_is_rendered_posts_back_the_same_answers(data, form):
    answers = data.draw(valid_answers(form))

    html = render_form(form, answers, {})

    assert parse_post(form, post_data(html), previous=answers) == answers
