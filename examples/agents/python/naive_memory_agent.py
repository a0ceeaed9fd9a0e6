#!/usr/bin/env python3
"""A reference agent for Referee's agent protocol (issue 15), standard library only.

It keeps a naive memory per session (every message and reply, in order), and for
each new message sends its LLM the most recent exchanges plus the older ones that
share the most words with the message. The LLM is any OpenAI-compatible endpoint
(LLM_BASE_URL, default Referee's simulated model from `referee sim --port 8001`).

    python3 naive_memory_agent.py --http 127.0.0.1:8765   # kind: http, url: http://127.0.0.1:8765/
    python3 naive_memory_agent.py --stdio                 # kind: stdio (JSON lines on stdin/stdout)

It reads the W3C `traceparent` Referee sends (HTTP header, or a field of the
stdio request), makes its own span a child of Referee's turn span, passes the
context on to its LLM call, and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, exports
that span as OTLP/JSON when the trace is sampled (flag 01). Logs go to stderr: stdout
is the protocol channel.
"""
import argparse
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LLM_BASE_URL = os.environ.get("LLM_BASE_URL", "http://127.0.0.1:8001/v1").rstrip("/")
LLM_MODEL = os.environ.get("LLM_MODEL", "sim-1")
LLM_API_KEY = os.environ.get("LLM_API_KEY", "")
# USD per million tokens, to report cost_usd (Referee counts it as `agent_reported`).
PRICE_PER_MTOK = float(os.environ.get("LLM_PRICE_PER_MTOK", "0"))
RECENT = 6  # exchanges always sent
RECALLED = 8  # older exchanges recalled by word overlap
WORD = re.compile(r"[a-z0-9']+")


def log(*parts):
    print("naive-agent:", *parts, file=sys.stderr, flush=True)


class Memory:
    """Everything said in one session, oldest first: (message, reply) pairs."""

    def __init__(self):
        self.exchanges = []

    def recall(self, message):
        older, recent = self.exchanges[:-RECENT], self.exchanges[-RECENT:]
        words = set(WORD.findall(message.lower()))
        scored = sorted(
            ((len(words & set(WORD.findall((m + " " + r).lower()))), i) for i, (m, r) in enumerate(older)),
            reverse=True,
        )
        picked = sorted(i for score, i in scored[:RECALLED] if score > 0)
        return [older[i] for i in picked] + recent


def parse_traceparent(value):
    m = re.fullmatch(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})", (value or "").strip())
    return (m.group(1), m.group(2), m.group(3)) if m else None


def export_span(name, trace_id, span_id, parent_id, start_ns, end_ns, attrs):
    """One span as OTLP/JSON to OTEL_EXPORTER_OTLP_ENDPOINT; never breaks a reply."""
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if not endpoint:
        return
    attributes = [{"key": k, "value": {"stringValue": str(v)} if not isinstance(v, int) else {"intValue": str(v)}} for k, v in attrs.items()]
    body = {
        "resourceSpans": [{
            "resource": {"attributes": [
                {"key": "service.name", "value": {"stringValue": "naive-memory-agent"}},
                # Phoenix files spans by project: the one Referee's run uses, so the trace is whole there.
                {"key": "openinference.project.name", "value": {"stringValue": os.environ.get("PHOENIX_PROJECT_NAME", "referee")}},
            ]},
            "scopeSpans": [{
                "scope": {"name": "naive-memory-agent"},
                "spans": [{
                    "traceId": trace_id, "spanId": span_id, "parentSpanId": parent_id or "",
                    "name": name, "kind": 2, "startTimeUnixNano": str(start_ns), "endTimeUnixNano": str(end_ns),
                    "attributes": attributes,
                }],
            }],
        }]
    }
    try:
        req = urllib.request.Request(endpoint.rstrip("/") + "/v1/traces", json.dumps(body).encode(), {"content-type": "application/json"})
        urllib.request.urlopen(req, timeout=5).read()
    except Exception as err:  # telemetry never breaks the agent
        log("span export failed:", err)


def call_llm(messages, traceparent):
    headers = {"content-type": "application/json"}
    if LLM_API_KEY:
        headers["authorization"] = "Bearer " + LLM_API_KEY
    if traceparent:
        headers["traceparent"] = traceparent
    body = json.dumps({"model": LLM_MODEL, "messages": messages, "temperature": 0, "max_tokens": 256}).encode()
    req = urllib.request.Request(LLM_BASE_URL + "/chat/completions", body, headers)
    with urllib.request.urlopen(req, timeout=120) as res:
        data = json.loads(res.read())
    return data["choices"][0]["message"]["content"] or "", data.get("usage") or {}


