"""One BLAS thread per process: the bot's answers run in threads of their own, and numpy
starting a pool per process fought them and other processes for the cores."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.datasets import ROOT


def test_importing_the_bot_limits_numpy_to_one_thread() -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"}}
    code = ("import bot.answer.answers, json; from threadpoolctl import threadpool_info; "
            "print(json.dumps([p['num_threads'] for p in threadpool_info()]))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    threads = json.loads(out)
    assert threads, "numpy's BLAS was not found"
    assert set(threads) == {1}
