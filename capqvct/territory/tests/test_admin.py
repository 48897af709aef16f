import pytest
from django.contrib import admin
from django.test import RequestFactory

from capqvct.territory.models import Commune, Departement, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_request(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


@pytest.mark.parametrize("model", [Region, Departement, Commune])
def test_reference_data_cannot_be_edited_even_by_a_superuser(model, superuser_request):
    model_admin = admin.site._registry[model]
    instance = model.objects.first()

    assert model_admin.has_view_permission(superuser_request, instance)
    assert not model_admin.has_add_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request, instance)
    assert not model_admin.has_delete_permission(superuser_request, instance)


@pytest.mark.parametrize("term", ["Montpellier", "34172", "34090"])
def test_communes_are_found_by_name_code_or_postal_code(term, superuser_request):
    model_admin = admin.site._registry[Commune]

    results, _ = model_admin.get_search_results(superuser_request, Commune.objects.all(), term)

    assert "34172" in set(results.values_list("code", flat=True))
