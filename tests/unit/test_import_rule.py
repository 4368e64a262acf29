"""No service imports another: each of intake, verification, extraction, aggregation and gateway
imports only itself, services.common and libraries; what two services share (the command
bodies, the event contracts, constants such as the camera import job prefix) lives in
services/common, which imports no service. The dashboards-as-code (deploy/grafana) import no
service either, only services.common.

Rule for services/devstack: it is the launcher and the demo data's generator, not a service,
so it may import any service's modules (today services.__main__.SERVICES, and verification's
pure clocks and legal, to date the demo's legal steps within the legal clock); it starts the
services as processes (`python -m services <name>`), never imports their apps. No service and
not services/common may import devstack.

Imports are read with `ast`: `import services.b`, `from services.b... import`, `from services
import b`, relative imports that climb out of the package (`from ..b import x`), and
`importlib.import_module("services.b...")` with a literal name; at module level or inside
functions alike."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "verification", "extraction", "aggregation", "gateway")
NOT_COMMON = (*SERVICES, "devstack")  # every package of services/ but common


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _package(path: Path) -> list[str]:
    """`services/gateway/api.py` → ["services", "gateway"]; `__init__.py` is its own package."""
    return list(path.relative_to(ROOT).parent.parts)


def imported(path: Path, source: str | None = None) -> list[tuple[ast.AST, list[str]]]:
    """Each import of the module with the dotted names it reaches; `from m import a, b` reaches
    m, m.a and m.b, so `from services import gateway` is seen as services.gateway."""
    found = []
    source = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            found.append((node, [alias.name for alias in node.names]))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package(path)
                base = package[:len(package) - (node.level - 1)] if node.level - 1 <= len(package) else []
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node, [module, *(f"{module}.{alias.name}" for alias in node.names)]))
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"):
            found.append((node, [node.args[0].value]))
    return found


def offending(paths: list[Path], forbidden: tuple[str, ...], source: str | None = None) -> list[str]:
    """`path:line: the import statement` for each import that reaches a forbidden package."""
    bad = []
    for path in paths:
        for node, names in imported(path, source):
            if any(len(parts) >= 2 and parts[0] == "services" and parts[1] in forbidden
                   for parts in (name.split(".") for name in names)):
                bad.append((path.relative_to(ROOT), node.lineno, ast.unparse(node)))
    return [f"{path}:{line}: {statement}" for path, line, statement in sorted(bad)]


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service):
    others = tuple(name for name in NOT_COMMON if name != service)
    modules = _modules(ROOT / "services" / service)
    assert modules, service
    bad = offending(modules, others)
    assert not bad, "a service imports another (move what they share to services/common):\n" + "\n".join(bad)


def test_common_imports_no_service():
    bad = offending(_modules(ROOT / "services" / "common"), NOT_COMMON)
    assert not bad, "services/common imports a service:\n" + "\n".join(bad)


def test_the_dashboards_import_no_service():
    paths = [ROOT / "deploy" / "grafana" / "dashboards.py", *_modules(ROOT / "deploy")]
    bad = offending(sorted(set(paths)), NOT_COMMON)
    assert not bad, "deploy/ imports a service (its constants belong in services/common):\n" + "\n".join(bad)


def test_the_rule_sees_every_kind_of_import():
    """The reader itself: each form of a forbidden import is caught, a package's own and the
    common ones are not."""
    module = ROOT / "services" / "gateway" / "probe.py"  # never written: its source is given
    source = "\n".join([
        "import services.intake.domain", "from services.verification import cases",
        "from services import extraction", "from ..aggregation.facts import x", "from .. import intake",
        "import importlib", "importlib.import_module('services.intake.app')",
        "def f():", "    from services.verification.legal import LegalStep",
        "from services.common import commands", "from . import forward", "from .bodies import json_body",
        "from services.gateway import api"])
    bad = offending([module], tuple(n for n in NOT_COMMON if n != "gateway"), source)
    assert [b.split(": ", 1)[1] for b in bad] == [
        "import services.intake.domain", "from services.verification import cases", "from services import extraction",
        "from ..aggregation.facts import x", "from .. import intake", "importlib.import_module('services.intake.app')",
        "from services.verification.legal import LegalStep"]
