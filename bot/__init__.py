"""News-article question answering core: reading, knowledge base, answers. No Telegram here."""

import os

# One thread per process for numpy's BLAS and the tokenizer (docs/BENCHMARKS.md, "Busy
# machine"): the bot already answers in threads and loads in worker processes, and a
# library's own thread pool fighting them and other processes for the cores made answers
# 20-70x slower on a busy machine. Set before numpy or tokenizers is first imported; a
# value the environment already holds wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__version__ = "0.1.0"
