import pytest

from gongzhi.workforce.testing import build_crew


@pytest.fixture
def crew(world):
    return build_crew(world)
