import pytest

from accounts.models import Role
from tests.factories import BranchFactory, user_with_role


@pytest.fixture
def staff():
    """A branch-staff member of a branch of their own."""
    return user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
