"""``python -m cdnkit._codegen [--out DIR]``: regenerate the models."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import TYPES_DIR, generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m cdnkit._codegen", description=__doc__)
    parser.add_argument("--out", type=Path, default=TYPES_DIR, help="output folder")
    args = parser.parse_args()
    for path in generate(args.out):
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
