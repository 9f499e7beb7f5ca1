"""The learned answer models: stored as plain JSON with the golden data they came from, thresholds chosen by
cross-validation, and the quick leave-one-article-out gate (the full table: `assistant eval --loao`)."""
from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.answering.features import QUESTION_FEATURES, SENTENCE_FEATURES
from assistant.answering.learned import DEFAULT_MODEL, Linear, Models
from assistant.evaluation import training
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # 10 s or more together: started first under `make test`

GOLDEN = sorted(glob.glob(str(ROOT / "tests" / "golden" / "corpus" / "*.jsonl")))
SOURCE_DIRS = [ROOT / "sources", ROOT / "tests" / "data" / "corpus"]


def test_linear_model_round_trips_through_json_and_checks_its_features():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, len(SENTENCE_FEATURES)))
    y = (X[:, 0] + 0.3 * rng.normal(size=200) > 0).astype(float)
    m = Linear.fit(X, y, SENTENCE_FEATURES)
    again = Linear.from_dict(m.to_dict(), SENTENCE_FEATURES)
    assert np.allclose(m.proba(X), again.proba(X), atol=1e-4)
    assert (m.proba(X)[y == 1].mean() > 0.7) and (m.proba(X)[y == 0].mean() < 0.3)
    with pytest.raises(ValueError, match="assistant train"):
        Linear.from_dict(m.to_dict(), QUESTION_FEATURES)


def test_models_round_trip_with_and_without_the_off_topic_model():
    """The off-topic model and its cut are stored with the others; a file from before it loads without the gate."""
    import json

    rng = np.random.default_rng(1)
    Q = rng.normal(size=(300, len(QUESTION_FEATURES)))
    S = rng.normal(size=(300, len(SENTENCE_FEATURES)))
    sel = Linear.fit(S, (S[:, 0] > 0).astype(float), SENTENCE_FEATURES)
    ans = Linear.fit(Q, (Q[:, 0] > 0).astype(float), QUESTION_FEATURES)
    topical = Linear.fit(Q, (Q[:, 1] > 0).astype(float), QUESTION_FEATURES)
    m = Models(sel, ans, 0.5, {}, topical, 0.3)
    again = Models.from_json(m.to_json())
    assert again.topical is not None and again.topical_threshold == 0.3
    on, off = np.zeros(len(QUESTION_FEATURES)), np.zeros(len(QUESTION_FEATURES))
    on[[0, 1]], off[[0, 1]] = (3.0, 3.0), (3.0, -3.0)  # both answerable; the second off the article's topic
    assert again.answers(on)[1] and not again.answers(off)[1]
    assert again.answers(off)[0] == pytest.approx(m.answers(off)[0], abs=1e-6) and m.answers(off)[0] > 0.5  # not changed
    old = json.loads(m.to_json())
    del old["topical"], old["topical_threshold"]
    assert Models.from_json(json.dumps(old)).answers(off)[1]  # no gate in an older file


def test_a_part_of_an_unanswerable_question_asking_several_things_is_not_labelled():
    from assistant.evaluation.golden import GoldenRow

    def sample(question, answerable):
        return training.Sample("a", GoldenRow("r", question, answerable), None, None, np.zeros(0))

    assert not sample("What is the fee, and who invented it?", False).labelled  # one part may be answerable
    assert sample("Who invented the fee?", False).labelled
    assert sample("What is the fee, and who sets it?", True).labelled


def test_best_threshold_maximises_correct_decisions():
    probs = np.array([0.1, 0.2, 0.35, 0.6, 0.7, 0.9])
    labels = np.array([0, 0, 0, 1, 1, 1])
    t = training.best_threshold(probs, labels)
    assert 0.35 < t <= 0.6
    assert training.best_threshold(probs, labels) == t  # deterministic


def test_every_article_weighs_the_same_in_training():
    w = training.article_weights(["big"] * 6 + ["small"] * 2)
    assert w[:6].sum() == pytest.approx(w[6:].sum())  # three times the rows, the same total weight
    assert w.mean() == pytest.approx(1.0)
    assert training.article_weights(["one"] * 4) == pytest.approx(np.ones(4))


