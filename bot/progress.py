"""A one-line progress bar on standard error, for loads of many thousands of files."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def progress_bar(label: str, out: TextIO | None = None) -> Callable[[int, int], None]:
    """A `progress(done, total)` callback that redraws one line at each whole percent.

    Redrawing per percent, not per file, keeps a 100,000-file load from spending its
    time writing to the terminal.
    """
    stream = out or sys.stderr
    start = time.perf_counter()
    step = -1

    def show(done: int, total: int) -> None:
        nonlocal step
        percent = done * 100 // max(total, 1)
        if percent > step or done == total:
            step = percent
            rate = done / max(time.perf_counter() - start, 1e-9)
            bar = "#" * (percent // 4)
            print(f"\r{label} [{bar:<25}] {done:,}/{total:,} files, {rate:,.0f}/s",
                  end="\n" if done == total else "", file=stream, flush=True)
    return show
