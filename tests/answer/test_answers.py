"""What a reader notices in an answer: the right fact, its context, honesty, no repeats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engines import lexical_engine, semantic_engine

from bot.answer.answers import AnswerEngine
from bot.answer.scoring import RANK_FEATURES
from bot.answer.spelling import CACHE_WORDS, Speller, stopword_typo
from bot.store.knowledge import KnowledgeBase
from bot.store.loading import load_directory
from bot.text.words import content_words

SEED_TITLE_WORDS = "Resist temptations"


def top(engine: AnswerEngine, question: str) -> str:
    answer = engine.ask(question)
    assert answer.answered, f"declined: {question!r}"
    return answer.facts[0].text


def engine_on(folder: Path, kb: KnowledgeBase, title: str, body: str) -> AnswerEngine:
    """An engine over one article, written into `folder` and loaded."""
    (folder / "article.json").write_text(json.dumps({"title": title, "body": body}))
    load_directory(kb, folder)
    return semantic_engine(kb)


@pytest.mark.parametrize("greeting", ["hi", "Hello!", "hey there", "thanks!", "Thank you so much",
                                      "good morning", "bye"])
def test_small_talk_gets_a_friendly_reply_not_a_fact(engine: AnswerEngine, greeting: str) -> None:
    answer = engine.ask(greeting)
    assert answer.reply
    assert not answer.facts
    assert "could not find" not in answer.reply


def test_a_typo_question_finds_the_same_fact_as_the_clean_one(engine: AnswerEngine) -> None:
    clean = top(engine, "What happened to Zhang in 2019?")
    assert "two-year reprieve" in clean
    assert top(engine, "what hapened to zhang in 2019") == clean


def test_a_paraphrase_with_no_shared_verb_finds_the_sentence(engine: AnswerEngine) -> None:
    assert "sentenced to death" in top(engine, "What did the court decide about Zhang?")


def test_a_fact_starting_with_a_pronoun_carries_the_sentence_before(
        engine: AnswerEngine) -> None:
    answer = engine.ask("Who befriended him and later paid him for intelligence?")
    fact = answer.facts[0]
    assert fact.text.startswith("He was approached by a spy")
    assert fact.context is not None
    assert "Zhang Xiangbin" in fact.context


def test_a_fact_with_a_pronoun_among_its_first_words_carries_the_sentence_before(
        engine: AnswerEngine) -> None:
    # "Before leaving, he took ..." does not open with the pronoun, but leans on it all the same.
    fact = engine.ask("How many files did Zhang take before leaving?").facts[0]
    assert "5,200" in fact.text
    assert fact.context is not None
    assert "Zhang" in fact.context


def test_no_sentence_is_shown_twice_as_a_fact_and_as_the_context_of_another(
        empty_dir: Path, kb: KnowledgeBase) -> None:
    # The second sentence leans on the first; both answer, and both are shown once.
    body = ("Wei Lan worked as a translator at the embassy in Oslo for six years. She worked "
            "as a translator for the trade mission in Oslo after that. The embassy closed.")
    answer = engine_on(empty_dir, kb, "Translator", body).ask(
        "Did Wei Lan work as a translator for the trade mission in Oslo?")
    shown = [s for f in answer.facts for s in (f.context, f.text) if s]
    assert any("trade mission" in s for s in shown)
    assert any("embassy in Oslo" in s for s in shown)
    assert len(shown) == len(set(shown))


def test_when_questions_prefer_the_fact_with_the_date(engine: AnswerEngine) -> None:
    assert "2019" in top(engine, "When was Zhang sentenced?")


def test_how_many_questions_prefer_the_fact_with_the_number(engine: AnswerEngine) -> None:
    assert "5,200" in top(engine, "How many files did Zhang take before leaving?")


def test_an_answer_names_its_article_and_gives_its_summary(engine: AnswerEngine,
                                                           loaded_kb: KnowledgeBase) -> None:
    answer = engine.ask("Who is Zhang Xiangbin?")
    assert SEED_TITLE_WORDS in answer.facts[0].article_title
    article = loaded_kb.article(answer.facts[0].article_id)
    assert article is not None
    assert answer.summary == article.summary
    assert 0.0 <= answer.confidence <= 1.0


def test_an_answer_from_wikinews_carries_its_source_url(engine: AnswerEngine) -> None:
    answer = engine.ask("How many people were killed when the crane fell into the Grand Mosque?")
    assert answer.answered
    assert answer.article_url
    assert answer.article_url.startswith("https://en.wikinews.org/")


def test_a_question_the_articles_cannot_answer_is_declined(engine: AnswerEngine) -> None:
    answer = engine.ask("What is the recipe for apple pie?")
    assert not answer.answered
    assert not answer.facts
    assert answer.suggestions == []  # no article is about it: no noise either


def test_who_holds_a_role_is_not_answered_with_someone_else(engine: AnswerEngine) -> None:
    """Issue 22's example: the asylum story's prime minister, quoted about "France", is no
    president of France."""
    assert not engine.ask("who is the president of france").answered


def test_a_fact_saying_the_role_answers_who_holds_it(empty_dir: Path,
                                                     kb: KnowledgeBase) -> None:
    """The role in any form: "chaired" for "chair", "leadership" for "leader"."""
    panel = engine_on(empty_dir, kb, "Climate panel elects a new head",
                      "Korean economist Hoesung Lee was elected on Tuesday. Lee chaired the "
                      "IPCC's working group before. The secretariat works under the "
                      "leadership of Abdalah Mokssit. The panel meets in Geneva.")
    chair = panel.ask("Who is the chair of the IPCC?")
    assert chair.answered
    assert "chaired" in chair.facts[0].text
    leader = panel.ask("Who is the leader of the secretariat?")
    assert leader.answered
    assert "Mokssit" in leader.facts[0].text


def test_a_declined_question_suggests_the_articles_on_its_topic(
        engine: AnswerEngine, loaded_kb: KnowledgeBase) -> None:
    answer = engine.ask("How many people died in the stampede in Japan?")
    assert not answer.answered
    assert any("stampede" in title for title in answer.suggestions)
    assert set(answer.suggestions) <= {article.title for article in loaded_kb.articles()}


def test_a_declined_question_suggests_the_article_named_in_its_title_first(
        engine: AnswerEngine) -> None:
    # A fact of another article says "happened"; the title that says "Korea" comes first.
    answer = engine.ask("What happened in Korea?")
    assert not answer.answered
    assert "Korea" in answer.suggestions[0]


def test_confidence_below_the_threshold_is_never_an_answer(engine: AnswerEngine) -> None:
    for question in ("Who is the president of Brazil?", "zzz qqq", "Who is Zhang Xiangbin?",
                     "What took effect last July?"):
        answer = engine.ask(question)
        assert answer.answered == (answer.confidence >= engine.confidence_model.threshold)


def test_the_same_sentence_is_never_shown_twice(empty_dir: Path, kb: KnowledgeBase) -> None:
    shared = "The harbour bridge reopened on Monday after a 14-month repair costing 90 million."
    for number, extra in enumerate(["Traffic was light.", "Cyclists cheered the opening."]):
        (empty_dir / f"bridge{number}.json").write_text(json.dumps({
            "title": f"Bridge report {number}",
            "body": f"{shared} {extra} The city council said tolls would not change.",
        }))
    load_directory(kb, empty_dir)
    answer = semantic_engine(kb).ask("When did the harbour bridge reopen after the repair?")
    texts = [fact.text.casefold() for fact in answer.facts]
    assert answer.answered
    assert len(texts) == len(set(texts))


def test_answers_follow_a_reload_without_a_restart(empty_dir: Path, kb: KnowledgeBase) -> None:
    engine = semantic_engine(kb)
    (empty_dir / "a.md").write_text("# Zoo news\n\nThe zoo welcomed a baby giraffe on Tuesday.\n")
    load_directory(kb, empty_dir)
    assert "giraffe" in top(engine, "What did the zoo welcome?")
    (empty_dir / "a.md").write_text("# Zoo news\n\nThe zoo welcomed two penguin chicks today.\n")
    load_directory(kb, empty_dir)
    assert "penguin" in top(engine, "What did the zoo welcome?")


def test_the_speller_corrects_against_the_vocabulary_only() -> None:
    speller = Speller({"ministry": 5, "security": 9, "toy": 3})
    assert speller.correct("minstry") == "ministry"
    assert speller.correct("securty") == "security"
    assert speller.correct("security") == "security"
    assert speller.correct("tokyo") is None  # two edits from "toy" is too far for 5 letters
    assert speller.correct("xylophone") is None


@pytest.mark.parametrize("typo", ["xollapse", "ollapse", "ccollapse", "ocllapse", "cxllapse",
                                  "clolapse", "colalpse", "collaspe", "colapse", "collapsee"])
def test_a_slip_anywhere_in_a_word_is_corrected_even_at_its_start(typo: str) -> None:
    """One edit anywhere: in the first two letters, across the second and third, or later."""
    speller = Speller({"collapse": 4, "college": 7, "elapse": 2, "collapsed": 1})
    assert speller.correct(typo) == "collapse"


def test_the_speller_remembers_a_bounded_number_of_corrections() -> None:
    speller = Speller({"collapse": 4})
    for n in range(CACHE_WORDS + 100):
        letters = "".join(chr(ord("a") + (n // 26**k) % 26) for k in range(4))
        speller.correct(f"zz{letters}q")
    assert len(speller._cache) == CACHE_WORDS
    assert speller.correct("collaspe") == "collapse"


def test_headline_words_are_known_words_read_only_when_a_question_needs_them() -> None:
    reads: list[int] = []

    def headline_words() -> list[str]:
        reads.append(1)
        return ["quokka", "census"]

    speller = Speller({"quota": 3, "counted": 2}, headline_words)
    assert speller.correct("counted") == "counted"
    assert reads == []  # every word was a fact word: the headlines were not needed
    assert speller.correct("quokka") == "quokka"  # not "quota": a headline has it
    assert speller.correct("quokkq") == "quokka"
    assert speller.knows("census")
    assert reads == [1]


def test_without_embeddings_a_fact_missing_the_name_asked_about_is_trusted_less(
        empty_dir: Path, kb: KnowledgeBase) -> None:
    # "Who won the Champions League?" must not be answered confidently with a fact about
    # another contest: the question's names count against a fact that lacks them.
    stories = {"budget": ("Hamburg council news", "The Hamburg city council approved the new "
                          "harbour budget of 40 million euros on Monday."),
               "museum": ("Lisbon museum news", "A museum in Lisbon opened a new wing for "
                          "modern art on Friday.")}
    for name, (title, body) in stories.items():
        (empty_dir / f"{name}.json").write_text(json.dumps({"title": title, "body": body}))
    load_directory(kb, empty_dir)
    engine = lexical_engine(kb)
    right = engine.explain("What budget did the Hamburg council approve?")[0]
    wrong = engine.explain("What budget did the Lisbon council approve?")[0]
    assert "Hamburg" in right.row.text
    assert "Hamburg" in wrong.row.text
    assert (right.features["names_missed"], wrong.features["names_missed"]) == (0.0, 1.0)
    assert wrong.confidence < right.confidence


def test_a_word_the_articles_use_in_another_form_is_known_not_a_typo(
        engine: AnswerEngine) -> None:
    # The seed says "warned", never "warn": a question in the base form is not about
    # something the articles lack, and must not lose confidence for it.
    best = engine.explain("What did the ministry warn about?")[0]
    assert best.features["unknown"] == 0.0
    assert best.features["corrected"] == 0.0


def test_the_speller_finds_the_form_the_articles_use() -> None:
    speller = Speller({"warned": 3, "warning": 5, "decided": 2, "took": 1, "carried": 1})
    assert [speller.correct(w) for w in ("warn", "decide", "take", "carry")] == [
        "warning", "decided", "took", "carried"]
    assert speller.correct("ward") is None  # a short word of another stem is not a form


def test_a_misspelt_name_is_corrected_to_a_name_the_articles_use(engine: AnswerEngine) -> None:
    # "Mecac" is one letter off "Mecca", which the seed writes as a name: a typo, answered
    # without the doubt an unknown name brings.
    question = "How many people died when the crane fell in Mecac?"
    assert "crane" in top(engine, question)
    assert engine.explain(question)[0].features["unknown_name"] == 0.0


def test_an_unknown_name_is_not_corrected_to_a_common_word(
        empty_dir: Path, kb: KnowledgeBase) -> None:
    # "Apple" is one letter off "apply", but the articles never write "apply" as a name: the
    # question is about something they do not cover. "Kebya" is one letter off "Kenya",
    # which they do write as a name: a typo.
    engine = engine_on(empty_dir, kb, "Visa rules",
                       "Students must apply for a visa before they travel. "
                       "The new rules apply from Monday to students in Kenya.")
    apple = engine.explain("When do students apply to Apple for a visa?")[0].features
    kenya = engine.explain("When do students apply to Kebya for a visa?")[0].features
    assert apple["unknown_name"] == 1.0
    assert kenya["unknown_name"] == 0.0
    assert kenya["corrected"] > 0.0


def test_a_short_word_is_corrected_only_when_it_is_no_english_word() -> None:
    # "Tsla" and "bzll" are slips; "joke" is a word of another topic, not a slip of "joker".
    speller = Speller({"tesla": 4, "ball": 3, "joker": 2, "jones": 5})
    assert speller.correct("tsla") == "tesla"
    assert speller.correct("bzll") == "ball"
    assert speller.correct("joke") is None
    assert speller.correct("jokr") == "joker"


def test_a_real_word_is_corrected_to_another_form_of_it_never_to_another_word() -> None:
    # "unexpected" is no slip of "expected": it means the opposite. "mercy" is no "Percy".
    speller = Speller({"expected": 9, "percy": 3, "defended": 4, "criticised": 2,
                       "expressing": 2})
    assert speller.correct("unexpected") is None
    assert speller.correct("mercy") is None
    assert speller.correct("descended") is None
    assert speller.correct("criticized") == "criticised"
    assert speller.correct("expression") == "expressing"
    assert speller.correct("expectd") == "expected"  # a slip, not a word: corrected


def test_a_misspelt_stopword_is_dropped_not_held_against_the_question(
        engine: AnswerEngine) -> None:
    assert [stopword_typo(w) for w in ("betwejen", "durig", "apbout")] == [
        "between", "during", "about"]
    assert stopword_typo("thee") is None  # an English word, not a slip of "the"
    assert stopword_typo("zhang") is None
    clean = engine.explain("What happened to Zhang during 2019?")[0]
    typo = engine.explain("What happened to Zhang durig 2019?")[0]
    assert typo.row == clean.row
    assert typo.features["unknown"] == 0.0
    assert typo.confidence == pytest.approx(clean.confidence)


def test_a_request_for_a_joke_is_not_answered_with_the_joker(
        empty_dir: Path, kb: KnowledgeBase) -> None:
    engine = engine_on(empty_dir, kb, "Comic convention",
                       "Mark Hamill, the voice of the Joker in the animated series, signed "
                       "posters on Saturday. The convention drew 40,000 visitors.")
    assert not engine.ask("Tell me a joke").answered
    assert "Hamill" in top(engine, "Who voiced the Jokr?")


def test_a_how_many_question_is_not_answered_by_a_fact_without_a_number(
        articles_dir: Path, kb: KnowledgeBase) -> None:
    # The only spider fact says nothing countable: "How many legs ...?" is not in the articles.
    # An editor's article among the shipped ones: the confidence is fitted on knowledge bases
    # of dozens of articles, and a base of two sentences is not one the bot serves.
    engine = engine_on(articles_dir, kb, "Comb jellies",
                       "Comb jellies catch prey with as wide a range of methods as spiders "
                       "use. Their eight rows of combs beat in waves.")
    best = engine.explain("How many legs does a spider have?")[0]
    assert best.features["type_missed"] == 1.0
    assert not engine.ask("How many legs does a spider have?").answered
    assert engine.ask("How many rows of combs do comb jellies have?").answered


def test_a_misspelt_name_finds_the_name_not_a_commoner_word(
        empty_dir: Path, kb: KnowledgeBase) -> None:
    # "Saper" is one letter from "paper" (commoner here) and from "Super" (a name here);
    # "Peton" from "Peyton", a name that only ever opens a sentence.
    engine = engine_on(empty_dir, kb, "Final week",
                       "The paper printed a special edition. The paper sold out by noon. "
                       "Crowds filled the stadium for the Super Bowl on Sunday. Peyton "
                       "Manning led the Broncos to the title.")
    bowl = engine.explain("Who filled the stadium for the Saper Bowl?")[0]
    assert "Super Bowl" in bowl.row.text
    assert bowl.features["unknown_name"] == 0.0
    manning = engine.explain("Which team did Peton Manning lead?")[0]
    assert "Broncos" in manning.row.text
    assert manning.features["unknown_name"] == 0.0
    assert not kb.used_as_name("paper")


def test_a_word_opening_a_quotation_is_not_taken_for_a_name(
        empty_dir: Path, kb: KnowledgeBase) -> None:
    """"Ne" is capitalised because the quotation starts with it, not because it is a name:
    a lone "NE" typed (or pasted) is then no question about the man quoted."""
    engine_on(empty_dir, kb, "Last words",
              "His last words to his brother were: “Ne pleure pas, Alfred!” He died the next "
              "morning. Peyton Manning led the Broncos to the title. The museum's first "
              "director, Tulmut Seamans, retired.")
    assert not kb.used_as_name("ne")
    assert kb.used_as_name("peyton")
    assert kb.used_as_name("seaman")  # a form of it, capitalised: "Seamans"


def test_a_fact_sharing_no_word_with_the_question_is_found_by_its_meaning(
        articles_dir: Path, kb: KnowledgeBase) -> None:
    # "inhabitants reside" for "population": no word of the question is in the answer, so
    # the words alone never make it a candidate; its static vector is near the question's.
    (articles_dir / "harbour.json").write_text(json.dumps({
        "title": "Harbour city",
        "body": "The harbour city council met on Monday to approve the new budget. Roughly 2.4 "
                "million inhabitants reside in the metropolitan area. The harbour is known for "
                "its old bridges."}))
    load_directory(kb, articles_dir)
    question = "What is the population of the harbour city?"
    fact = top(semantic_engine(kb), question)
    assert fact == "Roughly 2.4 million inhabitants reside in the metropolitan area."
    assert not set(content_words(question)) & set(content_words(fact))


def test_of_two_facts_the_words_match_alike_the_one_nearer_in_meaning_comes_first(
        empty_dir: Path, kb: KnowledgeBase) -> None:
    # Same words matched, same length, same article title: lexically a tie, which fact order
    # would settle for the auditor. The tiger is nearer "animal" in meaning.
    for name, body in (("a", "The zoo welcomed a tax auditor on Tuesday."),
                       ("b", "The zoo welcomed a young tiger on Tuesday."),
                       ("c", "Animal lovers gathered at the town hall.")):
        (empty_dir / f"{name}.json").write_text(json.dumps({"title": "Zoo news", "body": body}))
    load_directory(kb, empty_dir)
    engine = AnswerEngine(kb, semantic=False)  # static vectors, no MiniLM to break the tie
    auditor, tiger = sorted((s for s in engine.explain("Which animal did the zoo welcome on "
                                                       "Tuesday?") if "zoo" in s.row.text),
                            key=lambda s: s.row.fact_id)
    lexical = set(RANK_FEATURES) - {"static", "nearest"}
    assert {n: auditor.features[n] for n in lexical} == {n: tiger.features[n] for n in lexical}
    assert "young tiger" in top(engine, "Which animal did the zoo welcome on Tuesday?")