def test_a_model_fitted_with_article_weights_is_not_led_by_the_biggest_article():
    # the big article's rows say feature 0 predicts the label, the small one's say the opposite; weighted equally,
    # neither wins
    rng = np.random.default_rng(0)
    big = rng.normal(size=(300, 1))
    small = rng.normal(size=(60, 1))
    X = np.vstack([big, small])
    y = np.concatenate([(big[:, 0] > 0), (small[:, 0] < 0)]).astype(float)
    plain = Linear.fit(X, y, ("f",), c=1.0)
    even = Linear.fit(X, y, ("f",), c=1.0, weight=training.article_weights(["big"] * 300 + ["small"] * 60))
    assert plain.coef[0] > 1.0 and abs(even.coef[0]) < 0.5 * plain.coef[0]


def test_best_threshold_prefers_a_broad_band_of_good_cuts_to_a_narrow_spike():
    """A cut squeezed between two training rows (0.55 refused, 0.58 answered) makes no error there but moves with
    any new row; the cut in the wide gap below, one error on these rows, holds."""
    probs = np.array([0.2, 0.3, 0.55, 0.58, 0.62, 0.73, 0.81, 0.97])
    labels = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    assert 0.3 < training.best_threshold(probs, labels) < 0.55


def test_shipped_model_was_trained_on_the_current_golden_files():
    models = Models.load(DEFAULT_MODEL)
    names = {p.split("/")[-1] for p in GOLDEN}
    assert set(models.trained_on["golden"]) == names
    assert models.trained_on["golden"] == training.fingerprint(GOLDEN), (
        "golden files changed since the model was trained: run "
        "`assistant train tests/golden/corpus/*.jsonl -o assistant/answering/model.json`")
    assert 0.0 < models.threshold < 1.0


# The quick gate's articles: five of the eight, of different forms (news, FAQ-heavy, data explainer, how-to, hard-wrapped
# Markdown with code), each indexed alone once per session (`index_settings`, `corpus_index`: the answering tests read
# the same indexes). Two of them are scored by models trained on the four others; the full eight-article table is
# `assistant eval --loao` (README).
POOL = ("article", "federal-web-covid", "rust-release-trains", "sharing-calendars-howto", "sourdough-starter")
HELD_OUT = {"article", "rust-release-trains"}
# Floors a little under what this gate measured when they were set (models trained on the four other pool articles;
# the figures differ from the README's eight-article table, where seven train):
#   article:             correct 0.933, out-of-scope refused 0.300, false refusals 0.015  (134 answerable, 50 not)
#   rust-release-trains: correct 0.679, out-of-scope refused 0.190, false refusals 0.036  (56 answerable, 21 not)
# Measured again on 2026-11-26 after the 'opens' selection feature (floors unchanged):
#   article 0.896 / 0.320 / 0.015; rust-release-trains 0.696 / 0.190 / 0.036.
# And after the answerability feature focus_mismatch (floors unchanged):
#   article 0.896 / 0.280 / 0.015; rust-release-trains 0.661 / 0.190 / 0.036.
# The margins are a few rows (one row of rust's 21 unanswerable is 0.048): a drop below them fails.
# Session 9 (2026-11-26): the article's floors had under one row of margin, so any retraining that moved the threshold
# failed the gate whichever way it moved. Treating "I'd" as a pronoun (not an unknown name) did: the gate's article went
# from 49 to 43 failing rows, trading answers for refusals (correct 0.888 → 0.858, out-of-scope refused 0.32 → 0.52,
# false refusals 0.007 → 0.052); rust 0.643 / 0.381 / 0.036. The gate now also holds the share of all rows right
# (answered right or rightly refused: the balance changes are judged on), about three rows under what it measured
# (article 0.766, rust 0.571); correct and false refusals for the article were loosened to three rows past it.
# 2026-11-27, after the sentence pairs, the stricter answer kinds and the name and compound repairs: article rows right
# 0.788, correct 0.873, out-of-scope refused 0.560, false refusals 0.030; rust 0.662 / 0.750 / 0.429 / 0.036. The
# floors moved up to about three rows under these (the same rule as before).
FLOORS = {
    "article": {"rows_right": 0.77, "correct": 0.85, "refusal": 0.50, "false_refusal": 0.06},
    "rust-release-trains": {"rows_right": 0.62, "correct": 0.69, "refusal": 0.28, "false_refusal": 0.09},
}