class Agent:
    """The protocol, transport-free: `handle(request, traceparent)` returns the answer or raises."""

    def __init__(self, max_message_size=None, save_restore=False):
        self.sessions = {}
        self.lock = threading.Lock()
        self.max_message_size = max_message_size
        self.save_restore = save_restore

    def memory(self, request):
        with self.lock:
            if request["session_id"] not in self.sessions:
                raise KeyError("unknown session " + request["session_id"])
            return self.sessions[request["session_id"]]

    def handle(self, request, traceparent=None):
        kind = request.get("type")
        if kind == "start":
            sid = request["session_id"] + "#" + secrets.token_hex(4)
            with self.lock:
                self.sessions[sid] = Memory()
            answer = {"session_id": sid, "save_restore": self.save_restore}
            if self.max_message_size:
                answer["max_message_size"] = self.max_message_size
            return answer
        if kind == "message":
            return self.reply(request, traceparent)
        if kind == "prefill":
            self.memory(request).exchanges.append((request["message"], request["reply"]))
            return {}
        if kind == "reset":
            self.memory(request).exchanges.clear()
            return {}
        if kind == "end":
            with self.lock:
                self.sessions.pop(request["session_id"], None)
            return {}
        if kind == "save" and self.save_restore:
            return {"state": [list(e) for e in self.memory(request).exchanges]}
        if kind == "restore" and self.save_restore:
            self.memory(request).exchanges[:] = [tuple(e) for e in request["state"]]
            return {}
        raise ValueError("unsupported request type %r" % kind)

    def reply(self, request, traceparent):
        memory = self.memory(request)
        parent = parse_traceparent(traceparent)
        trace_id = parent[0] if parent else secrets.token_hex(16)
        span_id = secrets.token_hex(8)
        started = time.time_ns()
        recalled = memory.recall(request["message"])
        messages = [{"role": "system", "content": "You are a helpful assistant with a good memory."}]
        history = request.get("history")
        if history is None:
            for m, r in recalled:
                messages += [{"role": "user", "content": m}, {"role": "assistant", "content": r}]
        else:  # a task run: the task's own messages, not the memory
            messages += [dict(x) for x in history]
        messages.append({"role": "user", "content": request["message"]})
        llm_started = time.time()
        # The sampled flag is the caller's decision (W3C trace context): a trace Referee does not export
        # is not exported here either, or its spans would reach the collector as orphans.
        flags = parent[2] if parent else "01"
        sampled = int(flags, 16) & 1 == 1
        text, usage = call_llm(messages, "00-%s-%s-%s" % (trace_id, span_id, flags))
        llm_ms = (time.time() - llm_started) * 1000
        memory.exchanges.append((request["message"], text))
        ended = time.time_ns()
        if sampled:
            export_span("agent.reply", trace_id, span_id, parent[1] if parent else None, started, ended,
                        {"openinference.span.kind": "AGENT", "session.id": request["session_id"], "agent.recalled": len(recalled)})
        tokens_in, tokens_out = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
        return {
            "text": text,
            "metadata": {"recalled_exchanges": len(recalled), "memory_size": len(memory.exchanges),
                         "traceparent": traceparent or None, "span_id": span_id},
            "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out,
                      "cost_usd": (tokens_in + tokens_out) * PRICE_PER_MTOK / 1e6},
            "timings": {"llm_ms": llm_ms, "storage_ms": 0},
        }


def words(text):
    return re.findall(r"\S+\s*", text) or [text]


class Handler(BaseHTTPRequestHandler):
    agent = None
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        try:
            request = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
            answer = self.agent.handle(request, self.headers.get("traceparent"))
        except KeyError as err:  # an unknown session: Referee starts a new one and replays the conversation
            return self.send_json(404, {"error": {"message": str(err)}})
        except ValueError as err:
            return self.send_json(400, {"error": {"message": str(err)}})
        except Exception as err:
            return self.send_json(500, {"error": {"message": str(err)}})
        if request.get("type") == "message" and request.get("stream") and "text/event-stream" in self.headers.get("accept", ""):
            return self.send_stream(answer)
        self.send_json(200, answer)

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_stream(self, answer):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        for piece in words(answer["text"]):
            self.wfile.write(("event: token\ndata: %s\n\n" % json.dumps({"delta": piece})).encode())
        self.wfile.write(("event: reply\ndata: %s\n\n" % json.dumps(answer)).encode())
        self.close_connection = True

    def log_message(self, fmt, *args):
        log(fmt % args)


def serve_stdio(agent):
    out = sys.stdout
    write = threading.Lock()

    def send(obj):
        with write:
            out.write(json.dumps(obj) + "\n")
            out.flush()

    for line in sys.stdin:  # EOF (Referee closed stdin) ends the agent
        if not line.strip():
            continue
        request = json.loads(line)
        rid = request.pop("id")
        traceparent = request.pop("traceparent", None)
        request.pop("tracestate", None)
        try:
            answer = agent.handle(request, traceparent)
        except Exception as err:
            send({"id": rid, "error": {"message": str(err)}})
            continue
        if request.get("type") == "message" and request.get("stream"):
            for piece in words(answer["text"]):
                send({"id": rid, "type": "token", "delta": piece})
        send({"id": rid, "result": answer})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--http", metavar="HOST:PORT", help="serve the protocol over HTTP")
    mode.add_argument("--stdio", action="store_true", help="speak the protocol as JSON lines on stdin/stdout")
    parser.add_argument("--max-message-size", type=int, help="advertise GoodAI's max_message_size (tokens)")
    parser.add_argument("--save-restore", action="store_true", help="answer save/restore (checkpointed resume)")
    args = parser.parse_args(argv)
    agent = Agent(args.max_message_size, args.save_restore)
    if args.stdio:
        return serve_stdio(agent)
    host, port = args.http.rsplit(":", 1)
    Handler.agent = agent
    server = ThreadingHTTPServer((host, int(port)), Handler)
    log("listening on http://%s:%d/" % server.server_address[:2])
    print("listening on http://%s:%d/" % server.server_address[:2], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
