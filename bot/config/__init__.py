"""Config: the bot's settings, read from a mapping (the environment, `.env`).

In: names and strings. Out: one frozen `Settings`, read by the service, the front ends and
fetching's limits. Never imports another part of bot/ (nor handlers or telegram): every
wing may read it.
"""