def golden_files_of(name: str) -> list[Path]:
    """NAME.jsonl and NAME.ANYTHING.jsonl cover the article NAME (as `assistant train` groups them)."""
    return [Path(g) for g in GOLDEN if Path(g).name.split(".", 1)[0] == name]


@pytest.fixture(scope="module")
def sets(index_settings, corpus_index, assistant):
    """The pool's article sets, as `training.article_sets` makes them (neutral models, candidates collected for
    every golden row), over the session's indexes instead of indexing each article again."""
    from assistant import Assistant
    from assistant.answering.core import State, load_snapshot_for
    from assistant.evaluation import golden
    from index import store

    out = []
    for name in POOL:
        settings = index_settings.with_(cache_size=0) if name == "article" else corpus_index(name)
        client = store.connect(settings)
        a = Assistant(settings, client, State(load_snapshot_for(settings, client), settings), assistant.embedder,
                      None, training.neutral_models())
        files = golden_files_of(name)
        s = training.ArticleSet(name, settings.index.sources[0], files, golden.load_many(files), a)
        s.samples = training.collect(s)
        out.append(s)
    training.add_foreign(out)
    return out


def test_quick_leave_one_article_out_gate(sets):
    """Two articles of different forms are each scored by models trained on the pool's other articles."""
    results = dict(training.leave_one_article_out(sets, sets[0].assistant.settings, only=HELD_OUT))
    assert set(results) == HELD_OUT
    for name, ev in results.items():
        s, floor = dict(ev.summary), FLOORS[name]
        s["rows_right"] = s["passed"] / s["rows"]
        print(name, {k: s[k] for k in floor}, {k: s[k] for k in ("answerable", "unanswerable")})
        assert s["rows_right"] >= floor["rows_right"], (name, s)
        assert s["correct"] >= floor["correct"], (name, s)
        assert s["refusal"] >= floor["refusal"], (name, s)
        assert s["false_refusal"] <= floor["false_refusal"], (name, s)


def test_held_out_rows_are_scored_by_models_trained_on_the_other_articles(sets, tmp_path):
    """`assistant eval --loao --held-out DIR`: an article's rows in DIR (never trained on) are what it is scored on."""
    import json

    rows = [{"id": "ho-answerable", "question": "How often does a new stable version come out?", "answerable": True,
             "key_facts": [["six weeks"]]},
            {"id": "ho-oos", "question": "Which company sponsors the Rust conference in Tokyo?", "answerable": False}]
    held = tmp_path / "rust-release-trains.jsonl"
    held.write_text("".join(json.dumps(r) + "\n" for r in rows))
    results = dict(training.leave_one_article_out(sets, sets[0].assistant.settings, held_out={"rust-release-trains": [held]}))
    assert set(results) == {"rust-release-trains"}  # articles without held-out rows are not scored
    ev = results["rust-release-trains"]
    assert [r.id for r in ev.results] == ["ho-answerable", "ho-oos"] and ev.summary["rows"] == 2
    # The printed table: one line per article, then each figure's mean and the share of all rows right.
    from assistant.cli.loao import table

    lines, means, right, _ = table(list(results.items()))
    assert len(lines) == 3 and lines[1].startswith("rust-release-trains") and lines[2].startswith("mean")
    assert means["correct"] == ev.summary["correct"] and right == ev.summary["passed"] / 2
    assert lines[2].split()[-1] == f"{right:.3f}"


