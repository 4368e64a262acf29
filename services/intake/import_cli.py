"""Import a CSV or XLSX file of tips through the gateway, with a progress bar:

    python -m services.intake.import_cli FILE --gateway URL --user U --password P [--receipts OUT.csv]

Uploads the file, polls `GET /imports/{job_id}` until the job ends, prints the bad rows, and
with `--receipts` saves the receipt codes (they can be downloaded once). Exit status 0 if every
row went in, 1 if some rows were refused or the job failed, 2 if the upload was refused."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

BAR = 40


def bar(job: dict) -> str:
    total, seen = job.get("total"), job["done"] + job["failed"]
    share = min(1.0, seen / total) if total else 0.0
    filled = int(share * BAR)
    return (f"\r[{'#' * filled}{'.' * (BAR - filled)}] {seen}/{total if total is not None else '?'} "
            f"rows, {job['done']} in, {job['failed']} refused ({job['status']})")


def run(args: argparse.Namespace, out=sys.stdout) -> int:
    with httpx.Client(base_url=args.gateway, timeout=120) as client:
        r = client.post("/api/v1/auth/token", data={"username": args.user, "password": args.password})
        if r.status_code != 200:
            print(f"login refused: {r.text}", file=sys.stderr)
            return 2
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        path = Path(args.file)
        with path.open("rb") as handle:
            r = client.post("/api/v1/tips/import", files={"file": (path.name, handle)})
        if r.status_code != 202:
            print(f"upload refused ({r.status_code}): {r.text}", file=sys.stderr)
            return 2
        job_id = r.json()["job_id"]
        print(f"job {job_id}", file=out)
        while True:
            job = client.get(f"/api/v1/imports/{job_id}").json()
            print(bar(job), end="", file=out, flush=True)
            if job["status"] in ("done", "failed"):
                break
            time.sleep(args.poll)
        print(file=out)
        if job.get("already_imported"):
            print(f"{job['already_imported']} row(s) were imported before", file=out)
        for e in job["errors"][:args.show_errors]:
            print(f"row {e['row']}: {e['field']}: {e['reason']}", file=out)
        if job["errors_total"] > args.show_errors:
            print(f"... {job['errors_total'] - args.show_errors} more error(s)", file=out)
        if job["status"] == "failed":
            print(f"the import failed: {job.get('reason')}", file=sys.stderr)
        if args.receipts:
            with client.stream("GET", f"/api/v1/imports/{job_id}/receipts") as r:
                if r.status_code != 200:
                    print(f"receipts not saved ({r.status_code}): {r.read().decode()}", file=sys.stderr)
                    return 1
                with open(args.receipts, "wb") as target:
                    for chunk in r.iter_bytes():
                        target.write(chunk)
            print(f"receipt codes saved to {args.receipts}", file=out)
        return 0 if job["status"] == "done" and job["failed"] == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.intake.import_cli", description=__doc__.split("\n")[0])
    parser.add_argument("file", help="CSV (UTF-8) or XLSX; first row: the column names")
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--receipts", help="save row,tip_id,receipt_code to this CSV file (once per job)")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between progress checks")
    parser.add_argument("--show-errors", type=int, default=20, help="bad rows to print")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
