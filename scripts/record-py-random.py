#!/usr/bin/env python3
"""Record what CPython 3.11's random.Random gives, for src/datasets/py-random.ts (issue 25 item 1).

    python3 scripts/record-py-random.py                      # writes test/fixtures/py-random/sequences.json
    python3 scripts/record-py-random.py --seeds '[{"int": "7"}, {"str": "x"}]'   # prints cases for these seeds

For every seed: the generator's state right after seeding (sha256 of its 625 words),
then a plan of calls (random, getrandbits, _randbelow, randrange, randint, choice,
shuffle, sample, choices, uniform) with their arguments and exact results, then the
state again. test/datasets/py-random.test.ts replays each call through PyRandom.

Encoding: an int that is a JS safe integer is a JSON number, a bigger one {"big": "<decimal>"};
a float is {"float": repr(x)} (repr round-trips, so no precision is lost); str stays str.
Seeds: {"int": "<decimal>"}, {"str": "..."} or {"bytes": "<hex>"}.
The plan of calls is drawn from its own generator, so it is the same on every run.
"""
import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

if sys.version_info[:2] != (3, 11):
    sys.exit(f"record-py-random.py records CPython 3.11's random; this is {sys.version.split()[0]}")

SAFE = 2**53 - 1
OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "py-random" / "sequences.json"


def enc(x):
    if x is None:
        return None
    if isinstance(x, bool):
        raise TypeError("no bools expected")
    if isinstance(x, int):
        return x if -SAFE <= x <= SAFE else {"big": str(x)}
    if isinstance(x, float):
        return {"float": repr(x)}
    if isinstance(x, str):
        return x
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    raise TypeError(type(x))


def state_hash(r):
    return hashlib.sha256(",".join(map(str, r.getstate()[1])).encode()).hexdigest()


def decode_seed(spec):
    if "int" in spec:
        return int(spec["int"])
    if "str" in spec:
        return spec["str"]
    return bytes.fromhex(spec["bytes"])


SEEDS = (
    [{"int": str(n)} for n in [
        0, 1, 2, 3, 42, 1234, 123456789, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1,
        2**53 + 1, 2**64 - 1, 2**64, 2**64 + 12345, 10**40 + 7, 3**200,
        -1, -42, -(2**32), -(2**70 + 3),
    ]]
    + [{"str": s} for s in [
        "", "a", "hello", "0", "Colours - 0", "NameList - 3", "Prospective Memory - 12",
        "Trigger Response - 1", "gpt-4-turbo", "café", "naïve résumé", "日本語のテスト",
        "emoji 🎲🃏", "\x00abc", "x" * 1000,
    ]]
    + [{"bytes": b.hex()} for b in [b"", b"\x00\x00abc", bytes(range(256))]]
)

BITS = [0, 1, 2, 31, 32, 33, 53, 54, 63, 64, 65, 100, 1000]
BELOW = [1, 2, 3, 7, 10, 100, 2**31, 2**32 - 1, 2**32, 2**32 + 1, 2**52 + 3, 2**53 - 1, 2**53, 2**64 + 3, 10**30]
RANGES = [
    (10,), (1,), (2**40,), (2**60,), (10**25,),
    (0, 10), (-5, 5), (-4, -1), (5, 6), (100, 10**6), (-(2**60), 2**60),
    (0, 10, 2), (0, 11, 3), (1, 100, 7), (10, 0, -1), (10, -10, -3), (-1, -100, -9), (0, 10**20, 10**9), (5, 6, 10),
]
RANDINTS = [(0, 1), (1, 6), (2, 8), (-4, 3), (-3, 4), (1, 1), (0, 2**60), (-(10**20), 10**20), (-1000, 1000)]
CHOICE_LENGTHS = [1, 2, 3, 5, 10, 17, 100, 1000]
SHUFFLE_LENGTHS = [0, 1, 2, 3, 5, 10, 20, 52]
# (n, k) for sample(range(n), k): both sides of CPython's setsize rule (21 for k <= 5,
# then 21 + 4 ** ceil(log(3k, 4)): 85 for k 6..21, 277 for k 22..85), k near and far from n.
SAMPLES = [
    (0, 0), (1, 1), (5, 0), (5, 5), (10, 3), (21, 5), (22, 5), (21, 21), (85, 6), (86, 6), (85, 21), (86, 21),
    (277, 22), (278, 22), (50, 49), (100, 10), (1000, 10), (300, 280), (100000, 5), (100000, 40),
]
UNIFORMS = [(0, 1), (-5.5, 2.25), (10, -10), (1e-300, 1e300), (3, 3), (0.1, 0.2)]
WORDS = ["red", "green", "blue", "khaki", "teal", "mauve", "ochre"]


