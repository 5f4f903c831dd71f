import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import PersonFactory, UserFactory


@pytest.mark.django_db
def test_every_admin_list_and_a_record_page_open(client):
    PersonFactory()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        obj = model.objects.first()
        if obj is not None:
            change = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
            )
            assert client.get(change).status_code == 200, change
