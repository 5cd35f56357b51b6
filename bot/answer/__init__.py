"""Answer: a question (and its conversation's topic) -> an `Answer`, facts best first.

In: the question's text and a KnowledgeBase of bot.store. Out: `Answer`, and articles found
by number, title or query (lookup). Imports bot.text, bot.config, bot.ingest and bot.store
only: never bot.service, bot.intake, handlers or telegram.
"""
