"""The quality targets of issue 5, measured on the labelled data of tests/data."""
from services.verification import evaluate


def test_the_data_set_is_large_enough_and_labelled_with_known_values():
    tips, pairs = evaluate.load("tips_labelled.jsonl"), evaluate.load("duplicate_pairs.jsonl")
    ids = {t["id"] for t in tips}
    assert len(tips) >= 300 and len(ids) == len(tips)
    assert {t["category"] for t in tips} == set(evaluate.CATEGORIES)
    assert {t["priority"] for t in tips} == set(evaluate.PRIORITIES)
    assert len(pairs) >= 60 and all(p["a"] in ids and p["b"] in ids for p in pairs)
    assert sum(p["duplicate"] for p in pairs) >= 30 and sum(not p["duplicate"] for p in pairs) >= 30


def test_triage_and_duplicates_meet_their_targets():
    report = evaluate.evaluate()
    assert report["triage"]["test"].macro_f1 >= evaluate.TARGET_MACRO_F1
    for half in ("test", "all", "every pair"):
        assert report["duplicates"][half].precision >= evaluate.TARGET_DUPLICATE_PRECISION
    assert report["duplicates"]["all"].recall >= 0.8


def test_the_report_prints_a_table(capsys):
    evaluate.main()
    out = capsys.readouterr().out
    assert "macro F1" in out and "illegal_lending" in out and "every pair" in out
