"""Escaping is on wherever output can be read as markup: only plain-text e-mail templates
turn autoescaping off, and no template marks a value safe."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_FILES = sorted(
    path
    for folder in [ROOT / "templates", *(ROOT / "jusha").glob("*/templates")]
    for path in folder.rglob("*")
    if path.is_file() and path.suffix in {".html", ".txt", ".svg", ".xml", ".csv", ".json"}
)


def is_email(path: Path) -> bool:
    """An e-mail template: in an `email/` folder, or named email_*, *_email."""
    return path.parent.name == "email" or bool(re.match(r"email_|.*_email\.", path.name))


def is_plain_text_email(path: Path) -> bool:
    return path.suffix == ".txt" and is_email(path) and "subject" not in path.name


def test_only_plain_text_email_bodies_turn_autoescaping_off():
    assert TEMPLATE_FILES, "no templates found"
    off = [p.relative_to(ROOT) for p in TEMPLATE_FILES if "autoescape off" in p.read_text()]
    assert all(is_plain_text_email(ROOT / p) for p in off), off
    emails = [p for p in TEMPLATE_FILES if is_email(p) and p.suffix != ".txt"]
    assert emails == [], "e-mail templates are plain text (.txt): an HTML e-mail needs escaping on"


def test_plain_text_email_bodies_are_unescaped_from_start_to_end():
    """Autoescaping in a plain-text e-mail would show &lt;b&gt; and &amp; to the reader."""
    bodies = [p for p in TEMPLATE_FILES if is_plain_text_email(p)]
    assert len(bodies) >= 7
    for path in bodies:
        text = path.read_text()
        body = re.sub(r"^\{% load [^%]+%\}", "", text)
        assert body.startswith("{% autoescape off %}"), path
        assert body.rstrip().endswith("{% endautoescape %}"), path


def test_no_template_marks_a_value_safe():
    marked = [p.relative_to(ROOT) for p in TEMPLATE_FILES if re.search(r"\|\s*safe\b|\|\s*safeseq\b", p.read_text())]
    assert marked == []
