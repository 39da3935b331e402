"""Concern photos: checked by content through core.uploads, at most six per concern, served only
to staff of the concern's area, inline under a neutral name, never sniffed or cached."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.concerns.models import Concern, ConcernPhoto
from gongzhi.concerns.services import MAX_PHOTOS
from gongzhi.concerns.tests.conftest import concern_for
from gongzhi.concerns.tests.test_resident_page import JPEG, report
from gongzhi.org import factories as f
from gongzhi.org import services as org_services

pytestmark = pytest.mark.django_db
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _jpeg(name: str = "lamp.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


@pytest.fixture
def photo(world, parking) -> ConcernPhoto:
    concern = concern_for(world, photos=[_jpeg("张三家门口.jpg")])
    return concern.photos.get()


def test_staff_of_the_area_see_the_photo_inline_under_a_neutral_name(client, world, photo):
    client.force_login(world.users["social_worker"])
    response = client.get(reverse("concerns:photo", args=[photo.pk]))
    assert response.status_code == 200
    with photo.file.open("rb") as stored:  # the photo as kept: re-encoded without metadata
        assert b"".join(response.streaming_content) == stored.read()
    assert response["Content-Type"] == "image/jpeg"
    assert (
        response["Content-Disposition"]
        == f'inline; filename="concern-{photo.concern_id}-photo-{photo.pk}.jpg"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_staff_of_another_area_get_not_found(client, world, photo):
    other = f.UserFactory(username="b-social-worker", is_staff=True)
    org_services.assign_role(actor=None, user=other, role="social_worker", unit=world.neighborhood_b)
    client.force_login(other)
    assert client.get(reverse("concerns:photo", args=[photo.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, photo):
    response = client.get(reverse("concerns:photo", args=[photo.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_photo_whose_file_is_gone_is_not_found(client, world, photo):
    photo.file.storage.delete(photo.file.name)
    client.force_login(world.users["social_worker"])
    assert client.get(reverse("concerns:photo", args=[photo.pk])).status_code == 404


def test_a_renamed_executable_is_no_photo(world, parking):
    with pytest.raises(ValidationError) as err:
        concern_for(world, photos=[SimpleUploadedFile("x.jpg", WINDOWS_EXE, content_type="image/jpeg")])
    assert "photo" in err.value.message_dict
    assert Concern.objects.count() == 0


def test_the_public_form_takes_at_most_six_photos_and_changes_nothing_beyond(client, world):
    too_many = [_jpeg(f"{i}.jpg") for i in range(MAX_PHOTOS + 1)]
    response = report(client, world, photo=too_many, key="many")
    assert response.status_code == 400 and "每条诉求最多 6 张照片" in response.content.decode()
    assert Concern.objects.count() == 0 and ConcernPhoto.objects.count() == 0
    response = report(client, world, photo=[_jpeg(f"{i}.jpg") for i in range(MAX_PHOTOS)], key="six")
    assert Concern.objects.get().photos.count() == MAX_PHOTOS
