"""What Telegram refuses, as the stand-in checks it: HTML, text length, keyboards."""

from __future__ import annotations

import re
from typing import Any

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID = 64
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
                "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"}
TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'))?)*)\s*>"
)
ATTR_RE = re.compile(r"([A-Za-z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'))?")
ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));")
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class Refusal(Exception):
    """A Bot API error answer."""

    def __init__(self, description: str, code: int = 400, parameters: dict | None = None):
        super().__init__(description)
        self.description, self.code, self.parameters = description, code, parameters


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _entity(match: re.Match[str]) -> str:
    name, dec, hexa = match.groups()
    if name:
        return NAMED[name]
    return chr(int(dec) if dec else int(hexa, 16))


def parse_html(text: str) -> str:
    """The visible text of Telegram HTML, or Refusal for what Telegram cannot parse."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        offset = len(text[:i].encode())
        if char == "<":
            match = TAG_RE.match(text, i)
            if not match:
                raise Refusal(f"Bad Request: can't parse entities: Unexpected < at byte "
                              f"offset {offset}")
            closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if name not in ALLOWED_TAGS:
                raise Refusal(f'Bad Request: can\'t parse entities: Unsupported start tag '
                              f'"{name}" at byte offset {offset}')
            if closing:
                if not stack or stack[-1] != name:
                    raise Refusal(f'Bad Request: can\'t parse entities: Unmatched end tag at '
                                  f'byte offset {offset}, expected "</{stack[-1] if stack else ""}'
                                  f'>", found "</{name}>"')
                stack.pop()
            else:
                found = {m.group(1).lower(): m.group(2) if m.group(2) is not None
                         else (m.group(3) or "") for m in ATTR_RE.finditer(attrs)}
                for value in found.values():
                    _check_entities(value, offset)
                if name == "a" and not found.get("href"):
                    raise Refusal("Bad Request: can't parse entities: <a> without href")
                stack.append(name)
            i = match.end()
        elif char == "&":
            match = ENTITY_RE.match(text, i)
            if not match:
                raise Refusal(f"Bad Request: can't parse entities: Unsupported HTML entity "
                              f"at byte offset {offset}")
            out.append(_entity(match))
            i = match.end()
        elif char == ">":
            raise Refusal(f"Bad Request: can't parse entities: Unexpected > at byte offset "
                          f"{offset}")
        else:
            out.append(char)
            i += 1
    if stack:
        raise Refusal(f'Bad Request: can\'t parse entities: Can\'t find end tag corresponding '
                      f'to start tag "{stack[-1]}"')
    return "".join(out)


def _check_entities(value: str, offset: int) -> None:
    for match in re.finditer(r"&", value):
        if not ENTITY_RE.match(value, match.start()):
            raise Refusal(f"Bad Request: can't parse entities: Unsupported HTML entity in "
                          f"attribute at byte offset {offset}")
    if "<" in value:
        raise Refusal("Bad Request: can't parse entities: Unexpected < in attribute")


def visible_text(text: Any, parse_mode: str | None) -> str:
    """Check message text as Telegram does and return what the user would see."""
    if not isinstance(text, str):
        raise Refusal("Bad Request: message text is empty")
    shown = parse_html(text) if (parse_mode or "").upper() == "HTML" else text
    if not shown.strip():
        raise Refusal("Bad Request: message text is empty")
    if utf16_len(shown) > MAX_TEXT:
        raise Refusal("Bad Request: message is too long")
    return shown


def check_markup(markup: Any) -> None:
    """Inline keyboards: button text present, callback data 1-64 bytes."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise Refusal("Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise Refusal("Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise Refusal("Bad Request: BUTTON_DATA_INVALID")
