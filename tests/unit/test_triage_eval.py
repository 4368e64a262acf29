"""The labelled batches, their dev/test split, the shipped model, and the figures of the README."""
import re
from pathlib import Path

import pytest

from services.verification import evaluate, labelled, linear, train_triage
from services.verification.triage import MODEL_PATH, triage

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def report():
    return evaluate.evaluate()


def test_the_batches_are_large_enough_and_labelled_with_known_values():
    tips = labelled.tips("dev") + labelled.tips("test")
    assert len(tips) >= 1500 and len({t["id"] for t in tips}) == len(tips)
    assert {t["category"] for t in tips} == set(evaluate.CATEGORIES)
    assert {t["priority"] for t in tips} == set(evaluate.PRIORITIES)
    for batch in labelled.batches():
        assert {t["category"] for t in batch.tips} == set(evaluate.CATEGORIES), batch.name
        ids = {t["id"] for t in batch.tips}
        assert batch.pairs and all(p["a"] in ids and p["b"] in ids for p in batch.pairs), batch.name
    hard = [p for b in labelled.split("test") for p in b.pairs if p["kind"] in evaluate.HARD_KINDS]
    assert sum(p["duplicate"] for p in hard) >= 30 and sum(not p["duplicate"] for p in hard) >= 30


def test_the_split_is_by_batch_and_the_test_half_holds_no_dev_tip_or_pair():
    assert [b.name for b in labelled.split("dev")] == ["b0", "W1", "W2"]
    assert [b.name for b in labelled.split("test")] == ["W3", "W4", "W5"]
    dev, test = labelled.tips("dev"), labelled.tips("test")
    assert not {t["id"] for t in dev} & {t["id"] for t in test}
    assert not {t["text"] for t in dev} & {t["text"] for t in test}
    test_ids = {t["id"] for t in test}
    for batch in labelled.split("test"):
        assert all(p["a"] in test_ids and p["b"] in test_ids for p in batch.pairs)
    for batch in labelled.split("dev"):
        assert not any(p["a"] in test_ids or p["b"] in test_ids for p in batch.pairs)


def test_the_shipped_model_was_trained_on_the_dev_batches_only():
    meta = linear.read(MODEL_PATH)["meta"]
    assert meta["split"] == "dev"
    assert meta["batches"] == {b.name: len(b.tips) for b in labelled.split("dev")}
    assert meta["tips_sha256"] == train_triage.digest(labelled.tips("dev"))
    assert meta["c_category"] == train_triage.C_CATEGORY and meta["min_df"] == train_triage.MIN_DF


def test_the_shipped_model_is_what_the_training_command_gives():
    category, priority = train_triage.train(labelled.tips("dev"))  # about 15 s of CPU
    shipped = linear.read(MODEL_PATH)
    for name, model in (("category", category), ("priority", priority)):
        stored = linear.LinearModel.of_json(shipped[name])
        assert stored.classes == model.classes and stored.features.keys() == model.features.keys()
        assert max(abs(a - b) for f, (_, ws) in model.features.items()
                   for a, b in zip(ws, stored.features[f][1])) < 1e-3, name
    sample = labelled.tips("test")[::7]
    assert [triage(t["text"], using=(category, priority)).category for t in sample] == \
           [triage(t["text"]).category for t in sample]


def test_the_readme_gives_the_figures_make_eval_prints(report):
    text = README.read_text(encoding="utf-8")
    rows = {"category macro F1": report["triage"]["test"].macro_f1,
            "priority macro F1": report["priority"]["test"].macro_f1,
            "recall of high": report["priority"]["test"].per_label["high"][1]}
    for name, value in rows.items():
        found = re.search(rf"\| {name}[^|]*\| [^|]* \| ([0-9.]+) \|", text)  # the test column
        assert found and float(found.group(1)) == round(value, 2), name


def test_the_test_figures_are_those_of_a_working_triage(report):
    # not the targets (the README says which are missed): a floor that catches a broken model
    assert report["triage"]["test"].macro_f1 >= 0.85
    assert report["priority"]["test"].per_label["high"][1] >= 0.85
    assert report["duplicates"]["test"]["hard positive"].recall >= 0.7
    assert report["triage"]["dev"].n == len(labelled.tips("dev"))


def test_the_report_prints_a_table(capsys):
    evaluate.main()
    out = capsys.readouterr().out
    assert "macro F1" in out and "illegal_lending" in out and "every pair" in out and "W5" in out
    assert "hard negative" in out and "CPU time per tip" in out
