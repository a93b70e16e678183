"""Chat assembly meets its targets on every gold chat (benchmarks/assembly_eval.py)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "assembly_eval", ROOT / "benchmarks" / "assembly_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


EVAL = _load()


def _check(case: object) -> dict[str, object]:
    tallies = EVAL.evaluate(case)
    for name, tally in tallies.items():
        assert tally.misses() == {}, (name, tally.errors)
    return tallies


def test_hard_cases_meet_the_targets() -> None:
    tallies = _check(EVAL.hardcases())
    rows = {name: (t.posts, t.gold_questions, t.gold_answers, t.missed, t.extra)
            for name, t in tallies.items()}
    assert rows == {"A": (71, 7, 40, 0, 0), "B": (33, 5, 18, 0, 0), "C": (16, 3, 8, 0, 0)}


def test_real_cancerchat_meets_the_targets(shared_data: Path) -> None:
    [tally] = _check(EVAL.cancerchat(shared_data)).values()
    assert (tally.posts, tally.gold_questions, tally.gold_answers, tally.predicted_answers) == (
        88, 4, 17, 17)
    assert (tally.missed, tally.extra) == (0, 0)


@pytest.mark.parametrize("detect", [False, True])
def test_solopr_meets_the_targets(detect: bool) -> None:
    [tally] = _check(EVAL.solopr(detect=detect)).values()
    assert (tally.gold_questions, tally.gold_answers) == (6, 90)
    # Detected, the chat runs to its late answer at 19:40 and so takes in the 19:14 recap note.
    assert (tally.posts, tally.missed, tally.extra) == ((199, 0, 1) if detect else (200, 0, 0))


def test_the_scores_count_mistakes() -> None:
    tally = EVAL.Tally(gold_questions=4, found_questions=5, right_questions=4, gold_answers=20,
                       answers_found=18, predicted_answers=20, answers_confirmed=18)
    assert (tally.question_precision, tally.question_recall, round(tally.question_f1, 3)) == (
        0.8, 1.0, 0.889)
    assert tally.misses() == {"question_f1": pytest.approx(0.8889, abs=1e-4),
                              "answer_accuracy": 0.9, "answer_precision": 0.9}


def test_hardcases_json_is_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("hardcases", ROOT / "fixtures/gold/hardcases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    written = json.loads((ROOT / "fixtures/gold/hardcases.json").read_text(encoding="utf-8"))
    assert written == module.gold()


def test_benchmark_prints_a_table() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "assembly_eval.py")],
                            capture_output=True, text=True, check=True, timeout=120)
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["gold", "chat", "posts"]
    assert lines[-1].startswith("overall")
