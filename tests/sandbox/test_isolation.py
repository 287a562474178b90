"""The sandbox and the product meet only over HTTP: neither imports the other."""

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "syncadmin"
SANDBOX_DIR = PACKAGE_DIR / "sandbox"


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of every module imported by `path`, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    package = parts[:-1]  # the package a relative import starts from, __init__ or not
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_sandbox_imports_nothing_from_the_product() -> None:
    offenders = {
        f"{path.relative_to(PACKAGE_DIR.parent)}: {name}"
        for path in SANDBOX_DIR.rglob("*.py")
        for name in _imported_modules(path)
        if _is_under(name, "syncadmin")
        and not _is_under(name, "syncadmin.sandbox")
        and name != "syncadmin"
    }
    assert not offenders, sorted(offenders)


def test_product_never_imports_the_sandbox() -> None:
    offenders = {
        f"{path.relative_to(PACKAGE_DIR.parent)}: {name}"
        for path in PACKAGE_DIR.rglob("*.py")
        if SANDBOX_DIR not in path.parents
        for name in _imported_modules(path)
        if _is_under(name, "syncadmin.sandbox")
    }
    assert not offenders, sorted(offenders)


def test_import_resolution_catches_relative_escapes() -> None:
    # `from ... import x` inside syncadmin/sandbox/views/ climbs to syncadmin: must be seen
    path = SANDBOX_DIR / "views" / "control.py"
    names = _imported_modules(path)
    assert "syncadmin.sandbox" in names  # `from .. import baseline, …`
