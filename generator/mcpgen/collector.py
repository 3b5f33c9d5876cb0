"""The garbage collector's thresholds in mcpgen's processes.

A command, and the interpreter of its lock step, runs for seconds and builds data that lives to its end: the
spec, the IR and the rendered files; FastMCP's schemas of every tool. With CPython's default thresholds
(700, 10, 10) the collector walks that data again and again while it grows; with these, a young collection
comes every 20,000 allocations and an old one a few hundred times less often. Nothing mcpgen builds is left to
the collector in quantity: the memory a generation peaks at is the same (benchmarks/README.md).
"""

import gc

THRESHOLDS = (20_000, 20, 20)


def tune_for_a_command() -> None:
    gc.set_threshold(*THRESHOLDS)
