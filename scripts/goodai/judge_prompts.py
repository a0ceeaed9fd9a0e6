"""issue 25: records the judge contexts GoodAI's own code sends (test/fixtures/goodai/judge-prompts.json),
so that a test checks Referee sends its judge the same messages, byte for byte.
Set up by setup.sh (GoodAI/goodai-ltm-benchmark at 188e761); run from its folder:
    PYTHONPATH=stubs:. TIKTOKEN_CACHE_DIR=tiktoken-cache venv/bin/python judge_prompts.py <out.json>
GoodAI's `ask_llm` is replaced by a recorder that answers each call with the case's scripted reply;
nothing else of GoodAI's code is changed, and none of it is copied into Referee."""
import json, os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, 'stubs'), HERE]
import dataset_interfaces.interface as iface
from datasets.jokes import JokesDataset
from datasets.locations_directions import LocationsDirectionsDataset
from datasets.trigger_response import TriggerResponseDataset

calls = []
replies = []
def recorder(context, *args, **kwargs):
    calls.append(context)
    return replies.pop(0)
iface.ask_llm = recorder

ROUTE = ("(Just an example, if exact instructions are followed)\nFrom Park, go 2km North to Library.\n"
         "From Library, go 3km East to Museum.")
CASES = [
    dict(dataset='jokes', questions=['Which joke did I tell you about 2 hours 5 minutes  ago?'],
         expected_responses=['I went to buy some camo pants but couldn’t find any.'],
         answers=['You told me the one about the camo pants — "couldn\'t find any"!'],
         judge=['[{"question_nr": 0, "checklist": ["yes", "no", "no"]}]']),
    dict(dataset='jokes', questions=['Which joke did I tell you about 45 minutes  ago?'],
         expected_responses=['Atheism is a non-prophet organization'],
         answers=['Some joke with "quotes", a \\ backslash,\ttab and é ü 😀.'],
         judge=['nope']),
    dict(dataset='trigger_response', questions=['Achoo!', 'Achoo!', 'Achoo!'],
         expected_responses=['Here is a tissue for you'] * 3,
         answers=['Here is a tissue for you', 'Bless you!', 'Gesundheit — “tissue”?'],
         judge=['{"present": false, "sentence": ""}', '{"present": true, "sentence": "Here is a tissue for you"}']),
    dict(dataset='locations_directions', questions=['Given the points of interest that I have told you about, how would I travel from Park to Museum following those interesting points?'],
         expected_responses=[ROUTE],
         answers=['Go 2km north from the Park to the Library, then 3 km east to the Museum.'],
         judge=['[{"origin": "Park", "kilometers": 2, "direction": "North", "destination": "Library"}, {"origin": "Library", "kilometers": 3, "direction": "East", "destination": "Museum"}]']),
]

out = []
for case in CASES:
    cls = dict(jokes=JokesDataset, trigger_response=TriggerResponseDataset, locations_directions=LocationsDirectionsDataset)[case['dataset']]
    ds = cls(memory_span=10000)
    calls.clear()
    replies[:] = list(case['judge'])
    score, max_score, reasons = ds.evaluate_correct(case['questions'], case['answers'], case['expected_responses'])
    assert not replies, 'a scripted reply was not asked for'
    out.append(dict(case, contexts=list(calls), goodai=dict(score=score, max_score=max_score)))
json.dump(dict(goodai_commit='188e761', cases=out), open(sys.argv[1], 'w'), indent=1, ensure_ascii=False)
print(len(out), 'cases,', sum(len(c['contexts']) for c in out), 'judge calls')
