"""factory_boy factories for tests and the permission matrix. Synthetic people only."""

import random
from decimal import Decimal

import factory

from gongzhi.accounts.models import User
from gongzhi.core import pii
from gongzhi.grids.models import MicroGrid
from gongzhi.org import models


def fake_id_number(seed: int) -> str:
    """A synthetic ID number with a valid GB 11643 check digit (Shanghai Baoshan area code), of an
    adult: tests that need a minor (core.minors) make one on purpose."""
    rng = random.Random(seed)
    body = f"310113{rng.randint(1940, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + pii.id_check_digit(body)


def fake_phone(seed: int) -> str:
    rng = random.Random(seed)
    return f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.District
        django_get_or_create = ("name",)

    name = "宝山区"


class SubdistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Subdistrict

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试镇{n}")
    code = factory.Sequence(lambda n: f"SD{n:04d}")


class NeighborhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Neighborhood

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = factory.Sequence(lambda n: f"第{n}居民区")
    code = factory.Sequence(lambda n: f"NB{n:05d}")


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Compound

    neighborhood = factory.SubFactory(NeighborhoodFactory)
    name = factory.Sequence(lambda n: f"和谐{n}苑")


class MicroGridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MicroGrid

    neighborhood = factory.SubFactory(NeighborhoodFactory)
    code = factory.Sequence(lambda n: f"G{n:05d}")
    name = factory.Sequence(lambda n: f"第{n}微网格")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Building

    compound = factory.SubFactory(CompoundFactory)
    neighborhood = factory.SelfAttribute("compound.neighborhood")
    number = factory.Sequence(lambda n: f"{n}号楼")


class StairwellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Stairwell

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"{n}单元")
    micro_grid = factory.SelfAttribute("building.micro_grid")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Household

    building = factory.SubFactory(BuildingFactory)
    neighborhood = factory.SelfAttribute("building.neighborhood")
    micro_grid = factory.SelfAttribute("building.micro_grid")
    room = factory.Sequence(lambda n: f"{100 + n}")
    floor_area = Decimal("68.50")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Resident
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    is_owner = True

    @factory.post_generation
    def numbers(obj, create, extracted, **kwargs):
        obj.set_id_number(fake_id_number(obj.pk or hash(obj.name)))
        obj.set_phone(fake_phone(obj.pk or hash(obj.name)))
        if create:
            obj.save()


class PartyOrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PartyOrg

    name = factory.Sequence(lambda n: f"第{n}党支部")
    level = models.PartyOrg.Level.BRANCH
    branch_kind = models.PartyOrg.BranchKind.REGULAR
    neighborhood = factory.SubFactory(NeighborhoodFactory)
    subdistrict = factory.SelfAttribute("neighborhood.subdistrict")


class PartyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PartyMember

    party_org = factory.SubFactory(PartyOrgFactory)
    name = factory.Sequence(lambda n: f"党员{n}")


class PartnerUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PartnerUnit

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = factory.Sequence(lambda n: f"共建单位{n}")
    kind = models.PartnerUnit.Kind.ENTERPRISE


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Department

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"dept{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("gongzhi-test-pass")
