"""Runs the ``aws`` script once per command in a forked process, its imports already done.

Started by test_interop_cli.py with the CLI's own Python and the script's path as argument.
The AWS CLI v1 spends most of its one-second start importing itself; this process imports it
once, then for each command forks a child that runs the unchanged ``aws`` script as
``__main__`` with that command's arguments, its output sent to the named files, and reports
the child's exit status. Each command is still a fresh process: nothing a command does (a
botocore session, credentials, caches) is seen by the next one.

Protocol, one JSON object per line: in ``{"argv": [...], "stdout": path, "stderr": path}``,
out ``{"returncode": n}``. End of input ends the server. Runs on the Python versions the AWS
CLI supports (3.9 and later), so no newer syntax at run time.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback
from typing import NoReturn


def _warm() -> None:
    """Import what every command imports: the CLI, its botocore and its plugins."""
    # awscli is installed only in the CLI's own environment, never in cdnkit's.
    import awscli.clidriver  # type: ignore[import-not-found]

    awscli.clidriver.create_clidriver()


def _child(script: str, argv: list[str], stdout_path: str, stderr_path: str) -> NoReturn:
    stdin = os.open(os.devnull, os.O_RDONLY)
    stdout = os.open(stdout_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    stderr = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(stdin, 0)
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    code = 1
    try:
        sys.argv = [script, *argv]
        runpy.run_path(script, run_name="__main__")
        code = 0
    except SystemExit as stop:
        if stop.code is None:
            code = 0
        elif isinstance(stop.code, int):
            code = stop.code
        else:
            sys.stderr.write(f"{stop.code}\n")
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def main() -> None:
    script = sys.argv[1]
    _warm()
    answers = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        answers.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(script, request["argv"], request["stdout"], request["stderr"])
        _, status = os.waitpid(pid, 0)
        answers.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
