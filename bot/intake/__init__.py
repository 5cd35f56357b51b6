"""Intake: work that runs through the service: links to fetch, feeds to read, subscribers.

In: URLs, feed addresses, a NewsService. Out: article files written and reloaded, notices
of new articles for subscribers. May import every wing below and bot.service: never the
top of bot/ (cli, rendering, progress), handlers or telegram.
"""
