"""A strict Bot API stand-in on 127.0.0.1 that the real Application polls.

It records every call, hands out queued updates through getUpdates (honouring
allowed_updates like Telegram), keeps the messages the bot sent so buttons can be pressed,
serves files for getFile, knows who is an admin of a group (getChatMember,
getChatAdministrators), and refuses what Telegram refuses: malformed HTML, empty or
over-long text, callback data over 64 bytes, too many or duplicate inline results, messages
to a chat that blocked the bot or removed it (403) or to a group that became a supergroup.
429 and 500 answers, dropped connections, slow or held answers and garbage bodies can be
injected.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

from botapi_rules import (
    MAX_INLINE_RESULTS,
    MAX_RESULT_ID,
    Refusal,
    check_markup,
    utf16_len,
    visible_text,
)

JSON_FIELDS = {"reply_markup", "results", "commands", "scope", "allowed_updates",
               "reply_parameters", "link_preview_options", "entities", "button"}
MAX_POLL_HOLD_S = 0.5
# How long a test waits for something that must happen. A ceiling, not a delay: it costs
# time only when the bot is broken, so it is generous enough for a machine busy elsewhere.
PATIENCE_S = 30.0
# Answers a broken proxy or server might give: not JSON at all, or the wrong shape.
GARBAGE = {
    "not_json": b"<html><body>502 Bad Gateway</body></html>",
    "not_a_list": json.dumps({"ok": True, "result": {"update_id": 1, "message": None}}).encode(),
}
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
# What Telegram answers a bot writing to a chat it may no longer write to, by chat type.
FORBIDDEN = {"private": "Forbidden: bot was blocked by the user",
             "group": "Forbidden: bot was kicked from the group chat",
             "supergroup": "Forbidden: bot was kicked from the supergroup chat"}
UPGRADED = "Bad Request: group chat was upgraded to a supergroup chat"
# The fields Telegram sends with each kind of chat member (PTB needs them all).
ADMIN_RIGHTS = {right: True for right in (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories")}
MEMBER_FIELDS: dict[str, dict[str, Any]] = {
    "creator": {"is_anonymous": False},
    "administrator": {"can_be_edited": False, "is_anonymous": False, **ADMIN_RIGHTS},
    "member": {}, "left": {}, "kicked": {"until_date": 0},
}
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message")

@dataclass
class Call:
    """One Bot API request as the bot made it, and how it was answered."""

    method: str
    params: dict[str, Any]
    ok: bool = True
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        """What the user saw (visible text of a sent or edited message)."""
        return self.result.get("text", "") if isinstance(self.result, dict) else ""

    @property
    def buttons(self) -> list[dict]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


class BotAPIStandIn:
    """The server, its recorded calls and helpers that make updates like Telegram's."""

    def __init__(self, token: str, username: str = "newsbot_test", bot_id: int = 4242) -> None:
        self.token, self.username, self.bot_id = token, username, bot_id
        self.calls: list[Call] = []
        self.allowed_updates_seen: list[list[str] | None] = []
        self.webhook: dict[str, Any] = {}
        self._cond = threading.Condition()
        self._pending: list[dict] = []
        self._update_ids = itertools.count(1)
        self.last_update_id = 0  # the newest update pushed
        # Updates below this id are confirmed: the bot asked getUpdates for later ones, so it
        # holds them (python-telegram-bot queues a batch before asking past it).
        self.confirmed_below = 0
        self._message_ids = itertools.count(100)
        self._query_ids = itertools.count(1)
        self._failures: dict[str, list[tuple[int, int | None]]] = {}
        self._faults: dict[str, list[tuple[str, float]]] = {}
        self.messages: dict[tuple[int, int], dict] = {}
        self.chats: dict[int, dict] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.open_callbacks: set[str] = set()
        self.open_inline: set[str] = set()
        self.members: dict[tuple[int, int], dict] = {}  # (chat id, user id) -> ChatMember
        self.blocked: set[int] = set()  # chats that blocked the bot or removed it
        self.migrated: dict[int, int] = {}  # group id -> the id of the supergroup it became
        self._held: dict[str, int] = {}
        self.holding: list[Call] = []  # held calls, arrived and not yet answered
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self.draining = False
        # Telegram sends only the allowed_updates kinds; False delivers every kind, as an
        # earlier run's settings (or a Bot API server with other ideas) might.
        self.filter_updates = True

    # -- server ---------------------------------------------------------------------------

    def start(self) -> None:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm the body waited
            # for the client's delayed ACK, 40 ms on every call (bench.e2e saw it).
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:  # keep test output (and token) quiet
                pass

            def do_POST(self) -> None:
                standin._handle(self)

            def do_GET(self) -> None:
                standin._handle(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that hung up mid-poll (the bot stopping) is not news

        self._server = Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()

    def release_polls(self) -> None:
        """Answer long polls at once from now on, so the bot can stop without waiting."""
        with self._cond:
            self.draining = True
            self._cond.notify_all()

    def stop(self) -> None:
        self.release_polls()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        path = unquote(request.path)  # PTB quotes file paths, the token's colon included
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        file_prefix = f"/file/bot{self.token}/"
        if path.startswith(file_prefix):
            self._serve_file(request, path[len(file_prefix):])
            return
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            self._send(request, 401, {"ok": False, "error_code": 401,
                                      "description": "Unauthorized"})
            return
        method = path[len(prefix):]
        params = self._params(request.headers.get("Content-Type", ""), body)
        call = Call(method, params)
        fault, delay_s = self._take_fault(method)
        if fault == "drop_before":  # the request never arrives: nothing is handled
            self._drop(request, call, "dropped before handling")
            return
        if delay_s:
            time.sleep(delay_s)
        if fault == "hold":
            self._hold(call)
        try:
            self._inject_failure(method)
            call.result = self._dispatch(method, params)
            status, payload = 200, {"ok": True, "result": call.result}
        except Refusal as refusal:
            call.ok, call.error = False, refusal.description
            status = refusal.code
            payload = {"ok": False, "error_code": refusal.code,
                       "description": refusal.description}
            if refusal.parameters:
                payload["parameters"] = refusal.parameters
        if fault == "drop":  # handled, but the answer is lost on the way back
            self._drop(request, call, "answer dropped")
            return
        if fault in GARBAGE:
            call.ok, call.error = False, f"injected {fault}"
            with self._cond:
                self.calls.append(call)
            self._send_raw(request, 200, GARBAGE[fault])
            return
        if method != "getUpdates" or not call.ok or call.result:
            with self._cond:
                self.calls.append(call)
        self._send(request, status, payload)

    def _drop(self, request: BaseHTTPRequestHandler, call: Call, what: str) -> None:
        """Close the connection without a word, as a dying proxy or network does."""
        call.ok, call.error = False, f"injected: {what}"
        with self._cond:
            self.calls.append(call)
        request.close_connection = True
        with contextlib.suppress(OSError):
            request.connection.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _send_raw(request: BaseHTTPRequestHandler, status: int, data: bytes) -> None:
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def _serve_file(self, request: BaseHTTPRequestHandler, file_path: str) -> None:
        for path, data in self.files.values():
            if path == file_path:
                request.send_response(200)
                request.send_header("Content-Length", str(len(data)))
                request.end_headers()
                request.wfile.write(data)
                return
        self._send(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})

    @staticmethod
    def _params(content_type: str, body: bytes) -> dict[str, Any]:
        if not body:
            return {}
        if content_type.startswith("application/json"):
            return json.loads(body)
        if not content_type.startswith("application/x-www-form-urlencoded"):
            raise ValueError(f"the stand-in does not take {content_type} bodies")
        params: dict[str, Any] = {}
        for key, values in parse_qs(body.decode(), keep_blank_values=True).items():
            value = values[-1]
            params[key] = json.loads(value) if key in JSON_FIELDS else value
        return params

    # -- failures -------------------------------------------------------------------------

    def fail_next(self, method: str, status: int, retry_after: int | None = None,
                  times: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP `status` (429 or 5xx)."""
        with self._cond:
            self._failures.setdefault(method, []).extend([(status, retry_after)] * times)

    def inject(self, method: str, fault: str, *, times: int = 1, delay_s: float = 0.0) -> None:
        """The next `times` calls of `method` meet `fault`.

        'drop_before': the connection closes before the call is handled; 'drop': the call
        is handled but the connection closes before the answer; 'slow': answered after
        `delay_s`; 'not_json': HTTP 200 with a body that is not JSON; 'not_a_list': a
        successful answer whose result is an object where a list belongs; 'hold': the call
        waits, listed in `holding`, until `release_held()` (a test kills the bot meanwhile).
        """
        if fault not in {"drop_before", "drop", "slow", "hold", *GARBAGE}:
            raise ValueError(f"unknown fault {fault!r}")
        with self._cond:
            self._faults.setdefault(method, []).extend([(fault, delay_s)] * times)

    def _hold(self, call: Call) -> None:
        with self._cond:
            self.holding.append(call)
        self._release.wait(PATIENCE_S)

    def release_held(self) -> None:
        """Answer the held calls (and hold none from now on)."""
        self._release.set()

    def faults_waiting(self, method: str) -> int:
        """How many injected faults and failures of `method` have not been met yet."""
        with self._cond:
            return len(self._faults.get(method, [])) + len(self._failures.get(method, []))

    def _take_fault(self, method: str) -> tuple[str | None, float]:
        with self._cond:
            queue = self._faults.get(method)
            return queue.pop(0) if queue else (None, 0.0)

    def _inject_failure(self, method: str) -> None:
        with self._cond:
            queue = self._failures.get(method)
            if not queue:
                return
            status, retry_after = queue.pop(0)
        if status == 429:
            raise Refusal(f"Too Many Requests: retry after {retry_after}", 429,
                          {"retry_after": retry_after})
        raise Refusal("Internal Server Error", status)

    # -- methods --------------------------------------------------------------------------

    def _dispatch(self, method: str, p: dict[str, Any]) -> Any:
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise Refusal("Not Found", 404)
        return handler(p)

    def bot_user(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "News Bot",
                "username": self.username}

    def _m_getMe(self, p: dict) -> dict:
        return {**self.bot_user(), "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": True}

    def _m_getUpdates(self, p: dict) -> list[dict]:
        offset = int(p.get("offset") or 0)
        hold = min(float(p.get("timeout") or 0), MAX_POLL_HOLD_S)
        allowed = p.get("allowed_updates")
        deadline = time.monotonic() + hold
        with self._cond:
            self.allowed_updates_seen.append(allowed)
            self.confirmed_below = max(self.confirmed_below, offset)
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            while True:
                ready = [u for u in self._pending if not allowed or not self.filter_updates
                         or any(k in u for k in allowed)]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self.draining:
                    return ready[: int(p.get("limit") or 100)]
                self._cond.wait(remaining)

    def _m_deleteWebhook(self, p: dict) -> bool:
        self.webhook = {}
        return True

    def _m_setWebhook(self, p: dict) -> bool:
        self.webhook = dict(p)
        return True

    def _m_setMyCommands(self, p: dict) -> bool:
        scope = p.get("scope") or {}
        if scope.get("type") == "chat":
            self._chat(scope.get("chat_id"))  # a user who never opened the bot: chat not found
        for command in p.get("commands") or []:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise Refusal("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise Refusal("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    def _m_sendChatAction(self, p: dict) -> bool:
        self._writable(p.get("chat_id"))
        return True

    def _chat(self, chat_id: Any) -> dict:
        try:
            key = int(chat_id)
        except (TypeError, ValueError):
            raise Refusal("Bad Request: chat not found") from None
        if key not in self.chats:
            raise Refusal("Bad Request: chat not found")
        return self.chats[key]

    def _writable(self, chat_id: Any) -> dict:
        """The chat a message goes to, unless the bot may no longer write there."""
        chat = self._chat(chat_id)
        if chat["id"] in self.blocked:
            raise Refusal(FORBIDDEN[chat["type"]], 403)
        if chat["id"] in self.migrated:
            raise Refusal(UPGRADED, 400, {"migrate_to_chat_id": self.migrated[chat["id"]]})
        return chat

    def _m_getChatMember(self, p: dict) -> dict:
        chat = self._chat(p.get("chat_id"))
        user_id = int(p.get("user_id") or 0)
        if chat["type"] == "private" and user_id == chat["id"]:
            return {"status": "member", "user": {"id": user_id, "is_bot": False,
                                                 "first_name": chat.get("first_name", "")}}
        member = self.members.get((chat["id"], user_id))
        if member is None:
            raise Refusal("Bad Request: user not found")
        return member

    def _m_getChatAdministrators(self, p: dict) -> list[dict]:
        chat = self._chat(p.get("chat_id"))
        if chat["type"] == "private":
            raise Refusal("Bad Request: there are no administrators in the private chat")
        return [m for (chat_id, _), m in self.members.items()
                if chat_id == chat["id"] and m["status"] in {"creator", "administrator"}]

    def _m_sendMessage(self, p: dict) -> dict:
        chat = self._writable(p.get("chat_id"))
        text = visible_text(p.get("text"), p.get("parse_mode"))
        check_markup(p.get("reply_markup"))
        message = {"message_id": next(self._message_ids), "from": self.bot_user(),
                   "chat": chat, "date": int(time.time()), "text": text}
        if p.get("reply_markup"):
            message["reply_markup"] = p["reply_markup"]
        with self._cond:
            self.messages[(chat["id"], message["message_id"])] = message
        return message

    def _stored(self, p: dict) -> dict:
        chat = self._chat(p.get("chat_id"))
        message = self.messages.get((chat["id"], int(p.get("message_id") or 0)))
        if message is None:
            raise Refusal("Bad Request: message to edit not found")
        return message

    def _m_editMessageText(self, p: dict) -> dict:
        message = self._stored(p)
        text = visible_text(p.get("text"), p.get("parse_mode"))
        markup = p.get("reply_markup")
        check_markup(markup)
        with self._cond:
            if text == message["text"] and markup == message.get("reply_markup"):
                raise Refusal(NOT_MODIFIED)
            message["text"] = text
            message.pop("reply_markup", None)
            if markup:
                message["reply_markup"] = markup
            return dict(message)

    def _m_editMessageReplyMarkup(self, p: dict) -> dict:
        message = self._stored(p)
        markup = p.get("reply_markup")
        check_markup(markup)
        with self._cond:
            if markup == message.get("reply_markup"):
                raise Refusal(NOT_MODIFIED)
            message.pop("reply_markup", None)
            if markup:
                message["reply_markup"] = markup
            return dict(message)

    def _m_answerCallbackQuery(self, p: dict) -> bool:
        with self._cond:
            query_id = p.get("callback_query_id")
            if query_id not in self.open_callbacks:
                raise Refusal(TOO_OLD)
            self.open_callbacks.discard(query_id)
        if len(p.get("text") or "") > 200:
            raise Refusal("Bad Request: MESSAGE_TOO_LONG")
        return True

    def _m_answerInlineQuery(self, p: dict) -> bool:
        results = p.get("results")
        if not isinstance(results, list):
            raise Refusal("Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise Refusal("Bad Request: RESULTS_TOO_MUCH")
        if len((p.get("next_offset") or "").encode()) > 64:
            raise Refusal("Bad Request: NEXT_OFFSET_INVALID")
        ids = set()
        for result in results:
            result_id = result.get("id", "")
            if not 1 <= len(result_id.encode()) <= MAX_RESULT_ID:
                raise Refusal("Bad Request: RESULT_ID_INVALID")
            if result_id in ids:
                raise Refusal("Bad Request: RESULT_ID_DUPLICATE")
            ids.add(result_id)
            if result.get("type") == "article":
                if not result.get("title"):
                    raise Refusal("Bad Request: RESULT_TITLE_EMPTY")
                content = result.get("input_message_content") or {}
                visible_text(content.get("message_text"), content.get("parse_mode"))
            check_markup(result.get("reply_markup"))
        with self._cond:
            query_id = p.get("inline_query_id")
            if query_id not in self.open_inline:
                raise Refusal(TOO_OLD)
            self.open_inline.discard(query_id)
        return True

    def _m_getFile(self, p: dict) -> dict:
        file_id = p.get("file_id")
        if file_id not in self.files:
            raise Refusal("Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data),
                "file_path": path}

    # -- making updates -------------------------------------------------------------------

    def push(self, update: dict) -> dict:
        """Queue an update (its update_id is assigned here) for the next getUpdates."""
        with self._cond:
            update = {"update_id": next(self._update_ids), **update}
            self.last_update_id = update["update_id"]
            self._pending.append(update)
            self._cond.notify_all()
        return update

    def chat(self, chat_id: int, kind: str = "private", title: str | None = None,
             user: dict | None = None) -> dict:
        """Register a chat the bot may write to (Telegram refuses unknown chats)."""
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private" and user:
            chat["first_name"] = user["first_name"]
        if title:
            chat["title"] = title
        self.chats[chat_id] = chat
        return chat

    def member(self, chat: dict, user: dict, status: str) -> None:
        """Make `user` a member of the group `chat` with `status` ("creator",
        "administrator", "member", "left", "kicked"), as getChatMember will tell."""
        self.members[(chat["id"], user["id"])] = {"status": status, "user": user,
                                                  **MEMBER_FIELDS[status]}

    def block(self, chat: dict) -> None:
        """The user blocks the bot (or the group removes it): messages to it get 403."""
        self.blocked.add(chat["id"])

    def migrate(self, group: dict, supergroup_id: int) -> dict:
        """The group becomes a supergroup with a new id; messages to the old id are refused
        with the new one, as Telegram does."""
        self.migrated[group["id"]] = supergroup_id
        return self.chat(supergroup_id, "supergroup", title=group.get("title"))

    def message(self, text: str | None, user: dict, chat: dict, *,
                reply_to: dict | None = None, document: dict | None = None,
                sender_chat: dict | None = None) -> dict:
        """A message update, with the entities a client adds (commands, @mentions).
        `sender_chat`: sent on behalf of a chat (the group itself: an anonymous admin)."""
        message: dict[str, Any] = {"message_id": next(self._message_ids), "from": user,
                                   "chat": chat, "date": int(time.time())}
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        if text is not None:
            message["text"] = text
            if entities := self.entities(text):
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if document is not None:
            message["document"] = document
        return message

    @staticmethod
    def entities(text: str) -> list[dict]:
        found = []
        if match := re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text):
            found.append({"type": "bot_command", "offset": 0,
                          "length": utf16_len(match.group())})
        for match in re.finditer(r"(?<![\w/])@[A-Za-z0-9_]{5,32}", text):
            found.append({"type": "mention", "offset": utf16_len(text[: match.start()]),
                          "length": utf16_len(match.group())})
        return found

    def inline_query(self, query: str, user: dict, offset: str = "") -> dict:
        query_id = f"iq{next(self._query_ids)}"
        with self._cond:
            self.open_inline.add(query_id)
        return self.push({"inline_query": {"id": query_id, "from": user, "query": query,
                                           "offset": offset}})

    def press(self, message: dict, data: str, user: dict, *, expired: bool = False) -> dict:
        """A button press on a message the bot sent (an expired one cannot be answered)."""
        query_id = f"cq{next(self._query_ids)}"
        if not expired:
            with self._cond:
                self.open_callbacks.add(query_id)
        return self.push({"callback_query": {
            "id": query_id, "from": user, "message": message, "data": data,
            "chat_instance": f"ci{message['chat']['id']}"}})

    def add_file(self, name: str, data: bytes) -> dict:
        """Make a file downloadable through getFile; returns the Document object."""
        file_id = f"file{len(self.files) + 1}"
        suffix = re.sub(r"[^.A-Za-z0-9]", "", name[name.rfind("."):]) if "." in name else ""
        self.files[file_id] = (f"documents/{file_id}{suffix}", data)  # as Telegram names them
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name,
                "file_size": len(data), "mime_type": "text/plain"}

    # -- waiting ----------------------------------------------------------------------------

    def mark(self) -> int:
        with self._cond:
            return len(self.calls)

    def calls_of(self, method: str, after: int = 0) -> list[Call]:
        with self._cond:
            return [c for c in self.calls[after:] if c.method == method]

    async def wait_for(self, method: str, *, after: int = 0, count: int = 1,
                       where: Callable[[Call], bool] | None = None,
                       wait_s: float = PATIENCE_S) -> list[Call]:
        """The first `count` successful calls of `method` after `after`, waiting for them."""
        deadline = time.monotonic() + wait_s
        while True:
            found = [c for c in self.calls_of(method, after)
                     if c.ok and (where is None or where(c))]
            if len(found) >= count:
                return found[:count]
            if time.monotonic() > deadline:
                seen = [(c.method, c.ok, c.error or c.text[:60]) for c in self.calls[after:]]
                raise AssertionError(f"no {count} x {method} within {wait_s}s; saw {seen}")
            await asyncio.sleep(0.01)

    async def wait_for_refusal(self, method: str, *, after: int = 0,
                               wait_s: float = PATIENCE_S) -> Call:
        """The first refused call of `method` after `after`."""
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if found := [c for c in self.calls_of(method, after) if not c.ok]:
                return found[0]
            await asyncio.sleep(0.01)
        raise AssertionError(f"no refused {method} within {wait_s}s")

    async def wait_confirmed(self, update_id: int, wait_s: float = PATIENCE_S) -> None:
        """Until the bot has asked for updates past `update_id`: it has taken that one."""
        deadline = time.monotonic() + wait_s
        while self.confirmed_below <= update_id:
            if time.monotonic() > deadline:
                raise AssertionError(f"update {update_id} not taken within {wait_s}s")
            await asyncio.sleep(0.01)

    async def wait_held(self, wait_s: float = PATIENCE_S, count: int = 1) -> Call:
        """The first call held by a 'hold' fault, once `count` of them have arrived."""
        deadline = time.monotonic() + wait_s
        while len(self.holding) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"not {count} calls held within {wait_s}s")
            await asyncio.sleep(0.01)
        return self.holding[0]

    def refusals(self) -> list[Call]:
        """Calls Telegram would have refused as a client error (4xx, not injected)."""
        with self._cond:
            return [c for c in self.calls if not c.ok and c.error
                    and c.error.startswith("Bad Request")]
