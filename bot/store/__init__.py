"""Store: SQLite and its indexes; every table's owner (facts, postings, vectors, conversations).

In: `Article`s from bot.ingest, loaded a folder at a time. Out: stored articles and facts,
search candidates, conversation turns, usage and feed state. Imports bot.text, bot.config
and bot.ingest only: never bot.answer, bot.service, bot.intake, handlers or telegram.
"""
