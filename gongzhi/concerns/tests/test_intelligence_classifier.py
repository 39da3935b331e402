"""The category classifier: shipped model on real raw messages, training, save/load."""

import csv
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score

from gongzhi.concerns.intelligence import classifier
from gongzhi.concerns.intelligence.segmentation import segment

FIXTURES = Path(__file__).with_name("fixtures")


def _rows() -> list[dict[str, str]]:
    with (FIXTURES / "labeled_messages_sample.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _raw_rows() -> list[dict[str, str]]:
    return [r for r in _rows() if r["body"].strip()]


def test_segmentation_reproduces_the_training_tokens():
    # "A市" loses its letter, digits 0-9 and stop words go, "A3" and "2015" stay.
    assert segment("A市西湖建筑集团占道施工有安全隐患") == [
        "市",
        "西湖",
        "建筑",
        "集团",
        "占",
        "道",
        "施工",
        "安全隐患",
    ]
    assert "A3" in segment("A3区大道西行便道")
    assert segment("") == []


def test_shipped_model_classifies_real_raw_messages():
    rows = _raw_rows()
    model = classifier.load()
    predictions = model.predict([r["title"] + "\n" + r["body"] for r in rows])
    truth = [r["category"] for r in rows]
    assert f1_score(truth, [c for c, _ in predictions], average="macro") > 0.85
    assert all(0.0 <= confidence <= 1.0 for _, confidence in predictions)


def test_shipped_model_has_the_seven_first_level_categories():
    expected = {"城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输"}
    assert set(classifier.load().classes) == expected


def test_empty_text_still_gets_a_category():
    [(category, confidence)] = classifier.load().predict([""])
    assert category in classifier.load().classes and 0 < confidence < 1


def test_training_on_a_small_slice_round_trips_through_a_file(tmp_path):
    rows = _rows()
    model = classifier.train(rows[::2])
    path = model.save(tmp_path / "model.npz")
    loaded = classifier.load(path)
    texts = [r["title"] + r["body"] for r in rows[1::2] if r["body"]]
    assert [c for c, _ in loaded.predict(texts)] == [c for c, _ in model.predict(texts)]
    assert loaded.classes == model.classes


def test_training_uses_rows_with_tokens_only():
    rows = [r for r in _rows() if not r["body"].strip()]
    model = classifier.train(rows, calibrate=False)
    assert len(model.classes) == 7


def test_training_refuses_a_single_category():
    with pytest.raises(ValueError, match="two categories"):
        classifier.train([{"category": "教育文体", "tokens": "学校 学位"}] * 3)


def test_model_features_equal_scikit_learns_tfidf():
    # Scoring without scikit-learn must compute the very features the SVM was trained on.
    docs = [["小区", "噪音", "噪音"], ["学校", "学位"], [], ["小区", "学校", "新词"]]
    reference = TfidfVectorizer(analyzer=classifier.char_features, sublinear_tf=True).fit(docs)
    block = classifier.TfidfBlock(dict(reference.vocabulary_), reference.idf_)
    ours = block.transform([classifier.char_features(d) for d in docs]).toarray()
    assert np.allclose(ours, reference.transform(docs).toarray())


def test_loading_something_else_fails_clearly(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, meta=np.array('{"format": "other"}'))
    with pytest.raises(ValueError, match="not a"):
        classifier.load(path)


def test_character_features_go_up_to_three_characters():
    assert classifier.char_features(["小区", "噪音"]) == (
        ["小", "区", "噪", "音", "小区", "区噪", "噪音", "小区噪", "区噪音"]
    )
    assert classifier.char_features(["小区"], 2) == ["小", "区", "小区"]


def test_unlabeled_rows_widen_the_vocabulary_but_give_no_labels():
    rows = _rows()
    labelled = [r for r in rows[::2] if r["body"].strip()] + [r for r in rows[::2] if not r["body"]]
    unlabeled = [{"title": r["title"], "body": r["body"]} for r in rows[1::2] if r["body"].strip()]
    plain = classifier.train(labelled, calibrate=False)
    wider = classifier.train(labelled, unlabeled=unlabeled, calibrate=False)
    assert wider.classes == plain.classes
    assert len(wider.words.vocabulary) > len(plain.words.vocabulary)


def test_retraining_on_the_same_slice_writes_the_same_bytes(tmp_path):
    # `concerns train --data` must reproduce the shipped file: fixed SVM seed, fixed fold split,
    # and a .npz written without timestamps.
    rows = _rows()[::3]
    first = classifier.train(rows).save(tmp_path / "a.npz")
    second = classifier.train(rows).save(tmp_path / "b.npz")
    assert first.read_bytes() == second.read_bytes()
    assert classifier.load(first).temperature == classifier.load(second).temperature


def test_character_weight_lives_in_the_stored_coefficients():
    # Trained on words + CHAR_WEIGHT × characters; scoring the unweighted features with the stored
    # coefficients gives the SVM's own decision values.
    from scipy import sparse
    from sklearn.svm import LinearSVC

    rows = _rows()[::2]
    tokens = [classifier.row_tokens(r) for r in rows]
    labels = [r["category"] for r in rows]
    model = classifier.fit_tokens(tokens, labels, calibrate=False)
    words = model.words.transform(classifier.word_features(t) for t in tokens)
    chars = model.chars.transform(classifier.char_features(t) for t in tokens)
    svm = LinearSVC(C=classifier.SVM_C, class_weight="balanced", random_state=classifier.RANDOM_STATE)
    svm.fit(sparse.hstack([words, classifier.CHAR_WEIGHT * chars], format="csr"), labels)
    assert classifier.CHAR_WEIGHT != 1.0
    svm_alone = dataclasses.replace(model, memory=None)
    assert np.allclose(
        svm_alone.decision(tokens),
        svm.decision_function(sparse.hstack([words, classifier.CHAR_WEIGHT * chars])),
        atol=2e-3,  # the stored coefficients are half precision
    )


def test_the_nearest_labelled_messages_vote_as_brute_force_counts_them():
    # decision = SVM margins + NEIGHBOUR_WEIGHT x each category's share of the similarity of the
    # NEIGHBOURS most similar training messages, recomputed here from the memory's dense vectors.
    rows = _rows()
    model = classifier.fit_tokens(
        [classifier.row_tokens(r) for r in rows[::2]], [r["category"] for r in rows[::2]], calibrate=False
    )
    tokens = [classifier.row_tokens(r) for r in rows[1::2]][:40]
    memory = model.memory.vectors.toarray()
    assert np.allclose(np.linalg.norm(memory, axis=1), 1.0, atol=1e-3)  # half precision
    assert (np.count_nonzero(memory, axis=1) <= classifier.MEMORY_TERMS).all()
    words = model.words.transform(classifier.word_features(t) for t in tokens).toarray()
    chars = model.chars.transform(classifier.char_features(t) for t in tokens).toarray()
    similarity = np.hstack([words, model.char_weight * chars]) @ memory.T
    expected = np.zeros((len(tokens), len(model.classes)))
    for i, row in enumerate(similarity):
        for j in np.argsort(-row, kind="stable")[: classifier.NEIGHBOURS]:
            expected[i, model.memory.labels[j]] += row[j]
    expected /= expected.sum(axis=1, keepdims=True)
    svm_alone = dataclasses.replace(model, memory=None)
    assert np.allclose(model.decision(tokens) - svm_alone.decision(tokens), model.neighbour_weight * expected)


def test_memory_keeps_each_messages_heaviest_terms():
    from scipy import sparse

    x = sparse.csr_matrix(np.array([[0.1, 0.5, 0.3, 0.5], [0.0, 0.0, 0.0, 0.0], [2.0, 0.0, 0.0, 1.0]]))
    kept = classifier.heaviest_terms(x, 2).toarray()
    # Ties go to the lower column; rows are unit length again; an empty row stays empty.
    assert np.allclose(kept[0], [0, 1 / np.sqrt(2), 0, 1 / np.sqrt(2)])
    assert not kept[1].any()
    assert np.allclose(kept[2], np.array([2.0, 0, 0, 1.0]) / np.sqrt(5))


def test_a_text_like_a_labelled_message_is_voted_its_category():
    rows = [r for r in _rows() if r["body"].strip()]
    model = classifier.train(rows, calibrate=False)

    def votes(tokens: list[list[str]]) -> np.ndarray:
        words = model.words.weighted(model.words.hits(classifier.word_features(t) for t in tokens))
        chars = model.chars.weighted(model.chars.gram_hits(["".join(t).lower() for t in tokens], 3))
        return model.memory.shares(model._queries(words, chars), len(tokens), len(model.classes))

    own = votes([classifier.row_tokens(rows[0])])
    assert model.classes[int(own.argmax())] == rows[0]["category"]
    assert np.isclose(own.sum(), 1.0)
    # Nothing known in common with any message: no votes at all, only the SVM speaks.
    assert not votes([[]]).any()
    assert not votes([[], []]).any()


def test_numpy_character_grams_equal_the_string_features():
    # Scoring cuts character n-grams as integer keys; they must count exactly what char_features
    # (the training analyzer) counts, for short, empty, Latin and non-BMP texts too.
    rows = _rows()
    docs = [classifier.row_tokens(r) for r in rows] + [[], ["a"], ["ab"], ["噪音😀x"], ["ABC", "def"]]
    reference = TfidfVectorizer(analyzer=classifier.char_features, sublinear_tf=True, min_df=2).fit(docs)
    block = classifier.TfidfBlock(dict(reference.vocabulary_), reference.idf_)
    texts = ["".join(d).lower() for d in docs]
    fast = block.transform_grams(texts, classifier.CHAR_NGRAMS).toarray()
    assert np.allclose(fast, reference.transform(docs).toarray())
    assert np.allclose(fast, block.transform(classifier.char_features(d) for d in docs).toarray())
    assert block.transform_grams([], 3).shape == (0, len(reference.idf_))


def test_word_features_add_adjacent_pairs_when_asked():
    assert classifier.word_features(["违章", "停车", "A3"], bigrams=True) == [
        "违章",
        "停车",
        "a3",
        "违章 停车",
        "停车 a3",
    ]
    assert classifier.word_features(["违章", "停车"], bigrams=False) == ["违章", "停车"]
    assert classifier.word_features([], bigrams=True) == []


def test_a_model_with_word_pairs_round_trips_and_old_files_score_words_alone(tmp_path, monkeypatch):
    rows = _rows()[::2]
    shipped_setting = classifier.WORD_BIGRAMS
    monkeypatch.setattr(classifier, "WORD_BIGRAMS", True)
    paired = classifier.train(rows, calibrate=False)
    assert paired.word_bigrams and any(" " in term for term in paired.words.vocabulary)
    path = paired.save(tmp_path / "model.npz")
    texts = [r["title"] + "\n" + r["body"] for r in _raw_rows()[:30]]
    assert classifier.load(path).predict(texts) == paired.predict(texts)
    # Files saved before word pairs existed have no such setting: words alone, as trained.
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(str(arrays["meta"]))
    del meta["word_bigrams"]
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "old.npz", **arrays)
    assert classifier.load(tmp_path / "old.npz").word_bigrams is False
    # ...and files saved before the neighbours' vote have no memory: the SVM alone.
    for name in ("memory_indptr", "memory_indices", "memory_data", "memory_labels"):
        del arrays[name]
    np.savez(tmp_path / "older.npz", **arrays)
    older = classifier.load(tmp_path / "older.npz")
    assert older.memory is None
    tokens = [segment(t) for t in texts]
    assert np.allclose(
        older.decision(tokens), dataclasses.replace(paired, memory=None, word_bigrams=False).decision(tokens)
    )
    assert classifier.load().word_bigrams is shipped_setting


def test_scoring_one_message_or_many_equals_the_tfidf_matrices():
    # `decision` adds up the features without scipy for one message; both paths must give what the
    # TF-IDF matrices times the stored coefficients give.
    model = classifier.load()
    texts = [r["title"] + "\n" + r["body"] for r in _raw_rows()[:40]] + ["", "A"]
    tokens = [segment(t) for t in texts]
    words = model.words.transform(classifier.word_features(t, model.word_bigrams) for t in tokens)
    chars = model.chars.transform(classifier.char_features(t, model.char_ngrams) for t in tokens)
    expected = sparse.hstack([words, chars]).toarray() @ model.coef.T.astype(np.float64) + model.intercept
    svm_alone = dataclasses.replace(model, memory=None)
    assert np.allclose(svm_alone.decision(tokens), expected, atol=1e-6)
    assert np.allclose(np.vstack([svm_alone.decision([t]) for t in tokens]), expected, atol=1e-6)
    # With the neighbours' vote too, one at a time and in a batch agree.
    assert np.allclose(np.vstack([model.decision([t]) for t in tokens]), model.decision(tokens), atol=1e-9)