def plan_calls(plan, long):
    """A list of (op, args) drawn from `plan` (its own generator)."""
    calls = []
    count = 400 if long else 90
    for _ in range(count):
        op = plan.choice(["random", "random", "getrandbits", "randbelow", "randrange", "randint",
                          "choice", "choice_str", "shuffle", "sample", "sample_str", "sample_counts",
                          "choices", "uniform"])
        if op == "random":
            calls.append(("random", []))
        elif op == "getrandbits":
            calls.append(("getrandbits", [plan.choice(BITS)]))
        elif op == "randbelow":
            calls.append(("randbelow", [plan.choice(BELOW)]))
        elif op == "randrange":
            calls.append(("randrange", list(plan.choice(RANGES))))
        elif op == "randint":
            calls.append(("randint", list(plan.choice(RANDINTS))))
        elif op == "choice":
            n = plan.choice(CHOICE_LENGTHS)
            calls.append(("choice_range", [n]))
        elif op == "choice_str":
            calls.append(("choice", ["héllo wörld 🎲 日本"]))
        elif op == "shuffle":
            calls.append(("shuffle_range", [plan.choice(SHUFFLE_LENGTHS)]))
        elif op == "sample":
            calls.append(("sample_range", list(plan.choice(SAMPLES))))
        elif op == "sample_str":
            calls.append(("sample", [WORDS, plan.randint(0, len(WORDS))]))
        elif op == "sample_counts":
            calls.append(("sample_counts", [WORDS[:4], [3, 1, 5, 2], plan.randint(0, 11)]))
        elif op == "choices":
            variant = plan.choice(["plain", "weights", "cum", "float"])
            k = plan.randint(1, 6)
            if variant == "plain":
                calls.append(("choices", [WORDS, None, None, k]))
            elif variant == "weights":
                calls.append(("choices", [WORDS[:3], [1, 2, 3], None, k]))
            elif variant == "cum":
                calls.append(("choices", [WORDS[:3], None, [5, 6, 20], k]))
            else:
                calls.append(("choices", [WORDS[:3], [0.1, 0.2, 0.7], None, k]))
        else:
            calls.append(("uniform", list(plan.choice(UNIFORMS))))
    return calls


def run_call(r, op, args):
    if op == "random":
        return r.random()
    if op == "getrandbits":
        return r.getrandbits(args[0])
    if op == "randbelow":
        return r._randbelow(args[0])
    if op == "randrange":
        return r.randrange(*args)
    if op == "randint":
        return r.randint(*args)
    if op == "choice_range":
        return r.choice(list(range(args[0])))
    if op == "choice":
        return r.choice(args[0])
    if op == "shuffle_range":
        x = list(range(args[0]))
        r.shuffle(x)
        return x
    if op == "sample_range":
        return r.sample(list(range(args[0])), args[1])
    if op == "sample":
        return r.sample(args[0], args[1])
    if op == "sample_counts":
        return r.sample(args[0], counts=args[1], k=args[2])
    if op == "choices":
        return r.choices(args[0], weights=args[1], cum_weights=args[2], k=args[3])
    if op == "uniform":
        return r.uniform(*args)
    raise ValueError(op)


def record(spec, index, long=False):
    r = random.Random(decode_seed(spec))
    case = {"seed": spec, "state_after_seed": state_hash(r), "calls": []}
    plan = random.Random(f"plan {index}")
    for op, args in plan_calls(plan, long):
        case["calls"].append({"op": op, "args": enc(args), "out": enc(run_call(r, op, args))})
    case["state_at_end"] = state_hash(r)
    return case


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", help="JSON list of seed specs; prints their cases to stdout instead of writing the fixture")
    opts = ap.parse_args()
    if opts.seeds:
        specs = json.loads(opts.seeds)
        json.dump({"cases": [record(s, i) for i, s in enumerate(specs)]}, sys.stdout, ensure_ascii=False)
        return
    cases = [record(s, i, long=(i % 10 == 0)) for i, s in enumerate(SEEDS)]
    # One full state, so setstate/getstate are checked word for word, and the draws after setstate.
    r = random.Random(2024)
    for _ in range(700):
        r.random()
    state = r.getstate()
    after = [r.random() for _ in range(5)] + [r.getrandbits(100)]
    doc = {
        "python": sys.version.split()[0],
        "generated_by": "scripts/record-py-random.py",
        "cases": cases,
        "state": {"seed": {"int": "2024"}, "randoms_before": 700, "getstate": [state[0], list(state[1]), state[2]],
                  "after": enc(after)},
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    calls = sum(len(c["calls"]) for c in cases)
    print(f"{OUT}: {len(cases)} seeds, {calls} calls, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
