"""`python -m services.extraction.verify manifest.json [files...] [--public-key BASE64]`:
checks a footage manifest offline (signature, custody chain, each file's SHA-256) and prints
exactly what does not match. Exit code 0 if everything holds, 1 if not, 2 on unreadable input."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

from .chain import manifest_problems


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def file_problems(manifest: dict, paths: list[Path]) -> list[str]:
    """Each given file must be listed (by name) with the same size and SHA-256."""
    listed = {f.get("name"): f for f in manifest.get("files", [])}
    problems = []
    for path in paths:
        entry = listed.get(path.name)
        if entry is None:
            problems.append(f"file {path.name}: not listed in the manifest")
            continue
        size, actual = path.stat().st_size, file_sha256(path)
        if size != entry.get("size"):
            problems.append(f"file {path.name}: size is {size} bytes, the manifest says {entry.get('size')}")
        if actual != entry.get("sha256"):
            problems.append(f"file {path.name}: sha256 is {actual}, the manifest says {entry.get('sha256')}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.extraction.verify", description=__doc__)
    parser.add_argument("manifest", type=Path)
    parser.add_argument("files", type=Path, nargs="*")
    parser.add_argument("--public-key", default=os.environ.get("ANTT_MANIFEST_PUBLIC_KEY"),
                        help="the service's Ed25519 public key (base64); default $ANTT_MANIFEST_PUBLIC_KEY")
    args = parser.parse_args(argv)
    try:
        manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
        missing = [str(p) for p in args.files if not p.is_file()]
        if missing:
            raise OSError(f"no such file: {', '.join(missing)}")
    except (OSError, ValueError) as exc:
        print(f"cannot read input: {exc}", file=sys.stderr)
        return 2
    problems = manifest_problems(manifest, args.public_key) + file_problems(manifest, args.files)
    for problem in problems:
        print(f"MISMATCH {problem}")
    if problems:
        return 1
    if not args.public_key:
        print("note: signature checked against the key inside the manifest; pass --public-key to pin it")
    print(f"OK: signature, {len(manifest.get('custody', []))} custody entries and "
          f"{len(args.files)} file(s) match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
