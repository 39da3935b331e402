"""`insights.demo.load_demo` on a small demo town: hot issues once, unchanged on a second run."""

import importlib
import time

import pytest

from gongzhi.insights.demo import load_demo
from gongzhi.insights.models import HotIssue
from gongzhi.insights.tests.conftest import make_concerns, sample_rows
from gongzhi.org.demo import loader
from gongzhi.org.demo.generator import generate_town
from gongzhi.org.models import Neighborhood

pytestmark = pytest.mark.django_db


def test_demo_hot_issues_load_once():
    assert load_demo().startswith("insights: no demo subdistrict")
    town = loader.load_town(generate_town(households=500, seed=5), progress=None).subdistrict
    try:
        importlib.import_module("gongzhi.concerns.demo")
    except ModuleNotFoundError:  # until the concerns demo exists, place real messages ourselves
        make_concerns(None, sample_rows(), spread=list(Neighborhood.objects.filter(subdistrict=town)[:2]))
    try:
        importlib.import_module("gongzhi.concerns.demo").load_demo()
    except ModuleNotFoundError:
        pass
    started = time.perf_counter()
    first = load_demo()  # the concerns are in: this is the refresh
    elapsed = time.perf_counter() - started
    print(first, f"{elapsed:.1f} s")
    assert elapsed < 10  # the demo contract's budget
    assert "hot issues in" in first and "hottest:" in first
    rows = {i.pk: (i.rank, i.title, i.concerns_count) for i in HotIssue.objects.all()}
    assert rows
    assert load_demo() == first
    assert {i.pk: (i.rank, i.title, i.concerns_count) for i in HotIssue.objects.all()} == rows
