"""Hot issues of the demo subdistrict (`gongzhi demo load` calls `load_demo`).

The demo's concerns come from `gongzhi.concerns.demo` (real citizen messages placed in the demo
town); this groups them. Safe to run again: recomputing the same concerns changes nothing.
"""

import importlib

from gongzhi.insights import services
from gongzhi.org.demo.generator import SUBDISTRICT_CODE
from gongzhi.org.models import Subdistrict


def load_demo() -> str:
    subdistrict = Subdistrict.objects.filter(code=SUBDISTRICT_CODE).first()
    if subdistrict is None:
        return "insights: no demo subdistrict (run `gongzhi demo load` first)"
    try:  # the concerns must be there first; their loader does nothing when already loaded
        concerns_demo = importlib.import_module("gongzhi.concerns.demo")
    except ModuleNotFoundError:
        concerns_demo = None
    if concerns_demo is not None and hasattr(concerns_demo, "load_demo"):
        concerns_demo.load_demo()
    result = services.refresh_hot_issues(subdistrict)
    current = subdistrict.hot_issues.filter(current=True)
    top = current.filter(neighborhood=None).order_by("rank").first()
    return f"insights: {current.count()} hot issues in {subdistrict.name} from {result.concerns} concerns" + (
        f"; hottest: {top.title}" if top else ""
    )
