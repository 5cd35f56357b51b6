"""News-article question answering core: reading, knowledge base, answers. No Telegram here."""

__version__ = "0.1.0"
