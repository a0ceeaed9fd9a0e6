"""The ChapterBreak def.json goldens (test/fixtures/goodai/goldens-chapterbreak), written by GoodAI's own
ChapterBreakDataset (GoodAI/goodai-ltm-benchmark at 188e761) from a file in the ChapterBreak data's shape.
The real passages are the user's to supply, so the committed goldens are made from
test/fixtures/goodai/chapterbreak-format-sample.json (chapterbreak_sample.py). GoodAI's code is run as it
is, but for load_data, which reads that file instead of downloading GoodAI's .zst. Set up by setup.sh
(it copies data/ChapterBreak, GoodAI's selection); run from its folder:
    PYTHONPATH=stubs:. TIKTOKEN_CACHE_DIR=tiktoken-cache venv/bin/python chapterbreak_goldens.py <sample file> <out dir>
Writes <out>/<variant>/<seed>/ChapterBreak/<sample id>.def.json for seeds 0-4 (the test keeps 0-2 of the
last two): `goodai` (GoodAI's v3
arguments: its selection, 3 examples, max_message_size 4096), `goodai-small` (its selection, 4 examples,
max_message_size 200: many pages, sentences left out) and `all` (every sample, 6 examples, 300)."""
import json, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, 'stubs'), HERE]
from dataset_interfaces.factory import DatasetFactory
from golden_files import write_golden
from datasets.chapterbreak import ChapterBreakDataset

sample_file, out_dir = sys.argv[1], sys.argv[2]
with open(sample_file) as f:
    corpus = f.read()
ChapterBreakDataset.load_data = lambda self: json.loads(corpus)
VARIANTS = {'goodai': ({}, 3, 4096), 'goodai-small': ({}, 4, 200), 'all': ({'split': 'all'}, 6, 300)}
count = 0
for variant, (ds_args, examples, max_message_size) in VARIANTS.items():
    for seed in range(5):
        args = {'seed': seed, 'dataset_examples': examples, 'memory_span': 32000}
        for example in DatasetFactory.create_examples({'name': 'chapterbreak', 'args': ds_args}, args, max_message_size=max_message_size):
            write_golden(out_dir, variant, seed, example)
            count += 1
print(count, 'definitions written')
