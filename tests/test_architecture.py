"""The import direction of docs/architecture.md holds, and only kiji/lib/env.py reads the environment.

Both are read from the source with ast, so a lazy import inside a function counts as much as one
at the top of a module.
"""

import ast
import re
from pathlib import Path

KIJI = Path(__file__).resolve().parents[1] / "kiji"

# What each part of kiji may import (besides itself, Django, the standard library and PyPI packages).
# Keep in step with the table in docs/architecture.md.
ALLOWED = {
    "lib": set(),
    "newsroom": {"lib"},
    "search": {"lib", "newsroom"},
    "comments": {"lib", "newsroom"},
    "audience": {"lib", "newsroom", "search"},
    "distribution": {"lib", "newsroom", "search", "audience"},
    "pages": {"lib", "newsroom"},
    "redirects": {"lib", "newsroom"},
    "reader": {"lib", "newsroom", "search", "comments", "audience", "distribution", "pages"},
    "newsletters": {"lib", "newsroom", "search", "comments", "audience"},
    "api": {"lib", "newsroom", "search", "comments", "audience", "distribution", "reader", "pages"},
    "wxr": {"lib", "newsroom", "comments", "audience", "pages", "redirects"},
    "ops": {
        "lib",
        "newsroom",
        "search",
        "comments",
        "audience",
        "distribution",
        "newsletters",
        "reader",
        "api",
        "pages",
        "redirects",
        "wxr",
    },
    "settings": {"lib"},
    "testing": {"lib", "newsroom"},
    "cli": set(),
    "urls": {
        "lib",
        "newsroom",
        "search",
        "comments",
        "audience",
        "distribution",
        "newsletters",
        "reader",
        "api",
        "ops",
        "pages",
        "redirects",
        "wxr",
    },
}

# os.environ outside kiji/lib/env.py, each for a reason that is not reading a setting.
ENVIRON_ALLOWED = {
    "cli.py": "names the settings module before Django starts",
    "ops/wsgi.py": "names the settings module before Django starts",
    "ops/backup.py": "hands the environment on to pg_dump/pg_restore",
}


def sources():
    for path in sorted(KIJI.rglob("*.py")):
        relative = path.relative_to(KIJI)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def part_of(relative: Path) -> str:
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def kiji_imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] if node.module == "kiji" else [node.module]
        else:
            continue
        for name in names:
            if name.startswith("kiji."):
                yield node.lineno, name.split(".")[1]


def test_every_part_of_kiji_is_in_the_table():
    parts = {part_of(relative) for relative, _ in sources()} - {"__init__"}
    assert parts - set(ALLOWED) == set(), "add the new part to ALLOWED and to docs/architecture.md"


def test_imports_point_one_way():
    wrong = []
    for relative, tree in sources():
        part = part_of(relative)
        for line, target in kiji_imports(tree):
            if target != part and target not in ALLOWED.get(part, set()):
                wrong.append(f"kiji/{relative}:{line} imports kiji.{target}")
    assert wrong == []


def test_kiji_lib_imports_no_app():
    lib = [(relative, tree) for relative, tree in sources() if part_of(relative) == "lib"]
    assert lib, "kiji/lib has modules"
    assert [(str(r), t) for r, tree in lib for _, t in kiji_imports(tree) if t != "lib"] == []


def test_only_kiji_lib_env_reads_the_environment():
    readers = []
    for relative, tree in sources():
        for node in ast.walk(tree):
            reads = (
                isinstance(node, ast.Attribute)
                and node.attr in ("environ", "getenv", "environb")
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
            ) or (isinstance(node, ast.ImportFrom) and node.module == "os")
            if reads:
                readers.append(str(relative))
    found = set(readers) - {"lib/env.py"}
    assert found == set(ENVIRON_ALLOWED), f"read settings through kiji.lib.env in kiji/settings.py: {found}"


def test_the_architecture_document_names_every_part():
    text = (KIJI.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for part in ALLOWED:
        if part not in ("settings", "testing", "cli", "urls"):
            assert f"kiji/{part}" in text, part


def test_templates_render_the_side_lists_they_are_given():
    # Views gather the slots (kiji.reader.slots.for_article / for_home); a template calling a function
    # that queries hid a read (and once a write) inside rendering.
    templates = KIJI.parent / "jinja2"
    calls = [
        f"{path.relative_to(templates)}: {match}"
        for path in sorted(templates.rglob("*.html"))
        for match in re.findall(r"slots\.\w+\(", path.read_text(encoding="utf-8"))
    ]
    assert calls == []
