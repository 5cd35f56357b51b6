"""Ingest: bytes, files and web pages -> an `Article` (title, date, sentences, key facts).

In: article files, uploads, fetched pages. Out: `Article`s and article files; no database.
Imports bot.text and bot.config only: never bot.store, bot.answer, bot.service, bot.intake,
handlers or telegram.
"""
