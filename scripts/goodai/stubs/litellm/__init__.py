# Offline stand-in for litellm: only what GoodAI's runner touches. token_counter is litellm's
# own fallback for claude-3 models (tiktoken cl100k_base, disallowed_special=()).
import tiktoken
_enc = tiktoken.get_encoding("cl100k_base")
modify_params = True
model_alias_map = {}
model_cost = {}
openai_key = None
anthropic_key = None
def token_counter(model=None, text=None, messages=None, **kw):
    if text is not None:
        return len(_enc.encode(text, disallowed_special=()))
    n = 0
    for m in messages or []:
        n += 3 + len(_enc.encode(m.get("content", ""), disallowed_special=()))
    return n + 3
def completion(*a, **k):
    raise RuntimeError("offline")
