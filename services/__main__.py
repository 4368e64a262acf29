"""`python -m services <name>`: run one service (intake, verification, extraction,
aggregation, gateway) with uvicorn on its port from the settings."""
from __future__ import annotations

import argparse
import importlib

import uvicorn

from services.common.settings import ServiceSettings

SERVICES = ("intake", "verification", "extraction", "aggregation", "gateway")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services")
    parser.add_argument("service", choices=SERVICES)
    args = parser.parse_args()
    settings = ServiceSettings()
    module = importlib.import_module(f"services.{args.service}.app")
    uvicorn.run(module.create_app(), host=settings.host, port=settings.port_of(args.service),
                log_config=None, access_log=False, timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
