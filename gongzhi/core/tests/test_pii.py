"""ID numbers and phones: validated, encrypted at rest, found by keyed hash, shown masked."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.core import pii
from gongzhi.org import factories as f
from gongzhi.org import selectors, services
from gongzhi.org.models import Resident


def test_valid_id_number_passes_gb11643_check():
    assert pii.validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "value, code",
    [
        ("110105194912310021", "check_digit"),
        ("11010519491331002X", "birth_date"),
        ("1101051949123100", "format"),
        ("ABCDEFGHIJKLMNOPQR", "format"),
    ],
)
def test_invalid_id_numbers_are_refused_with_the_reason(value, code):
    with pytest.raises(ValidationError) as info:
        pii.validate_id_number(value)
    assert info.value.code == code


@pytest.mark.parametrize("value", ["1381234567", "23812345678", "138123456789", "phone"])
def test_invalid_phones_are_refused(value):
    with pytest.raises(ValidationError):
        pii.validate_phone(value)


def test_phone_accepts_country_code_and_spaces():
    assert pii.validate_phone("+86 138-1234-5678") == "13812345678"


def test_masks_show_first_and_last_digits_only():
    assert pii.mask_id_number("310113198001011234") == "3101**********1234"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_name("欧阳娜娜") == "欧***"


def test_encryption_round_trips_and_is_randomised():
    a, b = pii.encrypt("13812345678"), pii.encrypt("13812345678")
    assert a != b and a.startswith("a1.")
    assert pii.decrypt(a) == pii.decrypt(b) == "13812345678"


def test_blind_index_separates_kinds_and_depends_on_key(settings):
    value = "13812345678"
    assert pii.blind_index("phone", value) != pii.blind_index("id", value)
    before = pii.blind_index("phone", value)
    settings.FIELD_ENCRYPTION_KEY = "another-key"
    assert pii.blind_index("phone", value) != before


@pytest.mark.django_db
def test_raw_database_row_holds_no_plaintext():
    resident = f.ResidentFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM org_resident WHERE id = %s", [resident.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert resident.id_number and resident.id_number not in row
    assert resident.phone and resident.phone not in row
    assert resident.id_number[-4:] + resident.id_number[:6] not in row


@pytest.mark.django_db
def test_lookup_by_full_number_finds_resident_through_keyed_hash(world):
    secretary = world.users["neighborhood_secretary"]
    found = selectors.find_residents_by_number(secretary, world.resident_a.phone)
    assert list(found) == [world.resident_a]
    by_id = selectors.find_residents_by_number(secretary, world.resident_a.id_number.lower())
    assert list(by_id) == [world.resident_a]
    assert not selectors.find_residents_by_number(secretary, world.resident_far.phone).exists()


@pytest.mark.django_db
def test_resident_service_refuses_bad_numbers_and_changes_nothing(world):
    secretary = world.users["neighborhood_secretary"]
    before = Resident.objects.count()
    with pytest.raises(ValidationError) as info:
        services.create_resident(
            actor=secretary,
            household=world.household_a,
            name="王五",
            id_number="110105194912310021",
            phone="12",
        )
    assert set(info.value.message_dict) == {"id_number", "phone"}
    assert Resident.objects.count() == before


@pytest.mark.django_db
def test_duplicate_id_number_is_refused(world):
    secretary = world.users["neighborhood_secretary"]
    with pytest.raises(ValidationError) as info:
        services.create_resident(
            actor=secretary, household=world.household_a, name="重复", id_number=world.resident_a2.id_number
        )
    assert "id_number" in info.value.message_dict
