"""Records every message GoodAI's own runner sends, in order, filler included, to an agent that answers
every message "OK" (filler it is given pre-filled keeps GoodAI's canned reply, as GoodAI's agents do):
the golden test/fixtures/goodai/messages/<name>.json that test/runner/goodai-messages.test.ts compares
a Referee run against. GoodAI/goodai-ltm-benchmark at 188e761, unchanged: DatasetFactory.create_examples
on GoodAI's published benchmark-v3-1k.yml with `seed: <seed>` and `dataset_examples: <n>` among the shared
arguments (its restaurant, sallyanne and chapterbreak left out: Referee does not generate them as
GoodAI does), then runner.scheduler.TestRunner.run. As generate_goldens.py does, Python's global random
and Faker's shared random are seeded with the seed before each dataset (GoodAI leaves them unseeded).
Set up by setup.sh; run from its folder:
    PYTHONPATH=stubs:. TIKTOKEN_CACHE_DIR=tiktoken-cache venv/bin/python record_messages.py <out.json> --seed S --examples N [--memory-span M] [--max-message-size K] [--config benchmark-v3-32k]
        [--tomi test/fixtures/goodai/tomi-format-sample.txt] [--chapterbreak test/fixtures/goodai/chapterbreak-format-sample.json]
(--memory-span replaces the configuration's 1000: larger gaps, filler messages of many questions;
--max-message-size is the agent's ChatSession.max_message_size, 4096 by default, the cap of a filler message;
--tomi and --chapterbreak run SallyAnne and ChapterBreak from those files, whose passages are the user's to supply)."""
import argparse, json, os, random, shutil, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, 'stubs'), HERE]
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
import yaml
from faker import Faker
from model_interfaces.interface import ChatSession
from runner.config import RunConfig
from runner.scheduler import TestRunner
from dataset_interfaces.factory import DatasetFactory, DATASETS
from utils.files import make_run_path
from headless import headless

LEFT_OUT = {'restaurant', 'sallyanne', 'chapterbreak'}


@dataclass
class OkAgent(ChatSession):
    is_local: bool = True
    sent: list = field(default_factory=list)

    def reply(self, user_message: str, agent_response: Optional[str] = None) -> str:
        # Each message as the agent receives it, with the reply it is handed (null: it answers itself).
        self.sent.append({'message': user_message, 'prefilled': agent_response})
        return 'OK' if agent_response is None else agent_response

    def reset(self): pass
    def save(self): pass
    def load(self): pass


parser = argparse.ArgumentParser()
parser.add_argument('out')
parser.add_argument('--seed', type=int, required=True)
parser.add_argument('--examples', type=int, required=True)
parser.add_argument('--memory-span', type=int)
parser.add_argument('--max-message-size', type=int, default=4096)
parser.add_argument('--config', default='benchmark-v3-1k', help="GoodAI's published configuration")
parser.add_argument('--tomi', help='a ToMi-format test.txt: SallyAnne is run from it (else left out)')
parser.add_argument('--chapterbreak', help="a file in ChapterBreak's shape: ChapterBreak is run from it, where the configuration lists it")
opts = parser.parse_args()
out_file, seed, n, span = opts.out, opts.seed, opts.examples, opts.memory_span
with open(os.path.join(HERE, 'configurations', 'published_benchmarks', f'{opts.config}.yml')) as f:
    loaded = yaml.safe_load(f)
run_name = f'referee-messages-{seed}'
shutil.rmtree(make_run_path(run_name), ignore_errors=True)
agent = OkAgent(run_name=run_name, max_message_size=opts.max_message_size)
args = dict(loaded['datasets']['args'], seed=seed, dataset_examples=n)
if span is not None:
    args['memory_span'] = span
left_out = LEFT_OUT - ({'sallyanne'} if opts.tomi else set()) - ({'chapterbreak'} if opts.chapterbreak else set())
datasets = [ds for ds in loaded['datasets']['datasets'] if ds['name'] not in left_out]
for ds in datasets:
    if ds['name'] == 'sallyanne':
        ds['args'] = dict(ds.get('args', {}), data_location=Path(opts.tomi).resolve())
if opts.chapterbreak:
    from datasets.chapterbreak import ChapterBreakDataset
    with open(opts.chapterbreak) as f:
        corpus = f.read()
    ChapterBreakDataset.load_data = lambda self: json.loads(corpus)  # instead of downloading GoodAI's .zst
examples = []
for ds in datasets:
    random.seed(seed)
    Faker.seed(seed)
    examples.extend(DatasetFactory.create_examples(ds, args, agent.max_message_size))
inc = [{DATASETS[name] for name in group} for group in loaded['config'].get('incompatibilities', [])]
headless(make_run_path(run_name))
runner = TestRunner(config=RunConfig(run_name=run_name, incompatibilities=inc), agent=agent, tests=examples, skip_evaluations=True)
runner.run()
shutil.rmtree(make_run_path(run_name), ignore_errors=True)
out = dict(
    about=(f"Every message GoodAI's runner (GoodAI/goodai-ltm-benchmark at 188e761) sent, in order, to an agent answering "
           f"\"OK\", with the canned reply it pre-filled (null: the agent answered \"OK\"), on {opts.config}.yml's datasets "
           f"but {', '.join(sorted(left_out))}, seed {seed}, {n} examples each, memory_span {args['memory_span']}, "
           f"the agent's max_message_size {agent.max_message_size}: "
           f"scripts/goodai/record_messages.py."),
    config=opts.config, tomi=opts.tomi and os.path.basename(opts.tomi), chapterbreak=opts.chapterbreak and os.path.basename(opts.chapterbreak),
    seed=seed, dataset_examples=n, memory_span=args['memory_span'], max_message_size=agent.max_message_size, datasets=[ds['name'] for ds in datasets],
    total_tokens=runner.total_token_count,
    messages=agent.sent,
)
with open(out_file, 'w') as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write('\n')
print(len(agent.sent), 'messages,', sum(1 for m in agent.sent if m['prefilled'] is not None), 'pre-filled; total tokens', runner.total_token_count)
