"""What is offered after an answer or a refusal (assistant/answering/suggest.py), on the seed article's index."""
from __future__ import annotations

from assistant.answering import suggest
from assistant.answering.query import prepare


def _retrieval(assistant, question: str):
    ctx = assistant._context()
    q = prepare(ctx.corpus, question)
    return ctx.corpus, ctx.retriever.retrieve(q, ctx.embed([q.search])[0])


def test_after_a_question_faq_questions_come_first_closest_first(assistant):
    corpus, r = _retrieval(assistant, "Will Ukraine join NATO?")
    offered = suggest.suggestions(corpus, r, 3)
    faq = {f"{corpus.passages[pi].question.rstrip('?. ')}?": row for pi, row in corpus.faq_rows.items()}
    assert len(offered) == 3 and all(o in faq for o in offered)  # the article has five FAQ questions
    closeness = [float(r.sentence_sims[faq[o]]) for o in offered]
    assert closeness == sorted(closeness, reverse=True)
    assert max(float(r.sentence_sims[row]) for row in faq.values()) == closeness[0]


def test_follow_ups_leave_out_what_was_cited_and_keep_the_order(assistant):
    corpus, r = _retrieval(assistant, "Will Ukraine join NATO?")
    everything = suggest.follow_ups(corpus, set(), r, 10)
    assert len(everything) == len([pi for pi in corpus.faq_rows if corpus.passages[pi].question])
    rows = {corpus.passages[pi].question: row for pi, row in corpus.faq_rows.items()}
    sims = [float(r.sentence_sims[rows[q]]) for q in everything]
    assert sims == sorted(sims, reverse=True)
    first = next(pi for pi in corpus.faq_rows if corpus.passages[pi].question == everything[0])
    assert suggest.follow_ups(corpus, {first}, r, 10) == everything[1:]
    in_order = [corpus.passages[pi].question for pi in corpus.faq_rows if corpus.passages[pi].question]
    assert suggest.follow_ups(corpus, set(), None, 2) == in_order[:2]  # no question to be close to: sources' order
