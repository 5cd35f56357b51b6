"""Inline mode: article results, paged with next_offset, fresh after a reload."""

from __future__ import annotations

from botapi_standin import Call
from tg_harness import Harness

from handlers.inline import PAGE_SIZE


async def inline(tg: Harness, query: str, offset: str = "") -> Call:
    mark = tg.api.mark()
    tg.api.inline_query(query, tg.user, offset)
    return (await tg.api.wait_for("answerInlineQuery", after=mark))[0]


async def test_empty_query_pages_through_every_article_with_its_summary(tg: Harness) -> None:
    seen: list[str] = []
    offset = ""
    offsets = []
    for _ in range(5):
        answer = await inline(tg, "", offset)
        results = answer.params["results"]
        assert len(results) <= PAGE_SIZE
        seen += [r["title"] for r in results]
        assert all(r["input_message_content"]["parse_mode"] == "HTML" for r in results)
        assert all(r["description"] for r in results)  # the article's summary
        offset = answer.params.get("next_offset", "")
        offsets.append(offset)
        if not offset:
            break
    assert len(seen) == 25
    assert len(set(seen)) == 25
    assert offsets[-1] == ""  # the last page sends no next_offset (not "[]")
    assert "next_offset" not in answer.params
    assert len(offsets) == 3


async def test_query_puts_the_matching_fact_first(tg: Harness) -> None:
    answer = await inline(tg, "crane Mecca")
    first = answer.params["results"][0]
    assert "crane" in first["title"]
    assert "crane" in first["description"]
    message = first["input_message_content"]["message_text"]
    assert "crane" in message
    assert "Mecca crane collapse" in message


async def test_results_are_cached_briefly_and_ids_are_unique(tg: Harness) -> None:
    answer = await inline(tg, "")
    assert int(answer.params["cache_time"]) <= 60
    ids = [r["id"] for r in answer.params["results"]]
    assert len(ids) == len(set(ids))
    assert all(len(i.encode()) <= 64 for i in ids)


async def test_query_with_nothing_matching_answers_with_no_results(tg: Harness) -> None:
    answer = await inline(tg, "zzyzx qwertyuiop")
    assert answer.params["results"] == []
    assert "next_offset" not in answer.params


async def test_hostile_inline_query_is_answered(tg: Harness) -> None:
    answer = await inline(tg, '<b>crane</b> AND "( NEAR/2 mecca* 🏗️ ' + "x" * 200)
    assert isinstance(answer.params["results"], list)
