"""issue 12: runs GoodAI's own TestRunner (runner/scheduler.py, unchanged) on a definitions folder
with a deterministic agent that answers every test line "OK" (pre-filled filler keeps GoodAI's
canned reply), and writes what it sent to out-<run name>.json: the numbers in
test/fixtures/goodai/*/goodai-run*.json. Set up by setup.sh; run from its folder:
    PYTHONPATH=stubs:. TIKTOKEN_CACHE_DIR=tiktoken-cache venv/bin/python run_goodai.py <definitions dir> <config.yml> <run name> [isolated]
The stubs stand in for packages GoodAI imports but this offline run never uses (litellm's
completion, transformers, goodai-ltm); litellm's token_counter is its cl100k fallback."""
import json, os, shutil, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, 'stubs'), HERE]
from dataclasses import dataclass
from typing import Optional
import yaml
from model_interfaces.interface import ChatSession
from runner.config import RunConfig
from runner.scheduler import TestRunner
from dataset_interfaces.factory import DatasetFactory, DATASETS
from dataset_interfaces.interface import TestExample
from utils.files import gather_testdef_files, make_run_path
from utils.constants import EventType
import reporting.generate as gen
from headless import headless

@dataclass
class OkAgent(ChatSession):
    is_local: bool = True
    calls: int = 0
    prefilled: int = 0
    def reply(self, user_message: str, agent_response: Optional[str] = None) -> str:
        if agent_response is not None:
            self.prefilled += 1
            return agent_response
        self.calls += 1
        return "OK"
    def reset(self): pass
    def save(self): pass
    def load(self): pass

defs, cfg_file, run_name = sys.argv[1], sys.argv[2], sys.argv[3]
isolated = len(sys.argv) > 4 and sys.argv[4] == 'isolated'
cfg = yaml.safe_load(open(cfg_file))
cfg['config']['run_name'] = run_name
run_path = make_run_path(run_name)
shutil.rmtree(run_path, ignore_errors=True)
shutil.copytree(defs, run_path / 'definitions')
with open(run_path / 'definitions' / 'config.yml', 'w') as f:
    yaml.safe_dump(cfg, f)
examples = [TestExample.load(DatasetFactory.create_dataset_for_example(cfg, p), p) for p in gather_testdef_files(run_name)]
inc = [{DATASETS[n] for n in group} for group in cfg['config'].get('incompatibilities', [])]
conf = RunConfig(run_name=run_name, incompatibilities=inc, isolated=isolated)
agent = OkAgent(run_name=run_name)
headless(run_path)
runner = TestRunner(config=conf, agent=agent, tests=examples, skip_evaluations=True)
runner.run()
log = runner.master_log.log
out = dict(
    calls=agent.calls, prefilled=agent.prefilled,
    send_fill=sum(1 for e in log if e.type == EventType.SEND_FILL),
    test_messages=[[e.test_id, e.data['message']] for e in log if e.type == EventType.SEND_MESSAGE],
    total_tokens=runner.total_token_count, agent_tokens=runner.agent_token_count,
    scores={r.unique_id: r.score for r in runner.finished_results},
)
json.dump(out, open(os.path.join(HERE, f'out-{run_name}.json'), 'w'), indent=1)
print(json.dumps({k: v for k, v in out.items() if k not in ('test_messages', 'scores')}), len(out['test_messages']))
