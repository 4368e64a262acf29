"""Prometheus for dev and tests: Debian's binary (`make tools` unpacks it into
.cache/prometheus without installing a system service), scraping every service of the stack
with the alert rules of deploy/prometheus/rules."""
from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import yaml

from .processes import Child

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".cache" / "prometheus" / "usr" / "bin"
RULES = ROOT / "deploy" / "prometheus" / "rules"
HOW_TO_GET = "run `make tools` (it unpacks Debian's prometheus package into .cache/prometheus)"


def tool(name: str) -> Path | None:
    """`prometheus` or `promtool`: the unpacked one, else one on PATH, else None."""
    local = BIN / name
    if local.is_file():
        return local
    found = shutil.which(name)
    return Path(found) if found else None


def require(name: str) -> Path:
    path = tool(name)
    if path is None:
        raise RuntimeError(f"{name} not found: {HOW_TO_GET}")
    return path


def config(targets: dict[str, list[str]], scrape_interval: str) -> str:
    """One job per service, named after it (dashboards and rules select on `job`), its
    replicas the job's targets."""
    return yaml.safe_dump({
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval},
        "rule_files": [str(RULES / "*.yml")],
        "scrape_configs": [{"job_name": name, "static_configs": [{"targets": addresses}]}
                           for name, addresses in targets.items()],
    }, sort_keys=False)


class Prometheus:
    def __init__(self, data_dir: Path, port: int, targets: dict[str, list[str]], scrape_interval: str = "5s"):
        self.data_dir, self.port = data_dir, port
        self.targets, self.scrape_interval = targets, scrape_interval
        self.child: Child | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60) -> None:
        binary = require("prometheus")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config_file = self.data_dir / "prometheus.yml"
        config_file.write_text(config(self.targets, self.scrape_interval))
        self.child = Child("prometheus", [
            str(binary), f"--config.file={config_file}", f"--storage.tsdb.path={self.data_dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            self.data_dir / "prometheus.log")
        self.child.start()
        self.child.wait_until(self._ready, timeout_s, "ready")

    def _ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        if self.child:
            self.child.stop()
