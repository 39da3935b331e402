"""Every visit page for every role: those who work with concerns get in (and see only their area,
tested per page elsewhere), everyone else gets 403, anonymous users are sent to sign in."""

import pytest
from django.urls import reverse

from gongzhi.core.roles import DUTY_ROLES, ROLES

pytestmark = pytest.mark.django_db

PAGES = [
    ("concerns:visit_new", ()),
    ("concerns:visit_households", ()),
    ("visits:coverage", ()),
    ("visits:rules", ()),
    ("visits:cards", ()),
]


def _readers_of_concerns() -> set[str]:
    # System, security admins and auditors keep to their duty pages (accounts.duties).
    return {code for code, role in ROLES.items() if "concern" in role.read and code not in DUTY_ROLES}


@pytest.mark.parametrize("code", sorted(ROLES))
def test_visit_pages_by_role(client, world, code):
    client.force_login(world.users[code])
    expected = 200 if code in _readers_of_concerns() else 403
    for name, args in PAGES:
        assert client.get(reverse(name, args=args)).status_code == expected, (code, name)
    layer = reverse("visits:map_layer", args=["neighborhood", world.neighborhood_a.pk])
    status = client.get(layer).status_code
    assert status == expected or (expected == 200 and status == 404), (code, status)


def test_visit_pages_send_anonymous_users_to_sign_in(client, world):
    for name, args in PAGES:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    assert client.get(reverse("visits:map_building", args=[world.household_a.building_id])).status_code == 302
    assert client.get(reverse("visits:grid_cards", args=[world.grid_a.pk])).status_code == 302
