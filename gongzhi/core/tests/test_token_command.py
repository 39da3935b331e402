import io

import pytest
from django.core.management import CommandError, call_command

from gongzhi.core.models import ApiToken
from gongzhi.org.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_create_prints_a_token_that_authenticates(client):
    UserFactory(username="fieldapp")
    out = io.StringIO()
    call_command("token", "create", "--user", "fieldapp", "--name", "phone", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip().splitlines()[-1]
    assert ApiToken.objects.get().digest != token  # only the hash is stored
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()["username"] == "fieldapp"


def test_token_for_unknown_user_is_refused():
    with pytest.raises(CommandError, match="nobody"):
        call_command("token", "create", "--user", "nobody", "--name", "x")
