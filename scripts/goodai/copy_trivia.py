"""Writes data/goodai_trivia.json from GoodAI's filler data (data/trivia/trivia.json of
GoodAI/goodai-ltm-benchmark at 188e761): every question and answer, in GoodAI's order, since
GoodAI's filler draws from the whole list by index (rnd.choice(data)); the QuestionSource of each
item and the header fields are left out (Referee's filler reads neither).
    git --git-dir=<GoodAI mirror> show 188e761:data/trivia/trivia.json > /tmp/trivia.json
    python3 scripts/goodai/copy_trivia.py /tmp/trivia.json data/goodai_trivia.json"""
import hashlib, json, sys

src, dst = sys.argv[1], sys.argv[2]
raw = open(src, 'rb').read()
data = json.loads(raw)['Data']
about = (
    "GoodAI's filler trivia: the Question and AnswerValue of every item of data/trivia/trivia.json in "
    "github.com/GoodAI/goodai-ltm-benchmark at commit 188e761 (sha256 " + hashlib.sha256(raw).hexdigest() + "), "
    "in GoodAI's order, the items' QuestionSource left out. GoodAI took them from the TriviaQA dataset "
    "(unfiltered-web, dev split; Joshi et al. 2017, https://github.com/mandarjoshi90/triviaqa, "
    "http://nlp.cs.washington.edu/triviaqa/), which GoodAI's README states is licensed under the Apache "
    "License 2.0 (https://www.apache.org/licenses/LICENSE-2.0); GoodAI's repository is MIT, Copyright (c) 2024 GoodAI. "
    "Referee's GoodAI filler draws from this list with GoodAI's Random(0), as GoodAI's runner does."
)
lines = [json.dumps([d['Question'], d['AnswerValue']], ensure_ascii=False) for d in data]
with open(dst, 'w', encoding='utf8') as f:
    f.write('{\n "_about": ' + json.dumps(about, ensure_ascii=False) + ',\n "trivia": [\n  ' + ',\n  '.join(lines) + '\n ]\n}\n')
print(len(lines), 'items written to', dst)
