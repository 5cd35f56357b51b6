"""`python -m bot ...`: the command line."""

from bot.cli import main

# Guarded, as multiprocessing asks of a main module: a parse worker (bot.store.loading) started by
# spawn or the fork server may import it again, and must not run the command line again.
if __name__ == "__main__":
    raise SystemExit(main())
