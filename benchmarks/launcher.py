"""Run a command; write its wall time, CPU time and peak RSS as JSON: `python -I -S launcher.py OUT CMD...`.

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
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = {
        "wall_seconds": wall,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss": usage.ru_maxrss * 1024,  # kilobytes on Linux
    }
    with open(report, "w", encoding="utf-8") as out:
        json.dump(figures, out)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
