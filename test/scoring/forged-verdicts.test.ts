/**
 * issue 24: a score a solution cannot forge. Each row is a wrong solution that tries to make its
 * grader say "pass" instead of computing the answer; each scored 1 (or would have) when the
 * tests ran in the solution's process with a nonce as the pass signal. Through the scorer
 * (fenced answer → evaluateTask) against the real bubblewrap sandbox, every one scores 0, and
 * honest solutions, using everything a task file may rely on, score 1.
 */
import { describe, expect, it } from 'vitest';
import { bwrapStatus, resolvePython } from '../../src/scoring/code-exec.js';
import { evaluateTask } from '../../src/scoring/task-scoring.js';

const fence = (lang: string, code: string): string => `Here you go:\n\`\`\`${lang}\n${code}\n\`\`\``;
const score = async (language: 'python' | 'javascript', code: string, tests: string): Promise<{ score: number; reason: string }> => {
  const v = await evaluateTask({ type: 'code', language, timeout_ms: 5000 }, fence(language, code), tests);
  return { score: v.score, reason: v.reasons.join(' ') };
};

// Two expectations that no constant satisfies: a forged answer must compute, or fail.
const PY_TESTS = 'assert add(2, 3) == 5\nassert add(-1, 1) == 0';
const JS_TESTS = 'assert.strictEqual(add(2, 3), 5);\nassert.strictEqual(add(-1, 1), 0);';
const FAKE_LINES = String.raw`{"ready": {}}\n{"verdict": "pass"}\n{"ok": 5}\n`;

const PY_ATTACKS: Record<string, string> = {
  'stdin nonce: reads stdin, prints it, exits 0': 'import sys, os\nprint(sys.stdin.read().strip())\nsys.stdout.flush()\nos._exit(0)',
  'traceback patch: replaces traceback.print_exc to print a pass and exit 0':
    'import traceback, sys, os\ndef fake(*a, **k):\n    print(sys.stdin.read().strip())\n    sys.stdout.flush()\n    os._exit(0)\ntraceback.print_exc = fake\ndef add(a, b):\n    return 0',
  'rigged __eq__: an object equal to everything': 'class Any:\n    def __eq__(self, other):\n        return True\n    __hash__ = None\ndef add(a, b):\n    return Any()',
  'rigged __eq__ on an int subclass': 'class E(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\ndef add(a, b):\n    return E(0)',
  'rigged __eq__ inside a list': 'class Any:\n    def __eq__(self, other):\n        return True\ndef add(a, b):\n    return [Any()]',
  'early os._exit(0)': 'import os\nos._exit(0)',
  'early sys.exit(0)': 'import sys\nsys.exit(0)\ndef add(a, b):\n    return 0',
  'exit(0) from inside the called function': 'import os\ndef add(a, b):\n    os._exit(0)',
  'patched assert: builtins and AssertionError replaced':
    'import builtins, sys\nbuiltins.AssertionError = type("Quiet", (Exception,), {})\nsys.excepthook = lambda *a: None\ndef add(a, b):\n    return 0',
  'writes a pass to every file descriptor (the result channel included) and to stdout':
    `import os\nfor fd in range(0, 64):\n    try:\n        os.write(fd, b'${FAKE_LINES}')\n    except OSError:\n        pass\nprint('{"verdict": "pass"}')\ndef add(a, b):\n    return 0`,
  "answers the checker's calls itself on the channel": `import os\nos.write(3, b'{"ready": {"add": {"$fn": 0}}}\\n')\nwhile True:\n    if not os.read(3, 65536):\n        os._exit(0)\n    os.write(3, b'{"ok": 5}\\n')`,
  // The heap snapshot of Python: every string its own objects hold, printed as a candidate pass signal.
  'heap snapshot: walks gc.get_objects() and every frame for 32-hex strings, prints them, exits 0':
    "import gc, os, re, sys\nseen = set()\ndef look(v):\n    if isinstance(v, str) and re.fullmatch(r'[0-9a-f]{32}', v):\n        seen.add(v)\nfor o in gc.get_objects():\n    try:\n        for v in (list(o.keys()) + list(o.values()) if isinstance(o, dict) else o if isinstance(o, (list, tuple, set)) else ()):\n            look(v)\n    except Exception:\n        pass\nfor f in sys._current_frames().values():\n    while f:\n        for v in list(f.f_locals.values()) + list(f.f_globals.values()):\n            look(v)\n        f = f.f_back\nfor s in seen:\n    print(s)\nsys.stdout.flush()\nos._exit(0)",
  'reaches for the checker through /proc (pid namespace of its own)':
    'import os\nfor p in os.listdir("/proc"):\n    if p.isdigit():\n        try:\n            os.kill(int(p), 9) if int(p) != os.getpid() else None\n        except Exception:\n            pass\ndef add(a, b):\n    return 0',
};

