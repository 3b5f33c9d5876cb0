"""Run one command and write its wall time and peak RSS as JSON: `python -I -S launcher.py REPORT CMD...`.

Why a launcher: on Linux a child's peak RSS starts from its parent's at the moment of the fork (the kernel
keeps the pre-exec high-water mark), so a command started straight from the harness would never report less
than the harness's own memory. Started from this small process, RUSAGE_CHILDREN reports the largest peak of
any process in the command's tree, with a floor of this launcher's few megabytes.
It imports nothing beyond the built-in modules, so that it stays small; it exits with the command's code.
"""

import json
import os
import resource
import sys
import time


def main() -> int:
    report, command = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    try:
        pid = os.posix_spawnp(command[0], command, os.environ)
    except OSError as error:
        print(f"cannot start {command[0]}: {error}", file=sys.stderr)
        return 127
    _, status = os.waitpid(pid, 0)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    with open(report, "w", encoding="utf-8") as out:
        json.dump({"wall_seconds": wall, "peak_rss": peak_kib * 1024}, out)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
