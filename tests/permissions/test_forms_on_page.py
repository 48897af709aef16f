"""The helper that reads a page's form as a person would send it back."""

from tests.permissions.forms_on_page import form_fields

PAGE = """
<form method="post">
  <input type="text" name="title" value="Binômes">
  <select name="theme">
    <option value="">Choisir</option><option value="health" selected>Santé</option>
  </select>
  <select name="status"><option value="planned">Prévue</option><option value="done">Réalisée</option></select>
  <input type="checkbox" name="experiment" checked>
  <textarea name="hypothesis">
Moins d’arrêts</textarea>
</form>
"""


def test_a_form_comes_back_with_its_selected_options_checked_boxes_and_texts():
    assert form_fields(PAGE, "theme") == {
        "title": "Binômes",
        "theme": "health",
        "status": "planned",
        "experiment": "on",
        "hypothesis": "Moins d’arrêts",
    }
