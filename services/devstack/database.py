"""The embedded MongoDB-wire database for dev and tests: SecantusDB as its own process.
Only this launcher knows it; the services speak pymongo to whatever MONGO_URI names."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from .processes import Child


def _ping(uri: str) -> bool:
    client = MongoClient(uri, serverSelectionTimeoutMS=500)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


class EmbeddedDatabase:
    def __init__(self, data_dir: Path, port: int):
        self.data_dir, self.port = data_dir, port
        self.child: Child | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60) -> None:
        server = shutil.which("secantusd-py", path=str(Path(sys.executable).parent)) or shutil.which("secantusd-py")
        if server is None:
            raise RuntimeError("secantusd-py not found: install the dev dependencies (`make venv`)")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.child = Child("database", [server, "--host", "127.0.0.1", "--port", str(self.port),
                                        "--storage-path", str(self.data_dir / "data"), "--log-level", "WARNING"],
                           self.data_dir / "database.log")
        self.child.start()
        self.child.wait_until(lambda: _ping(self.uri), timeout_s, "accepting connections")

    def stop(self) -> None:
        if self.child:
            self.child.stop()

    def kill(self) -> None:
        if self.child:
            self.child.kill()
