import json
def sanitize_and_parse_json(s):
    return json.loads(s)
