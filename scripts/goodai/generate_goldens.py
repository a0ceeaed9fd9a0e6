"""issue 25: writes the def.json files GoodAI's own generators write (GoodAI/goodai-ltm-benchmark at
188e761) for seeds 0-4 and GoodAI's published v3 configurations at 1k, 32k and 200k, into
test/fixtures/goodai/goldens/<config>/<seed>/<Dataset>/<id>.def.json, so a test checks that Referee
writes the same bytes. Set up by setup.sh; run from its folder:
    PYTHONPATH=stubs:. TIKTOKEN_CACHE_DIR=tiktoken-cache venv/bin/python generate_goldens.py <out dir> <dataset>...
GoodAI's code is run as it is: DatasetFactory.create_examples with the configuration's arguments and
`seed: <seed>` among the shared ones (GoodAI's `DatasetInterface.seed`, which seeds the dataset's
Random), and each example written as GoodAI's TestExample.save writes it (json.dump(to_dict(), indent=2)).
The one addition: Python's global random and Faker's shared random, which GoodAI leaves unseeded
(so its own Jokes and NameList files differ on every run), are seeded with the seed first."""
import os, random, sys
import yaml
from faker import Faker
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, 'stubs'), HERE]
from dataset_interfaces.factory import DatasetFactory
from golden_files import write_golden

out_dir, names = sys.argv[1], sys.argv[2:]
CONFIGS = {'benchmark-v3-1k': '1k', 'benchmark-v3-32k': '32k', 'benchmark-v3-200k': '200k'}
count = 0
for config, size in CONFIGS.items():
    with open(os.path.join(HERE, 'configurations', 'published_benchmarks', f'{config}.yml')) as f:
        loaded = yaml.safe_load(f)
    for seed in range(5):
        args = dict(loaded['datasets']['args'], seed=seed)
        for ds in loaded['datasets']['datasets']:
            if ds['name'] not in names:
                continue
            # GoodAI leaves two sources unseeded: Jokes' time jumps come from Python's global random and
            # NameList's names from Faker's shared random (SpyMeeting seeds it itself). Both are seeded
            # with the dataset's seed here, as Referee seeds them; nothing else draws from them.
            random.seed(seed)
            Faker.seed(seed)
            for example in DatasetFactory.create_examples(ds, args, max_message_size=1024):
                write_golden(out_dir, size, seed, example)
                count += 1
print(count, 'definitions written')
