"""Dependencies point one way: the layer table of core/layers.py holds for the whole source tree.

One case per app, so a wrong arrow names the app whose file holds it. The synthetic trees at the
end prove that the check itself catches what it should.
"""

from pathlib import Path

import pytest

from gongzhi.core import layers

ROOT = Path(__file__).resolve().parents[3]
APPS = [app for apps in layers.LAYERS for app in apps if (ROOT / "gongzhi" / app).is_dir()]


@pytest.fixture(scope="module")
def tree() -> layers.Tree:
    return layers.collect(ROOT, "gongzhi")


def test_every_app_of_the_source_tree_has_a_layer(tree):
    apps = {tree.app_of(name) for name in tree.files if tree.kind_of(name) == layers.RUNTIME}
    assert {app for app in apps if layers.layer_of(app) is None} == set()


@pytest.mark.parametrize("app", [*APPS, layers.PROJECT])
def test_an_app_imports_only_itself_and_the_apps_below_it(tree, app):
    found = [line for line in layers.wrong_arrows(tree) if tree.app_of(_source(line)) == app]
    assert found == [], "\n".join(found)


def test_no_modules_import_each_other_in_a_circle(tree):
    found = layers.cycles(tree.imports)
    assert found == [], "\n".join(found)


def test_the_check_sees_module_level_and_function_level_imports_of_the_source_tree(tree):
    targets = {(i.source, i.target, i.top_level) for i in tree.imports}
    assert ("gongzhi.urls", "gongzhi.workbench", True) in targets
    assert ("gongzhi.core.views", "gongzhi.core.selectors", True) in targets
    assert any(not top for source, _, top in targets if source.startswith("gongzhi.accounts."))


def _source(line: str) -> str:
    return line.split(": ", 1)[1].split(" imports ")[0]


# The check against itself: small trees in tmp_path.
LAYERS = [("core",), ("org",), ("grids",), ("gongzhi",)]


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for directory in [p for p in root.rglob("*") if p.is_dir()]:
        (directory / "__init__.py").touch()
    return root


def test_an_upward_import_is_caught_with_its_file_and_line(tmp_path):
    root = _write(
        tmp_path,
        {
            "gongzhi/grids/models.py": "X = 1\n",
            "gongzhi/org/selectors.py": "import os\n\nfrom gongzhi.grids.models import X\n",
        },
    )
    found = layers.check(root, layers=LAYERS)
    assert found == [
        "gongzhi/org/selectors.py:3: gongzhi.org.selectors imports gongzhi.grids.models "
        "(org may not import grids: it sits above)"
    ]


def test_an_import_hidden_in_a_function_is_still_an_arrow(tmp_path):
    root = _write(
        tmp_path,
        {
            "gongzhi/grids/models.py": "X = 1\n",
            "gongzhi/org/services.py": "def f():\n    from gongzhi.grids import models\n    return models.X\n",
        },
    )
    assert [line.split(": ")[0] for line in layers.check(root, layers=LAYERS)] == [
        "gongzhi/org/services.py:2"
    ]


def test_core_importing_any_app_is_caught(tmp_path):
    root = _write(
        tmp_path,
        {"gongzhi/org/roles.py": "R = 1\n", "gongzhi/core/permissions.py": "import gongzhi.org.roles\n"},
    )
    assert layers.check(root, layers=LAYERS) == [
        "gongzhi/core/permissions.py:1: gongzhi.core.permissions imports gongzhi.org.roles (core imports no app)"
    ]


def test_relative_imports_are_resolved(tmp_path):
    root = _write(
        tmp_path,
        {"gongzhi/grids/models.py": "X = 1\n", "gongzhi/org/views.py": "from ..grids.models import X\n"},
    )
    assert "gongzhi.org.views imports gongzhi.grids.models" in layers.check(root, layers=LAYERS)[0]


def test_a_cycle_between_modules_of_one_app_is_caught(tmp_path):
    root = _write(
        tmp_path,
        {
            "gongzhi/org/a.py": "from gongzhi.org import b\n",
            "gongzhi/org/b.py": "from . import c\n",
            "gongzhi/org/c.py": "import gongzhi.org.a\n",
        },
    )
    (found,) = layers.check(root, layers=LAYERS)
    assert found.startswith("cycle between gongzhi.org.a, gongzhi.org.b, gongzhi.org.c")
    assert "gongzhi/org/c.py:1: gongzhi.org.c imports gongzhi.org.a" in found


def test_an_import_inside_a_function_makes_no_cycle(tmp_path):
    root = _write(
        tmp_path,
        {
            "gongzhi/org/a.py": "from gongzhi.org import b\n",
            "gongzhi/org/b.py": "def f():\n    from gongzhi.org import a\n",
        },
    )
    assert layers.check(root, layers=LAYERS) == []


def test_tests_and_demo_data_may_use_any_app_but_runtime_code_may_not_import_them(tmp_path):
    root = _write(
        tmp_path,
        {
            "gongzhi/grids/models.py": "X = 1\n",
            "gongzhi/grids/testing.py": "X = 1\n",
            "gongzhi/core/tests/test_x.py": "from gongzhi.grids.models import X\n",
            "gongzhi/org/demo/loader.py": "from gongzhi.grids.models import X\n",
            "gongzhi/grids/views.py": "from gongzhi.grids.testing import X\n",
        },
    )
    assert layers.check(root, layers=LAYERS) == [
        "gongzhi/grids/views.py:1: gongzhi.grids.views imports gongzhi.grids.testing "
        "(runtime code imports support code)"
    ]


def test_apps_of_one_layer_may_not_import_each_other(tmp_path):
    root = _write(
        tmp_path,
        {
            "gongzhi/surveys/models.py": "X = 1\n",
            "gongzhi/projects/models.py": "import gongzhi.surveys.models\n",
        },
    )
    shared = [("core",), ("projects", "surveys")]
    (found,) = layers.check(root, layers=shared)
    assert found.endswith("(projects may not import surveys: same layer)")


def test_property_sits_below_workforce(tmp_path):
    """Workforce reads the red-property score of a secretary's neighborhood; property never reads workforce."""
    root = _write(
        tmp_path,
        {
            "gongzhi/workforce/selectors.py": "import gongzhi.property.selectors\n",
            "gongzhi/property/models.py": "import gongzhi.workforce.models\n",
        },
    )
    (found,) = layers.check(root)
    assert found.endswith("(property may not import workforce: it sits above)")
