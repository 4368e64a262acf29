"""The licence and what the image ships: the Dockerfile's installed set (read from the Dockerfile
and pyproject.toml, resolved through the installed packages' metadata) holds no dev extra, not
SecantusDB, nothing under the GPL; NOTICE lists exactly that set with each package's version
and licence (from its metadata) and every vendored browser library with its licence file.

To update NOTICE after a dependency change: run this test; its failure prints the lines."""
from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
VENDOR = ROOT / "services" / "gateway" / "web" / "static" / "vendor"
# Packages whose metadata names no SPDX licence: the one their classifiers and licence file give.
NOT_SPDX = {"aiohttp-cors": "Apache-2.0", "aiosignal": "Apache-2.0", "async-timeout": "Apache-2.0",
            "colorlog": "MIT", "croniter": "MIT", "faust-streaming": "BSD-3-Clause", "jinja2": "BSD-3-Clause",
            "mode-streaming": "BSD-3-Clause", "segno": "BSD-3-Clause", "sortedcontainers": "Apache-2.0",
            "terminaltables": "MIT", "venusian": "Repoze Public License (BSD-like)", "vietnamadminunits": "MIT"}


def key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_by_dockerfile() -> tuple[list[str], list[str]]:
    """The requirement lines the Dockerfile installs with their dependencies, and without."""
    text = (ROOT / "Dockerfile").read_text()
    installs = re.findall(r"pip install ([^\n\\&]+)", text)
    assert sorted(i.strip() for i in installs) == ["--no-deps -c requirements.lock -r /tmp/data.txt",
                                                   "-c requirements.lock -r /tmp/runtime.txt"], installs
    assert "['project']['dependencies']" in text and "['tool']['antt']['data-only']" in text
    assert "optional-dependencies" not in text and "[dev]" not in text
    data = set(PYPROJECT["tool"]["antt"]["data-only"])
    deps = PYPROJECT["project"]["dependencies"]
    return [d for d in deps if d.split("==")[0] not in data], [d for d in deps if d.split("==")[0] in data]


def image_packages() -> dict[str, metadata.Distribution]:
    """The image's Python packages: the Dockerfile's requirements and, for those installed with
    their dependencies, every dependency their metadata requires (extras included as asked)."""
    with_deps, without = installed_by_dockerfile()
    found: dict[str, metadata.Distribution] = {}
    extras_of: dict[str, set[str]] = {}
    todo = [(Requirement(r), True) for r in with_deps] + [(Requirement(r), False) for r in without]
    while todo:
        req, follow = todo.pop()
        name, extras = key(req.name), set(req.extras)
        if name in found and extras <= extras_of[name]:
            continue
        extras_of[name] = extras_of.get(name, set()) | extras
        found[name] = metadata.distribution(req.name)
        if not follow:
            continue
        for line in found[name].requires or []:
            dep = Requirement(line)
            if dep.marker is None or any(dep.marker.evaluate({"extra": e}) for e in extras_of[name] | {""}):
                todo.append((dep, True))
    return found


SPDX = re.compile(r"[A-Za-z0-9.+-]+( (AND|OR) [A-Za-z0-9.+-]+)*")


def licence(dist: metadata.Distribution) -> str | None:
    """The SPDX expression of its metadata (`License-Expression`, or an SPDX `License`)."""
    stated = dist.metadata["License-Expression"] or dist.metadata["License"] or ""
    return NOT_SPDX.get(key(dist.metadata["Name"])) or (stated if SPDX.fullmatch(stated) else None)


def notice_lines(packages: dict[str, metadata.Distribution]) -> list[str]:
    return [f"- {d.metadata['Name']} {d.version}: {licence(d)}" for _, d in sorted(packages.items())]


def test_the_image_holds_no_dev_extra_no_secantusdb_and_nothing_under_the_gpl():
    packages = image_packages()
    dev = {key(Requirement(r).name) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]}
    assert "secantusdb" in dev and not dev & set(packages)
    assert {"fastapi", "aiokafka", "faust-streaming", "vietnamadminunits", "pymongo"} <= set(packages)
    assert not {"unidecode", "shapely", "numpy", "geopy"} & set(packages)  # vietnamadminunits' code only
    for name, dist in packages.items():
        stated = f"{dist.metadata.get('License-Expression', '')} {dist.metadata.get('License', '')[:200]} " + \
                 " ".join(dist.metadata.get_all("Classifier") or [])
        assert "GPL" not in stated.replace("LGPL", ""), name
        assert licence(dist), f"{name}: no licence in its metadata; add it to NOT_SPDX"


def test_notice_lists_what_the_image_ships():
    notice = (ROOT / "NOTICE").read_text()
    listed = [line for line in notice.splitlines() if re.match(r"- \S+ \d\S*: ", line)]
    expected = notice_lines(image_packages())
    assert listed == expected, "NOTICE's package list should read:\n" + "\n".join(expected)
    for folder in sorted(p for p in VENDOR.iterdir() if p.is_dir()):
        assert (folder / "LICENSE").is_file(), folder.name
        assert f"vendor/{folder.name}/LICENSE" in notice, folder.name
    assert "Apache License" in (ROOT / "LICENSE").read_text()[:200]
    assert "Version 2.0, January 2004" in (ROOT / "LICENSE").read_text()[:200]


def test_the_units_are_read_without_importing_vietnamadminunits_code():
    import subprocess
    import sys
    code = ("import sys; from services.common import units; units.all_units(); units.units_2025(); "
            "print(sorted(m for m in ('vietnamadminunits', 'unidecode', 'shapely', 'geopy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
