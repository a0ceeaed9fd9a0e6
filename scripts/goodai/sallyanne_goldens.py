"""The SallyAnne def.json goldens (test/fixtures/goodai/goldens-sallyanne), written by GoodAI's own
SallyAnneDataset (GoodAI/goodai-ltm-benchmark at 188e761) from a ToMi-format file. ToMi's own
test.txt (GoodAI's data/tomi_data) has no licence that lets it ship, so the committed goldens are made from
test/fixtures/goodai/tomi-format-sample.txt, Referee's own stories in ToMi's line format. Set up by
setup.sh; run from its folder:
    PYTHONPATH=stubs:. TIKTOKEN_CACHE_DIR=tiktoken-cache venv/bin/python sallyanne_goldens.py <tomi file> <out dir>
Writes <out>/<1k|32k|200k>/<seed>/SallyAnne/<id>.def.json with the published v3 configurations'
arguments (question_type theory_of_mind) for seeds 0-4, and <out>/<any|world_model>/<seed>/... with
six examples for seeds 0-2, so GoodAI's plural rewriting of world-model questions is covered."""
import os, sys
from pathlib import Path
import yaml
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, 'stubs'), HERE]
from dataset_interfaces.factory import DatasetFactory
from golden_files import write_golden

tomi, out_dir = Path(sys.argv[1]).resolve(), sys.argv[2]
runs = []
for config, size in {'benchmark-v3-1k': '1k', 'benchmark-v3-32k': '32k', 'benchmark-v3-200k': '200k'}.items():
    with open(os.path.join(HERE, 'configurations', 'published_benchmarks', f'{config}.yml')) as f:
        loaded = yaml.safe_load(f)
    ds = next(d for d in loaded['datasets']['datasets'] if d['name'] == 'sallyanne')
    runs += [(size, seed, dict(ds['args']), dict(loaded['datasets']['args'], seed=seed)) for seed in range(5)]
for qt in ['any', 'world_model']:
    runs += [(qt, seed, {'question_type': qt}, {'seed': seed, 'dataset_examples': 6, 'memory_span': 1000}) for seed in range(3)]
count = 0
for folder, seed, ds_args, args in runs:
    ds = {'name': 'sallyanne', 'args': dict(ds_args, data_location=tomi)}
    for example in DatasetFactory.create_examples(ds, args, max_message_size=1024):
        write_golden(out_dir, folder, seed, example)
        count += 1
print(count, 'definitions written')
