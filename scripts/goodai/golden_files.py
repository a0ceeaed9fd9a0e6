"""Where and how the golden-writing scripts here (generate_goldens.py, sallyanne_goldens.py,
chapterbreak_goldens.py) put a definition: <out>/<folder>/<seed>/<Dataset>/<id>.def.json, in the bytes
GoodAI's TestExample.save writes (json.dump(to_dict(), indent=2), no newline at the end)."""
import json, os


def write_golden(out_dir, folder, seed, example):
    path = os.path.join(out_dir, folder, str(seed), example.dataset_name, f'{example.example_id}.def.json')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as fd:
        json.dump(example.to_dict(), fd, indent=2)
