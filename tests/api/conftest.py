import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import BranchFactory, user_with_role


@pytest.fixture
def api():
    return APIClient()


def client_for(user) -> APIClient:
    """An API client authenticated by the user's token, as a partner system would be."""
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def staff():
    return user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())


@pytest.fixture
def staff_api(staff):
    return client_for(staff)


def branch_of(user):
    return user.role_assignments.get().branch


def registrant_body(**overrides) -> dict:
    body = {
        "name_km": "ចាន់ សុភា",
        "name_latin": "Chan Sophea",
        "sex": "F",
        "date_of_birth": "09/03/1988",
        "phone": "097 777 8888",
        "village_code": "12010101",
        "actor_type": "self_employed",
        "sector": "services",
        "occupation": "Tailor",
    }
    body.update(overrides)
    return body