def test_together_answers_every_article_from_one_index_of_them_all(sets, tmp_path):
    """`assistant eval --loao --together`: the rows are answered from one index of every article (several articles
    in sources/), with the models trained on the other articles."""
    shared = training.together(sets, tmp_path)
    expected = {p.name for s in sets for p in ([s.source] if s.source.is_file() else s.source.glob("*.md"))}
    assert {p.source for p in shared.snapshot.passages} == expected and len(expected) == len(sets)
    results = dict(training.leave_one_article_out(sets, sets[0].assistant.settings, only={"rust-release-trains"},
                                                  together=shared))
    ev = results["rust-release-trains"]
    assert ev.summary["rows"] == len(next(s for s in sets if s.name == "rust-release-trains").rows)
    cited = {c["source"] for r in ev.results for c in (r.to_dict().get("citations") or [])}
    assert cited and "rust-release-trains.md" in cited  # answered from the shared index, mostly from its own article
    assert ev.summary["correct"] >= 0.5


def test_held_out_needs_loao_and_files_named_after_an_article(tmp_path):
    from tests.conftest import cli_in_process

    public = ROOT / "tests" / "golden" / "public.jsonl"
    out = cli_in_process(["eval", public, "--held-out", tmp_path], {})
    assert out.returncode == 2 and "--held-out goes with --loao" in out.stderr
    out = cli_in_process(["eval", public, "--together"], {})
    assert out.returncode == 2 and "--together goes with --loao" in out.stderr
    (tmp_path / "unrelated.jsonl").write_text(public.read_text())
    out = cli_in_process(["eval", "--loao", *GOLDEN, "--held-out", tmp_path], {})
    assert out.returncode == 2 and "has no NAME.jsonl for any article" in out.stderr, out.stderr


def test_every_golden_file_covers_its_article():
    """All eight articles, no index needed: each has a source, at least 40 rows, and for most answerable rows a
    sentence of the article holding a key fact inside a passage holding the row's evidence (what labels a
    candidate good in training)."""
    from assistant.evaluation import golden
    from index.sources import discover, read_source

    names = sorted({Path(g).name.split(".", 1)[0] for g in GOLDEN})
    assert names == ["article", "carpentries-travel-reimbursement", "federal-web-covid", "plain-language-memo-faq",
                     "rust-release-trains", "sharing-calendars-howto", "sourdough-starter", "tts-solutions-history"]
    docs = {sf.name.rsplit(".", 1)[0]: sf for sf in discover(SOURCE_DIRS)}
    for name in names:
        rows = golden.load_many(golden_files_of(name))
        assert len(rows) >= 40, name
        passages = read_source(docs[name]).passages
        answerable = [r for r in rows if r.answerable and r.key_facts]
        covered = [r for r in answerable if any(
            any(golden.contains(sen.text, alt) for g in r.key_facts for alt in g for sen in p.sentences)
            and (not r.must_cite or any(golden.contains(p.text, m) for m in r.must_cite)) for p in passages)]
        # measured when set: 0.92 (sharing-calendars-howto) to 1.00 (carpentries-travel-reimbursement)
        assert len(covered) >= 0.9 * len(answerable), (name, len(covered), len(answerable))


def test_every_pool_set_has_rows_and_labelled_candidates(sets):
    """Retrieval puts a good candidate (key fact + evidence) among the candidates of most answerable rows."""
    assert [s.name for s in sets] == list(POOL)
    for s in sets:
        assert len(s.rows) >= 40
        assert sum(1 for smp in s.samples if smp.y.any()) >= 0.6 * sum(1 for r in s.rows if r.answerable)


def test_each_article_is_also_asked_the_other_articles_questions_as_unanswerable(sets):
    """`add_foreign`: standalone questions written for another article, labelled unanswerable, kept apart from the
    article's own rows (never in the answerability model's training, nor in a fold leaving their article out)."""
    for s in sets:
        foreign = [smp for smp in s.samples if smp.origin]
        assert {smp.origin for smp in foreign} == {o.name for o in sets} - {s.name}
        assert all(not smp.row.answerable and not smp.y.any() and not smp.row.history for smp in foreign)
        assert all(not {"about-article", "follow-up"} & set(smp.row.tags) for smp in foreign)
        assert all(smp.source_articles == {s.name, smp.origin} for smp in foreign)
    # the same questions every run
    import dataclasses

    two = [dataclasses.replace(s, samples=[smp for smp in s.samples if not smp.origin])
           for s in sets if s.name in ("article", "rust-release-trains")]
    training.add_foreign(two)
    for s, again in zip([s for s in sets if s.name in ("article", "rust-release-trains")], two):
        other = next(o.name for o in two if o is not again)
        assert ([smp.row.id for smp in again.samples if smp.origin]
                == [smp.row.id for smp in s.samples if smp.origin == other]) and len(again.samples) > len(s.rows)


