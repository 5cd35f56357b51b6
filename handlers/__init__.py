"""The Telegram adapter: turns updates into calls on the core and answers into messages."""
