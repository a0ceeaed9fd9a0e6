#!/usr/bin/env python3
"""issue 12: collects the real model answers in GoodAI's published detailed reports
(data/reports/Detailed Report - Benchmark 3 - *.html in a goodai-ltm-benchmark checkout)
into a table in the shape of test/fixtures/goodai/scorer-table.json, to be given
GoodAI's verdicts by scripts/goodai-verdicts.py and compared with Referee's by
scripts/referee-verdicts.mjs. The table stays outside this repository: the answers are
GoodAI's data.

Usage: python scripts/goodai-report-answers.py <goodai checkout> <out table.json>
"""
import ast
import html
import json
import re
import sys
from pathlib import Path

SECTIONS = {"Colours": "colours", "NameList": "name_list", "Shopping": "shopping", "Spy Meeting": "spy_meeting",
            "SallyAnne": "sallyanne", "ChapterBreak": "chapterbreak", "Trigger Response": "trigger_response",
            "Jokes": "jokes"}
PAIR = re.compile(r"<p><b>Expected:</b> (.*?)</p>\s*<p><b>Actual:</b> (.*?)</p>", re.S)


def text(fragment):
    return html.unescape(fragment.replace("<br>", "\n"))


def expected_of(dataset, fragments):
    if dataset in ("shopping", "spy_meeting"):
        return [ast.literal_eval(line) for line in text(fragments[0]).split("\n") if line.strip()]
    if dataset == "name_list":
        return [line for line in text(fragments[0]).split("\n") if line != ""]
    return [text(f) for f in fragments]


def main():
    root, out = Path(sys.argv[1]), sys.argv[2]
    cases = []
    for report in sorted(root.glob("data/reports/Detailed Report - Benchmark 3 - *.html")):
        page = report.read_text()
        for section in re.split(r'<div class="dataset" id="', page)[1:]:
            name = section.split('"', 1)[0]
            dataset = SECTIONS.get(name)
            if dataset is None:
                continue
            for n, test in enumerate(section.split('<div class="test">')[1:]):
                pairs = PAIR.findall(test)
                if not pairs:
                    continue
                try:
                    expected = expected_of(dataset, [e for e, _ in pairs])
                except (ValueError, SyntaxError):
                    continue
                cases.append({"id": f"{report.stem.removeprefix('Detailed Report - ')} / {name} / {n}",
                              "dataset": dataset, "expected_responses": expected, "answers": [text(a) for _, a in pairs]})
    with open(out, "w") as fd:
        json.dump({"about": "real answers from GoodAI's published reports", "cases": cases}, fd, indent=1, ensure_ascii=False)
    print(f"{len(cases)} tests from GoodAI's reports")


if __name__ == "__main__":
    main()
