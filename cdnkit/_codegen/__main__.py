"""``python -m cdnkit._codegen [--out DIR] [--api-out DIR]``: regenerate the models and the
operation methods."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import API_DIR, TYPES_DIR, generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m cdnkit._codegen", description=__doc__)
    parser.add_argument("--out", type=Path, default=TYPES_DIR, help="models folder")
    parser.add_argument("--api-out", type=Path, default=API_DIR, help="operations folder")
    args = parser.parse_args()
    for path in generate(args.out, args.api_out):
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
