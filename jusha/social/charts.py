"""Geometry of the server-drawn pictures: the relay tree and bar charts. Pure: numbers in,
shapes out; the templates turn shapes into SVG (with a table beside every chart)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    lit: bool
    mine: bool
    active: bool
    root: bool


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class TreePicture:
    width: int
    height: int
    dots: list[Dot]
    edges: list[Edge]
    generations: int

    @property
    def scale(self) -> float:
        """Small trees are shown larger (up to twice), large ones at their own size."""
        return min(2.0, max(1.0, 480 / self.width))

    @property
    def display_width(self) -> int:
        return round(self.width * self.scale)

    @property
    def display_height(self) -> int:
        return round(self.height * self.scale)


def tree_layout(nodes: list[dict], *, mine=None, column: int = 44, row: int = 16, pad: int = 14) -> TreePicture:
    """Lay out a forest left to right: one column per generation, one row per leaf, each
    parent centred on its children. `nodes`: dicts with pk, parent_id, lit_at, state;
    a node whose parent is not among them is drawn as a root."""
    by_pk = {n["pk"]: n for n in nodes}
    children: dict[object, list] = {}
    roots = []
    for n in sorted(nodes, key=lambda n: n["pk"]):
        if n["parent_id"] in by_pk:
            children.setdefault(n["parent_id"], []).append(n["pk"])
        else:
            roots.append(n["pk"])
    place: dict[object, tuple[int, float]] = {}
    next_row = 0
    for root in roots:
        # Iterative post-order: a leaf takes the next row, a parent the middle of its children.
        stack = [(root, 0, False)]
        while stack:
            pk, level, done = stack.pop()
            kids = children.get(pk, [])
            if done or not kids:
                if kids:
                    ys = [place[k][1] for k in kids]
                    place[pk] = (level, (ys[0] + ys[-1]) / 2)
                else:
                    place[pk] = (level, float(next_row))
                    next_row += 1
                continue
            stack.append((pk, level, True))
            stack.extend((k, level + 1, False) for k in reversed(kids))
    generations = 1 + max((level for level, _y in place.values()), default=-1)

    def xy(pk):
        level, y = place[pk]
        return pad + level * column, pad + y * row

    dots, edges = [], []
    for pk, n in by_pk.items():
        x, y = xy(pk)
        if n["parent_id"] in by_pk:
            px, py = xy(n["parent_id"])
            edges.append(Edge(px, py, x, y))
        dots.append(Dot(x, y, n["lit_at"] is not None, pk == mine, n["state"] == "active", n["parent_id"] not in by_pk))
    width = 2 * pad + max(generations - 1, 0) * column
    height = 2 * pad + max(next_row - 1, 0) * row
    return TreePicture(
        width=max(width, 2 * pad), height=max(height, 2 * pad), dots=dots, edges=edges, generations=generations
    )


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    x: float
    y: float
    width: float
    height: float

    @property
    def baseline(self) -> float:
        return self.y + self.height * 0.75

    @property
    def text_x(self) -> float:
        return self.x + self.width + 6


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_x: int
    bars: list[Bar]


def bar_chart(items: list[tuple[str, float, str]], *, width: int = 420, label_width: int = 90,
              bar_height: int = 18, gap: int = 6) -> BarChart:
    """Horizontal bars: items are (label, value, text shown beside the bar); bars are
    scaled to the largest value (a hidden figure is passed as 0, with its text)."""
    top = max((value for _label, value, _text in items), default=0) or 1
    room = width - label_width - 80
    bars = [
        Bar(label=label, text=text, x=label_width, y=i * (bar_height + gap), height=bar_height,
            width=round(max(room * value / top, 1 if value else 0), 1))
        for i, (label, value, text) in enumerate(items)
    ]
    height = max(len(items) * (bar_height + gap) - gap, bar_height)
    return BarChart(width=width, height=height, label_x=label_width - 6, bars=bars)
