"""List endpoints take any integers for offset and limit; found by `make fuzz` (500s before)."""

import pytest

from gongzhi.core.paging import MAX_OFFSET, window


def test_window_clamps_what_the_database_cannot_take():
    assert window(-25, 3387) == slice(0, 500)
    assert window(10, 0) == slice(10, 11)
    assert window(2**70, 5) == slice(MAX_OFFSET, MAX_OFFSET + 5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["offset=-25&limit=3387", f"offset={2**63}&limit={2**63}", "limit=-1", f"household_id={2**70}"]
)
def test_org_lists_answer_odd_pages_without_a_server_error(client, world, query):
    client.force_login(world.users["neighborhood_secretary"])
    for path in ("/api/v1/households", "/api/v1/residents"):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (200, 422), (path, response.status_code)