def test_the_off_topic_cut_keeps_the_articles_own_questions(sets):
    """Trained on four articles, the off-topic model refuses few of the fifth's answerable questions (its cut is set
    to miss 1 % of them on articles left out) and most of the questions written for other articles."""
    held = "sourdough-starter"
    train = [smp for s in sets for smp in s.samples if held not in smp.source_articles]
    models = training.train(train, sets[0].assistant.settings)
    assert models.topical is not None
    s = next(s for s in sets if s.name == held)
    Q, y = training.question_matrix(s.samples, models.selection, s.assistant.settings)
    origin = np.array([bool(smp.origin) for smp in s.samples])
    on_topic = models.topical.proba(Q) >= models.topical_threshold
    own_answerable = (y == 1) & ~origin
    # measured when set: all of its own answerable questions kept, 0.95 of the foreign ones refused
    assert on_topic[own_answerable].mean() >= 0.95
    assert (~on_topic[origin]).mean() >= 0.8


def test_loao_needs_a_source_for_each_golden_file(tmp_path):
    """The real entry point (`python -m assistant`): exit 2 and one line, no traceback."""
    stray = tmp_path / "no-such-article.jsonl"
    stray.write_text((ROOT / "tests" / "golden" / "public.jsonl").read_text())
    out = subprocess.run([sys.executable, "-m", "assistant", "eval", "--loao", str(stray)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 2
    assert "no source named no-such-article.md" in out.stderr and "Traceback" not in out.stderr


def test_fold_models_are_saved_once_and_reused(sets, tmp_path):
    """`assistant eval --loao --fold-models DIR`: each fold's models are trained and saved the first time, then read
    back, so a rerun of changed code shows exactly which rows the change flips, without retraining noise."""
    import json

    first = dict(training.leave_one_article_out(sets, sets[0].assistant.settings, only={"rust-release-trains"},
                                                fold_models=tmp_path))
    saved = tmp_path / "rust-release-trains.json"
    assert [p.name for p in tmp_path.iterdir()] == [saved.name]
    again = dict(training.leave_one_article_out(sets, sets[0].assistant.settings, only={"rust-release-trains"},
                                                fold_models=tmp_path))
    outcome = lambda ev: [(r.id, r.passed, r.to_dict().get("answer")) for r in ev.results]  # noqa: E731
    assert outcome(again["rust-release-trains"]) == outcome(first["rust-release-trains"])
    model = json.loads(saved.read_text())
    model["threshold"] = 1.01  # read back, not retrained: nothing clears this threshold, so every row is refused
    saved.write_text(json.dumps(model))
    ev = dict(training.leave_one_article_out(sets, sets[0].assistant.settings, only={"rust-release-trains"},
                                             fold_models=tmp_path))["rust-release-trains"]
    # (only routes that do not use the models, such as questions about the article itself, still answer)
    assert ev.summary["refusal"] == 1.0
    assert ev.summary["false_refusal"] > first["rust-release-trains"].summary["false_refusal"] + 0.5


def test_stale_fold_models_are_a_clear_error(tmp_path):
    from tests.conftest import cli_in_process

    stale = tmp_path / "folds"
    stale.mkdir()
    (stale / "rust-release-trains.json").write_text('{"selection": {"features": ["old"]}}')
    out = cli_in_process(["eval", "--loao", *GOLDEN, "--fold-models", stale], {})
    assert out.returncode == 2 and "--fold-models" in out.stderr and "delete" in out.stderr and "Traceback" not in out.stderr
    out = cli_in_process(["eval", *GOLDEN[:1], "--fold-models", stale], {})
    assert out.returncode == 2 and "--fold-models goes with --loao" in out.stderr
