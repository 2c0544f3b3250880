"""A Sankey diagram laid out for server-side SVG. Pure: nodes in columns, links with values
(integers, minor units); band widths proportional to value."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Node:
    key: tuple
    label: str
    column: int
    value: int = 0
    x: float = 0
    y: float = 0
    height: float = 0
    links_in: list = field(default_factory=list)
    links_out: list = field(default_factory=list)

    @property
    def label_y(self) -> float:
        return round(self.y + self.height / 2, 1)


@dataclass
class Link:
    source: Node
    target: Node
    value: int
    width: float = 0
    y0: float = 0
    path: str = ""


@dataclass
class Layout:
    nodes: list[Node]
    links: list[Link]
    width: int
    height: int
    columns: int
    node_width: int


def layout(nodes: list[tuple[tuple, str, int]], links: list[tuple[tuple, tuple, int]], *, width: int = 960,
           node_width: int = 12, gap: int = 12, min_height: int = 240, row: int = 30,
           left: int = 150, right: int = 270) -> Layout:
    """`nodes` are (key, label, column); `links` (source key, target key, value > 0).
    Nodes keep the given order within their column; each node's bands are stacked in the
    order of the nodes at their other ends, so they do not cross at the node. `left` and
    `right` leave room for the first column's labels (before its nodes) and the last's."""
    by_key = {key: Node(key, label, column) for key, label, column in nodes}
    made = []
    for source, target, value in links:
        if value > 0:
            link = Link(by_key[source], by_key[target], value)
            link.source.links_out.append(link)
            link.target.links_in.append(link)
            made.append(link)
    shown = [n for n in by_key.values() if n.links_in or n.links_out]
    for node in shown:
        node.value = max(sum(x.value for x in node.links_in), sum(x.value for x in node.links_out))
    columns: dict[int, list[Node]] = defaultdict(list)
    for node in shown:
        columns[node.column].append(node)
    count = max(columns) + 1 if columns else 1
    height = max(min_height, row * max((len(c) for c in columns.values()), default=1))
    scale = min(((height - gap * (len(c) - 1)) / sum(n.value for n in c) for c in columns.values() if c), default=1)
    step = (width - left - right - node_width) / max(count - 1, 1)
    for column, members in columns.items():
        y = 0.0
        for node in members:
            node.x, node.y, node.height = round(left + column * step, 1), round(y, 1), max(1.0, round(node.value * scale, 1))
            y += node.height + gap
    for node in shown:
        node.links_out.sort(key=lambda link: link.target.y)
        node.links_in.sort(key=lambda link: link.source.y)
        offset = 0.0
        for link in node.links_out:
            link.width = max(1.0, round(link.value * scale, 1))
            link.y0 = node.y + offset + link.width / 2
            offset += link.value * scale
    for node in shown:
        offset = 0.0
        for link in node.links_in:
            y1 = node.y + offset + link.width / 2
            offset += link.value * scale
            x0, x1 = link.source.x + node_width, node.x
            mid = (x0 + x1) / 2
            link.path = f"M{x0:.1f},{link.y0:.1f} C{mid:.1f},{link.y0:.1f} {mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
    return Layout(shown, made, width, int(height), count, node_width)