const JS_ATTACKS: Record<string, string> = {
  'heap snapshot: reads v8.getHeapSnapshot(), prints every 32-hex string, exits 0':
    "const s = require('v8').getHeapSnapshot();\nlet d = '', c;\nwhile ((c = s.read()) !== null) d += c;\nfor (const m of new Set(d.match(/[0-9a-f]{32}/g) || [])) console.log(m);\nprocess.exit(0);",
  'stdin nonce: reads stdin, prints it, exits 0': "try { console.log(require('fs').readFileSync(0, 'utf8')); } catch {}\nprocess.exit(0);",
  'patched assert: assert.strictEqual replaced': 'try { assert.strictEqual = () => {}; } catch {}\ntry { globalThis.assert = { strictEqual() {} }; } catch {}\nfunction add() { return 0; }',
  'rigged equality: valueOf / toPrimitive / toJSON': 'function add() { return { valueOf: () => 5, toString: () => "5", toJSON: () => 5, [Symbol.toPrimitive]: () => 5 }; }',
  'an object of its own class': 'class Five { valueOf() { return 5; } }\nfunction add() { return new Five(); }',
  'early process.exit(0)': 'process.exit(0);',
  'exit(0) from inside the called function': 'function add() { process.exit(0); }',
  'writes a pass to every file descriptor (the result channel included) and to stdout':
    `const fs = require('fs');\nfor (let fd = 0; fd < 64; fd++) { try { fs.writeSync(fd, '${FAKE_LINES}'); } catch {} }\nconsole.log('{"verdict": "pass"}');\nfunction add() { return 0; }`,
  // The traceback patch of Node: the failure the tests raise is caught process-wide, and turned into stdin and exit 0.
  'traceback patch: uncaughtException, unhandledRejection and Error.prepareStackTrace print stdin and exit 0':
    "const fs = require('fs');\nconst fake = () => { try { console.log(fs.readFileSync(0, 'utf8')); } catch {} process.exit(0); };\nprocess.on('uncaughtException', fake);\nprocess.on('unhandledRejection', fake);\nError.prepareStackTrace = () => { fake(); return ''; };\nfunction add() { return 0; }",
  "answers the checker's calls itself on the channel":
    "const fs = require('fs');\ntry { fs.writeSync(3, '{\"ready\": {\"add\": {\"$fn\": 0}}}\\n'); } catch {}\nconst buf = Buffer.alloc(65536);\nfor (;;) {\n  let n = 0;\n  try { n = fs.readSync(3, buf); } catch { process.exit(0); }\n  if (!n) process.exit(0);\n  try { fs.writeSync(3, '{\"ok\": 5}\\n'); } catch {}\n}",
  'patches Object.prototype and JSON in its own process': "Object.prototype.verdict = 'pass';\nJSON.stringify = () => '{\"verdict\":\"pass\"}';\nfunction add() { return 0; }",
};

describe.runIf(bwrapStatus().available)('forged verdicts score 0 (issue 24), against the real sandbox', () => {
  describe.runIf(resolvePython() !== null)('Python', () => {
    it.each(Object.entries(PY_ATTACKS))('%s', async (_name, code) => {
      const r = await score('python', code, PY_TESTS);
      expect(r.score, r.reason).toBe(0);
    });

    it('honest solutions score 1: plain values, tuples, dicts, sets, bytes, kwargs, big ints, raised errors, in-place changes, closures, constants, prints', async () => {
      const code = `import math
LIMIT = 10
def add(a, b):
    print('debug', a, b)
    return a + b
def stats(xs, *, scale=1):
    return (min(xs) * scale, max(xs) * scale), {'n': len(xs), 1: 'one'}, set(xs), bytes(xs)
def fact(n):
    if n < 0:
        raise ValueError('negative')
    return math.factorial(n)
def sort_in_place(xs):
    xs.sort()
def make_adder(k):
    return lambda x: x + k
def nothing():
    return None
def half(x):
    return x / 2`;
      const tests = `${PY_TESTS}
assert stats([3, 1, 2], scale=2) == ((2, 6), {'n': 3, 1: 'one'}, {1, 2, 3}, bytes([3, 1, 2]))
assert type(stats([1])[0]) is tuple
assert fact(300) == __import__('math').factorial(300)
try:
    fact(-1)
except ValueError as e:
    assert 'negative' in str(e)
else:
    raise AssertionError('no error')
xs = [3, 1, 2]
sort_in_place(xs)
assert xs == [1, 2, 3]
assert make_adder(2)(3) == 5
assert nothing() is None
assert half(3) == 1.5 and type(half(4)) is float
assert LIMIT == 10`;
      const r = await score('python', code, tests);
      expect(r.score, r.reason).toBe(1);
      expect((await score('python', 'def add(a, b):\n    return a - b', PY_TESTS)).score).toBe(0);
    });
  });

  describe('JavaScript', () => {
    it.each(Object.entries(JS_ATTACKS))('%s', async (_name, code) => {
      const r = await score('javascript', code, JS_TESTS);
      expect(r.score, r.reason).toBe(0);
    });

    it('honest solutions score 1: arrow functions, arrays, plain objects, Maps, Sets, BigInts, thrown errors, in-place changes, closures, logging', async () => {
      const code = `const add = (a, b) => { console.log('debug', a, b); return a + b; };
function stats(xs) { return { min: Math.min(...xs), max: Math.max(...xs), all: [...xs], seen: new Set(xs), idx: new Map(xs.map((x, i) => [x, i])) }; }
function fact(n) { if (n < 0) throw new RangeError('negative'); let r = 1n; for (let i = 2n; i <= BigInt(n); i++) r *= i; return r; }
function sortInPlace(xs) { xs.sort((a, b) => a - b); }
let makeAdder = (k) => (x) => x + k;
function nothing() {}`;
      const tests = `${JS_TESTS}
assert.deepStrictEqual(stats([3, 1, 2]), { min: 1, max: 3, all: [3, 1, 2], seen: new Set([3, 1, 2]), idx: new Map([[3, 0], [1, 1], [2, 2]]) });
assert.strictEqual(fact(25), 15511210043330985984000000n);
assert.throws(() => fact(-1), RangeError);
const xs = [3, 1, 2];
sortInPlace(xs);
assert.deepStrictEqual(xs, [1, 2, 3]);
assert.strictEqual(makeAdder(2)(3), 5);
assert.strictEqual(nothing(), undefined);`;
      const r = await score('javascript', code, tests);
      expect(r.score, r.reason).toBe(1);
      expect((await score('javascript', 'function add(a, b) { return a - b; }', JS_TESTS)).score).toBe(0);
    });
  });
});
