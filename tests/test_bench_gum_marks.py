"""bench.gum_marks reads GUM's CoNLL-U and labels each mark: does GUM end a sentence there?"""

from __future__ import annotations

from bench.gum_marks import conllu_tokens, mark_rows

CONLLU = """# text = He came: she left;
1\tHe\the\tPRON\t_\t_\t2\tnsubj\t_\t_
2\tcame\tcome\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No
3\t:\t:\tPUNCT\t_\t_\t2\tpunct\t_\t_
4\tshe\tshe\tPRON\t_\t_\t5\tnsubj\t_\t_
5\tleft\tleave\tVERB\t_\t_\t2\tparataxis\t_\tSpaceAfter=No
6\t;\t;\tPUNCT\t_\t_\t2\tpunct\t_\t_

# text = It rained.
1\tIt\tit\tPRON\t_\t_\t2\texpl\t_\t_
2\trained\train\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No
3\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_
"""


def test_a_mark_is_labelled_by_whether_gum_ends_a_sentence_after_it() -> None:
    sentences = conllu_tokens(CONLLU)
    assert [len(s) for s in sentences] == [6, 3]
    rows = mark_rows(sentences)
    assert [cut for _, cut in rows] == [False, True]  # ":" inside, ";" at the end
