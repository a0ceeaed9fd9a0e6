"""Checks Referee's filler against GoodAI's published runs: for each master_log.jsonl under data/tests/
of a git dir of GoodAI's repository, the filler questions GoodAI's runner sent (the "Q: ..., A: ..." lines
of each trivia message, in order) against Random(0).choice over data/goodai_trivia.json, the draws
Referee's filler makes; prints, per log, how many agree from the first before one differs.
    python3 scripts/goodai/check_published_filler.py <GoodAI git dir>"""
import json, os, random, subprocess, sys

git = ['git', f'--git-dir={sys.argv[1]}']
here = os.path.dirname(os.path.abspath(__file__))
trivia = json.load(open(os.path.join(here, '..', '..', 'data', 'goodai_trivia.json')))['trivia']
HEADER = 'Here are some trivia questions and answers for you to process.'
names = subprocess.run(git + ['ls-tree', '-r', '--name-only', 'HEAD', 'data/tests/'], capture_output=True, text=True, check=True).stdout.splitlines()
for path in (n for n in names if n.endswith('master_log.jsonl')):
    r = subprocess.run(git + ['show', f'HEAD:{path}'], capture_output=True, text=True)
    if r.returncode:
        continue  # a file the mirror holds no copy of
    sent = []
    for line in r.stdout.splitlines():
        try:
            message = json.loads(line).get('data', {}).get('message', '')
        except ValueError:
            continue
        if isinstance(message, str) and message.startswith(HEADER):
            sent += [l for l in message.split('\n')[1:] if l.startswith('Q: ')]
    if not sent:
        continue
    rnd = random.Random(0)
    same = 0
    for q in sent:
        t = rnd.choice(trivia)
        if q != f'Q: {t[0]}, A: {t[1]}':
            break
        same += 1
    print(f'{same:6d} of {len(sent):6d} equal  {path[len("data/tests/"):]}')
