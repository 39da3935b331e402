"""Draw docs/architecture.svg: the layers of gongzhi/core/layers.py and the imports between apps.

    .venv/bin/python scripts/architecture_svg.py [OUT]

One row per layer, core at the bottom; a line from an app down to each app its runtime code imports
(read from the source tree with the same parser as core/tests/test_architecture.py); an import
against the layers, if any is left, is drawn red. Plain SVG,
no drawing library, so the picture can be regenerated anywhere.
"""

import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gongzhi.core import layers  # noqa: E402

BOX_W, BOX_H, GAP_X, ROW_H, MARGIN = 150, 34, 24, 64, 30
LABELS = {"gongzhi": "project: urls, api, cli, workbench"}


def app_edges(tree: layers.Tree) -> set[tuple[str, str]]:
    """(importer, imported) apps of every runtime import between two apps."""
    edges = set()
    for i in tree.imports:
        a, b = tree.app_of(i.source), tree.app_of(i.target)
        if a != b and tree.kind_of(i.source) == layers.RUNTIME:
            edges.add((a, b))
    return edges


def positions(rows: list[tuple[str, ...]]) -> tuple[dict[str, tuple[float, float]], int, int]:
    """Centre of each app's box; rows bottom-up as in LAYERS, so the top layer is drawn first."""
    widest = max(len(r) for r in rows)
    width = 2 * MARGIN + widest * BOX_W + (widest - 1) * GAP_X + 170 + 480
    height = 2 * MARGIN + len(rows) * ROW_H
    where = {}
    for level, apps in enumerate(rows):
        y = height - MARGIN - level * ROW_H - BOX_H / 2
        span = len(apps) * BOX_W + (len(apps) - 1) * GAP_X
        x0 = 170 + MARGIN + ((widest * BOX_W + (widest - 1) * GAP_X) - span) / 2
        for k, app in enumerate(apps):
            where[app] = (x0 + k * (BOX_W + GAP_X) + BOX_W / 2, y)
    return where, width, height


def _width(app: str) -> float:
    return max(BOX_W, 8 * len(LABELS.get(app, app)) + 16)


def svg(rows, edges) -> str:
    where, width, height = positions(rows)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
        '<defs><marker id="a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    for level in range(len(rows)):
        y = height - MARGIN - level * ROW_H - BOX_H / 2
        out.append(f'<text x="{MARGIN}" y="{y + 4}" fill="#666">layer {level}</text>')
    right = {app: x + _width(app) / 2 for app, (x, _y) in where.items()}
    for a, b in sorted(edges):
        if a in where and b in where:
            # An arc on the right of the column; longer arrows bulge further, so none hide another.
            (_x1, y1), (_x2, y2) = where[a], where[b]
            x1, x2 = right[a], right[b]
            bulge = max(x1, x2) + 18 * abs(y2 - y1) / ROW_H * 2.2
            wrong = layers.layer_of(a) <= layers.layer_of(b)  # against the layers: drawn red
            out.append(
                f'<path d="M{x1},{y1} C{bulge},{y1} {bulge},{y2} {x2 + 2},{y2}" fill="none" '
                f'stroke="{"#c0392b" if wrong else "#9aa"}" stroke-width="{2 if wrong else 1}" '
                'marker-end="url(#a)"/>'
            )
    for app, (x, y) in where.items():
        label, w = LABELS.get(app, app), _width(app)
        fill = "#e8f0fe" if app != "core" else "#fde8e8"
        out.append(
            f'<rect x="{x - w / 2}" y="{y - BOX_H / 2}" width="{w}" height="{BOX_H}" rx="6" '
            f'fill="{fill}" stroke="#4e79a7"/>'
        )
        out.append(f'<text x="{x}" y="{y + 4}" text-anchor="middle">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "architecture.svg"
    tree = layers.collect(ROOT, "gongzhi")
    out.write_text(svg(layers.LAYERS, app_edges(tree)), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv)
