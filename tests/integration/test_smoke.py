import pytest

from tests.factories import make_user
from tests.helpers import api, login_as

# On both stores: a node starts and signs people in on either store.
pytestmark = pytest.mark.both_stores


async def test_sign_in_and_me(client, services):
    user = await make_user(services)
    await login_as(client, user.username)
    response = await client.get("/api/v1/me")
    assert (await response.get_json())["email"] == user.email
    response = await api(client, "DELETE", "/api/v1/session")
    assert response.status_code == 204
    assert (await client.get("/api/v1/me")).status_code == 401
