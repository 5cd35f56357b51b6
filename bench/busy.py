"""CPU-burning processes beside a benchmark: a user's server is rarely idle.

`--busy N` in bench.scale and bench.e2e runs the latency measurements with N processes
spinning on the CPU (`python -c 'while True: pass'`), as the issue's "two CPU-burning
processes" asks; they are stopped when the measurement ends, however it ends.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

BURN = "while True: pass"


@contextmanager
def burning(processes: int) -> Iterator[None]:
    """Run the block with `processes` CPU-burning processes beside it (0: none)."""
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(processes)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
        for burner in burners:
            burner.wait()


def machine_state(processes: int) -> str:
    """How a report names the machine's state."""
    return (f"beside {processes} CPU-burning process{'es' if processes > 1 else ''}"
            if processes else "idle")
