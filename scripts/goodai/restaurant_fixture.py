"""GoodAI's Restaurant prompts and menu text, as its code has them, for test/e2e/restaurant.test.ts.

Run from GoodAI/goodai-ltm-benchmark's checkout (or point GOODAI_REPO at it):
    python3 scripts/goodai/restaurant_fixture.py > test/fixtures/goodai/restaurant.json
It imports nothing of GoodAI's (its imports need the venv): it reads the prompts out of
datasets/restaurant.py with the same .strip() and builds the menu text as RestaurantDataset.__post_init__.
"""
import ast
import json
import os
import subprocess
from collections import OrderedDict

REPO = os.environ.get("GOODAI_REPO", "/work/.mirror/GoodAI+goodai-ltm-benchmark/repo")


def show(path: str) -> str:
    if os.path.isdir(os.path.join(REPO, "datasets")):
        with open(os.path.join(REPO, path), encoding="utf-8") as fd:
            return fd.read()
    return subprocess.run(["git", "--git-dir", REPO, "show", f"HEAD:{path}"], check=True, capture_output=True, text=True).stdout


source = show("datasets/restaurant.py")
prompts = {}
for node in ast.parse(source).body:
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.endswith("_prompt"):
        call = node.value  # """...""".strip()
        prompts[node.targets[0].id] = call.func.value.value.strip()

menu_dict = json.loads(show("data/Restaurant/menu.json"), object_pairs_hook=OrderedDict)
menu_items = [item for content in menu_dict.values() for item in content]
menu = "\n\n".join(
    "\n".join([f"{section}:"] + [f"{menu_items.index(item) + 1}. {item}" for item in content])
    for section, content in menu_dict.items()
)
commit = subprocess.run(["git", "--git-dir", REPO, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()[:7]
print(json.dumps({
    "about": f"GoodAI's Restaurant prompts (datasets/restaurant.py) and menu text (RestaurantDataset.menu), GoodAI/goodai-ltm-benchmark at {commit}, MIT: scripts/goodai/restaurant_fixture.py.",
    "prompts": prompts,
    "menu": menu,
}, indent=1, ensure_ascii=False))
