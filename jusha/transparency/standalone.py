"""The offline verifier as one file a donor downloads (/log/jusha-verify.py): the pure
modules it uses (note, bundle, merkle, leaves, verify) joined in order, their imports of
each other removed, standard-library and `cryptography` imports gathered at the top.

    python -m jusha.transparency.standalone > jusha/transparency/jusha_verify.py

regenerates the committed file after a change to any of them; a test holds the committed
file equal to a fresh build, and docs/transparency.md's SHA-256 equal to the file's, so
the checksum donors compare against is the one of the file the site serves."""

from __future__ import annotations

import ast
import hashlib
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = ("note", "bundle", "merkle", "leaves", "verify")
BUILT = HERE / "jusha_verify.py"
# verify.py names two modules' functions through the module (leaves.parse, merkle.verify_inclusion).
QUALIFIED = re.compile(r"\b(?:leaves|merkle)\.(?=[A-Za-z_])")


def build() -> str:
    imports: set[str] = set()
    names_from: dict[str, set[str]] = {}
    bodies = []
    doc = ""
    for name in MODULES:
        source = (HERE / f"{name}.py").read_text(encoding="utf-8")
        tree = ast.parse(source)
        lines = source.splitlines()
        drop: set[int] = set()
        first = tree.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            drop.update(range(first.lineno - 1, first.end_lineno))
            summary = first.value.value.strip().splitlines()[0]
            if name == "verify":
                doc = first.value.value.strip()
        else:
            summary = ""
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                drop.update(range(node.lineno - 1, node.end_lineno))
                text = ast.get_source_segment(source, node)
                module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                if module and (module == "__future__" or module.startswith("jusha")):
                    continue
                if isinstance(node, ast.ImportFrom):
                    names_from.setdefault(module, set()).update(alias.name for alias in node.names)
                else:
                    imports.add(text)
        body = "\n".join(line for i, line in enumerate(lines) if i not in drop).strip("\n")
        if name == "verify":
            body = QUALIFIED.sub("", body)
        bodies.append(f"# --- {name}.py: {summary}\n\n{body}\n")
    imports.update(f"from {module} import {', '.join(sorted(names))}" for module, names in names_from.items())
    header = (
        "#!/usr/bin/env python3\n"
        f'"""{doc}\n\n'
        "Jusha's offline verifier in one file: Python 3 (tested with 3.11) and the `cryptography` package\n"
        "(pip install cryptography). Built from jusha/transparency/{" + ",".join(MODULES) + "}.py\n"
        "by jusha/transparency/standalone.py; its SHA-256 is published in docs/transparency.md.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        + "\n".join(sorted(imports, key=lambda s: (s.startswith("from"), s.lower()))) + "\n\n"
    )
    return header + "\n\n".join(bodies)


def sha256() -> str:
    return hashlib.sha256(BUILT.read_bytes()).hexdigest()


if __name__ == "__main__":
    import sys

    sys.stdout.write(build())
