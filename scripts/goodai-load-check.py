#!/usr/bin/env python3
"""issue 12: loads every definitions/<Dataset>/<id>.def.json under a folder with
GoodAI's own `TestExample.load` (which raises on any key GoodAI does not know)
and scores each test's expected answer with GoodAI's `evaluate_correct`.

Usage: python scripts/goodai-load-check.py <goodai-ltm-benchmark checkout> <dataset dir>
Same Python set-up as scripts/goodai-verdicts.py.
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from importlib import import_module  # noqa: E402

verdicts = import_module("goodai-verdicts")


def right_answer(name, expected):
    if name == "Shopping":
        return [json.dumps([{"item": i, "quantity": q} for i, q in expected])]
    if name == "NameList":
        return [json.dumps(expected)]
    if name == "Spy Meeting":
        return [" ".join(e[0] for e in expected)]
    if name == "SallyAnne":
        return [json.dumps({"answer": expected[0]})]
    return list(expected)


def main():
    root, folder = sys.argv[1], Path(sys.argv[2])
    sys.path.insert(0, root)
    verdicts.stub_modules({"replies": [], "calls": 0})
    from dataset_interfaces.factory import DATASETS_BY_NAME
    from dataset_interfaces.interface import TestExample
    DATASETS_BY_NAME["SallyAnne"].extract_samples = lambda self: None
    loaded = scored = 0
    for path in sorted(folder.glob("definitions/*/*.def.json")):
        ds = DATASETS_BY_NAME[path.parent.name](memory_span=100000)
        example = TestExample.load(ds, path)
        loaded += 1
        if example.uses_callback or path.parent.name in ("Locations Directions",):
            continue  # scored by a callback / only through GoodAI's LLM
        score, _, reasons = ds.evaluation_fn()(["q"], right_answer(path.parent.name, example.expected_responses), example.expected_responses)
        assert score == 1, f"{path}: GoodAI scores the right answer {score}: {reasons}"
        scored += 1
    print(f"{loaded} definitions loaded by GoodAI's TestExample.load; {scored} right answers scored 1 by its evaluate_correct")


if __name__ == "__main__":
    main()
