#!/usr/bin/env python3
"""issue 12: establishes GoodAI's verdicts for test/fixtures/goodai/scorer-table.json by
running GoodAI's own `evaluate_correct` (and Prospective Memory's callback).

Usage: python scripts/goodai-verdicts.py <goodai-ltm-benchmark checkout> <table.json>

Needs: pip install rouge_score==0.1.2 pystache faker==20.1.0 tiktoken colorama time-machine
       pip install --no-deps goodai-ltm==0.4.4
GoodAI's LLM calls are answered from each case's scripted `judge` replies, in
order; the number of calls made is written back as `goodai.judge_calls`.
Nothing of GoodAI's code is copied: it is imported from the checkout given.
"""
import json
import sys
import types


def stub_modules(judge_queue):
    llm = types.ModuleType("utils.llm")

    def ask_llm(*args, **kwargs):
        if not judge_queue["replies"]:
            raise RuntimeError("GoodAI asked its LLM but the case scripts no judge reply")
        judge_queue["calls"] += 1
        return judge_queue["replies"].pop(0)

    llm.ask_llm = ask_llm
    llm.LLMContext = list
    llm.GPT_CHEAPEST = "stub"
    llm.make_user_message = lambda content: {"role": "user", "content": content}
    llm.count_tokens_for_model = lambda *a, script=None, **k: sum(len(s) // 4 + 1 for s in (script or []))
    # Any other name GoodAI's modules import from utils.llm (model names, message helpers) is a harmless stand-in.
    llm.__getattr__ = lambda name: (lambda *a, **k: {"role": "user", "content": a[0] if a else ""})
    sys.modules["utils.llm"] = llm
    sys.modules["zstd"] = types.ModuleType("zstd")


DATASETS = {
    "colours": ("datasets.colours", "ColourDataset"),
    "name_list": ("datasets.name_list", "NameListDataset"),
    "shopping": ("datasets.shopping", "ShoppingDataset"),
    "spy_meeting": ("datasets.spy_meeting", "SpyMeetingDataset"),
    "trigger_response": ("datasets.trigger_response", "TriggerResponseDataset"),
    "sallyanne": ("datasets.sally_ann", "SallyAnneDataset"),
    "jokes": ("datasets.jokes", "JokesDataset"),
    "chapterbreak": ("datasets.chapterbreak", "ChapterBreakDataset"),
    "locations_directions": ("datasets.locations_directions", "LocationsDirectionsDataset"),
    "prospective_memory": ("datasets.prospective_memory", "ProspectiveMemoryDataset"),
}


def verdict(case, judge_queue):
    import importlib
    module, cls = DATASETS[case["dataset"]]
    dataset_cls = getattr(importlib.import_module(module), cls)
    if case["dataset"] == "sallyanne":
        dataset_cls.extract_samples = lambda self: None  # its constructor reads the ToMi data; scoring needs none
    ds = dataset_cls(memory_span=10000)
    expected = case["expected_responses"]
    if case["dataset"] == "prospective_memory":
        quote, author, nth = expected[0]
        question = f"please append the quote from {author}, to your nth response."
        example = ds.create_example(script=[f"{quote!r} - {author}", question], expected_responses=expected,
                                    is_question=[False, True], uses_callback=True)
        log = [f"Test (2024-01-01 09:00:00.000000): {example.script[0]}", "Agent (2024-01-01 09:00:01.000000): Noted.",
               f"Test (2024-01-01 09:00:02.000000): {question}"]
        for i, reply in enumerate(case["answers"]):
            if i > 0:
                log.append(f"System (2024-01-01 09:01:{i:02d}.000000): filler message {i}")
            log.append(f"Agent (2024-01-01 09:01:{i:02d}.500000): {reply}")
        score, max_score, _, done = ds.continual_evaluation_callback(None, example, log)
        return {"score": score / max_score, "done": done}
    questions = case.get("questions") or ["question"] * len(case["answers"])
    score, max_score, _ = ds.evaluation_fn()(questions, case["answers"], expected)
    return {"score": score}


def main():
    root, table_path = sys.argv[1], sys.argv[2]
    sys.path.insert(0, root)
    judge_queue = {"replies": [], "calls": 0}
    stub_modules(judge_queue)
    with open(table_path) as fd:
        table = json.load(fd)
    for case in table["cases"]:
        judge_queue["replies"] = list(case.get("judge", []))
        judge_queue["calls"] = 0
        try:
            result = verdict(case, judge_queue)
        except Exception as exc:  # GoodAI itself raises on some replies; the table records that
            result = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        if judge_queue["calls"]:
            result["judge_calls"] = judge_queue["calls"]
        case["goodai"] = result
    with open(table_path, "w") as fd:
        json.dump(table, fd, indent=2, ensure_ascii=False)
        fd.write("\n")
    print(f"{len(table['cases'])} cases; {sum('error' in c['goodai'] for c in table['cases'])} raised in GoodAI's code")


if __name__ == "__main__":
    main()
