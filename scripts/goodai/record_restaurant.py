"""Records what GoodAI's own runner sends in its Restaurant test: every message to the agent, in order,
filler included, and every context its RestaurantExample hands ask_llm, with a diner that answers each
waiter line with a fixed reply and an ask_llm stub that answers GoodAI's four prompts with fixed JSON.
The golden test/fixtures/goodai/messages/restaurant-seed0.json that test/e2e/restaurant-goodai.test.ts
compares a Referee run against (same diner, same judge answers over real HTTP).
GoodAI/goodai-ltm-benchmark at 188e761, unchanged: DatasetFactory.create_examples on restaurant, the
examples saved and loaded back (as a run on saved definitions does), then runner.scheduler.TestRunner.run. Set up by setup.sh (then data/Restaurant/menu.json from the
mirror, which this script copies where GOODAI_MIRROR is set); run from its folder:
    PYTHONPATH=stubs:. TIKTOKEN_CACHE_DIR=tiktoken-cache venv/bin/python record_restaurant.py <out.json> [--examples N] [--memory-span M]
"""
import argparse, json, os, shutil, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, 'stubs'), HERE]
from dataclasses import dataclass, field
from typing import Optional
from model_interfaces.interface import ChatSession
from runner.config import RunConfig
from runner.scheduler import TestRunner
from dataset_interfaces.factory import DatasetFactory
from dataset_interfaces.interface import DynamicDataset
from utils.files import make_run_path
from headless import headless

# The diner's fixed replies, by what the waiter says (the first that matches); "OK" otherwise.
DINER = [
    ('what would you like to drink?', 'A Lemonade, please.'),
    ('What would you like to eat?', 'I will have the Grilled Salmon with Lemon Herb Butter, served with Roasted Vegetables and Rice Pilaf and the Tiramisu with Espresso Soaked Ladyfingers and Mascarpone Cream.'),
    ('is currently unavailable', 'Then I will have the Classic Caesar Salad instead.'),
    ('Enjoy the meal.', 'Excuse me, this is not what I ordered.'),
    ('What were you having?', 'I was having a Lemonade.'),
]

MENU_NR = {'Lemonade': 34, 'Classic Caesar Salad': 1,
           'Grilled Salmon with Lemon Herb Butter, served with Roasted Vegetables and Rice Pilaf': 8,
           'Tiramisu with Espresso Soaked Ladyfingers and Mascarpone Cream': 30,
           'Halal Lamb Kebabs with Grilled Vegetables, Basmati Rice, and Tzatziki Sauce': 25}


def judge(context):
    """GoodAI's prompts answered with fixed JSON: an order is the menu items named in the diner's last words."""
    system = next((m['content'] for m in context if m['role'] == 'system'), '')
    user = next(m['content'] for m in context if m['role'] == 'user')
    if system.startswith('You are an evaluator in an acting session.'):
        return '{"follows_role": true}'
    if system.startswith('You are an assistant in the customer experience department.'):
        return '{"noticed": true}'
    if system.startswith('You must evaluate whether the customer remembers'):
        return '{"recalls": true}'
    last = user[user.rindex('Diner: '):]
    last = last[:last.index('\n```')]
    order = [{"is_drink": name == 'Lemonade', "item": name, "menu_nr": nr, "menu_ref": name, "off_menu": False}
             for name, nr in MENU_NR.items() if name in last]
    return json.dumps({"has_ordered_something": len(order) > 0, "order": order})


asked = []


def ask_llm(self, context, model, **kwargs):
    asked.append({'model': model, 'messages': context})
    return judge(context)


DynamicDataset.ask_llm = ask_llm


@dataclass
class Diner(ChatSession):
    is_local: bool = True
    sent: list = field(default_factory=list)

    def reply(self, user_message: str, agent_response: Optional[str] = None) -> str:
        self.sent.append({'message': user_message, 'prefilled': agent_response})
        if agent_response is not None:
            return agent_response
        return next((r for k, r in DINER if k in user_message), 'OK')

    def reset(self): pass
    def save(self): pass
    def load(self): pass


parser = argparse.ArgumentParser()
parser.add_argument('out')
parser.add_argument('--examples', type=int, default=2)
parser.add_argument('--memory-span', type=int, default=1000)
opts = parser.parse_args()
menu = os.path.join(HERE, 'data', 'Restaurant', 'menu.json')
if not os.path.exists(menu):
    os.makedirs(os.path.dirname(menu), exist_ok=True)
    with open(menu, 'wb') as f:
        f.write(subprocess.run(['git', '--git-dir', os.environ['GOODAI_MIRROR'], 'show', 'HEAD:data/Restaurant/menu.json'], check=True, capture_output=True).stdout)
run_name = 'referee-restaurant'
shutil.rmtree(make_run_path(run_name), ignore_errors=True)
agent = Diner(run_name=run_name)
args = dict(memory_span=opts.memory_span, dataset_examples=opts.examples, seed=0)
created = DatasetFactory.create_examples({'name': 'restaurant'}, args, agent.max_message_size)
# As GoodAI's runs on saved definitions (its published ones: a second agent, or a rerun): saved, then loaded.
# An example is seeded in __post_init__, Random(unique_id): created, its example_id is still "" (the factory
# names it afterwards), so only a loaded one has Random("Restaurant - <id>"), which the published logs show.
from dataset_interfaces.interface import TestExample
for e in created:
    e.save(run_name)
examples = [TestExample.load(e.dataset_generator, e.get_path(run_name)) for e in created]
headless(make_run_path(run_name))
runner = TestRunner(config=RunConfig(run_name=run_name), agent=agent, tests=examples, skip_evaluations=True)
runner.run()
shutil.rmtree(make_run_path(run_name), ignore_errors=True)
out = dict(
    about=("Every message GoodAI's runner (GoodAI/goodai-ltm-benchmark at 188e761) sent in its Restaurant test, in order, "
           "to a diner answering each waiter line with a fixed reply (DINER in the script; null prefilled: it answered itself), "
           "every context its RestaurantExample handed ask_llm (a stub answering with fixed JSON), and each test's score and reasoning, "
           "the definitions saved and loaded back as in GoodAI's published runs: "
           f"{opts.examples} examples, memory_span {opts.memory_span}: scripts/goodai/record_restaurant.py."),
    memory_span=opts.memory_span, dataset_examples=opts.examples, diner=DINER,
    messages=agent.sent,
    asked=asked,
    results=[{'unique_id': e.unique_id, 'score': e.score, 'max_score': e.max_score, 'reasoning': e.reasoning, 'expected_responses': e.expected_responses} for e in examples],
)
with open(opts.out, 'w') as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write('\n')
print(len(agent.sent), 'messages,', len(asked), 'judge calls;', [(e.unique_id, e.score) for e in examples])
