"""One way to load things: views and APIs load objects on a user's behalf only through an
app's `permissions.access_*` helpers (or selectors), never with `.objects.` or
`get_object_or_404` by hand (docs: /work/shared/DESIGN.md, "Code shape")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUSHA = ROOT / "jusha"
LOADING_BY_HAND = re.compile(r"\.objects\.|\bget_object_or_404\b|\bget_list_or_404\b")

# Files that still load by hand. Each is being moved in this change; the list only shrinks.
ALLOWED = {
    "jusha/projects/api.py",  # being moved in this change
    "jusha/bench/views.py",  # being moved in this change
}


def edge_modules() -> list[Path]:
    """Every app's views and API modules (views.py, *_views.py, api.py)."""
    found = {*JUSHA.glob("*/views.py"), *JUSHA.glob("*/*_views.py"), *JUSHA.glob("*/api.py")}
    return sorted(found)


def hand_loads(text: str) -> list[tuple[int, str]]:
    """(line number, line) of each line that loads by hand, comments left out."""
    lines = enumerate(text.splitlines(), 1)
    return [(n, line.strip()) for n, line in lines if LOADING_BY_HAND.search(line.split("#", 1)[0])]


def offences(path: Path) -> list[str]:
    where = path.relative_to(ROOT).as_posix()
    return [f"{where}:{n}: {line}" for n, line in hand_loads(path.read_text(encoding="utf-8"))]


def test_views_and_apis_load_through_permissions():
    found = [o for path in edge_modules() if path.relative_to(ROOT).as_posix() not in ALLOWED for o in offences(path)]
    assert not found, "Load through permissions.access_* (or a selector) instead:\n" + "\n".join(found)


def test_the_allow_list_holds_only_files_that_still_need_it():
    clean = sorted(name for name in ALLOWED if not (ROOT / name).exists() or not offences(ROOT / name))
    assert not clean, f"These no longer load by hand: remove them from ALLOWED: {clean}"


def test_the_scan_finds_loading_by_hand():
    sample = "\n".join([
        "x = Project.objects.get(pk=1)",
        "y = get_object_or_404(Project, pk=1)",
        "# Project.objects.all()",
        "z = access_project()",
    ])
    assert [n for n, _line in hand_loads(sample)] == [1, 2]
    modules = edge_modules()
    assert ROOT / "jusha/giving/views.py" in modules and ROOT / "jusha/giving/api.py" in modules
    assert ROOT / "jusha/giving/transparency_views.py" in modules
