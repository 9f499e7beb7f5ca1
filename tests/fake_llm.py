"""A fake OpenAI-compatible chat server on loopback, for the optional generator's tests.

It reads the numbered passages from the prompt and answers with one sentence the passages support
(its marker pointing at the passage it comes from) and one invented sentence."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLLM:
    def __init__(self, reply):
        """``reply(prompt) -> str`` builds the completion text."""
        self.reply = reply
        self.prompts: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                prompt = "\n".join(m.get("content", "") for m in body.get("messages", []) if isinstance(m.get("content"), str))
                outer.prompts.append(prompt)
                text = outer.reply(prompt)
                data = json.dumps({
                    "id": "cmpl-1", "object": "chat.completion", "created": 0, "model": body.get("model", "fake"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def spec(self) -> str:
        return f"openai:http://127.0.0.1:{self.server.server_address[1]}/v1:fake-model"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def passage_number(prompt: str, needle: str) -> int:
    """The [n] of the passage in the prompt that contains ``needle``."""
    for m in re.finditer(r"^\[(\d+)\] (.*)$", prompt, re.M):
        block_end = prompt.find("\n\n[", m.start() + 1)
        block = prompt[m.start(): block_end if block_end > 0 else len(prompt)]
        if needle in block:
            return int(m.group(1))
    raise AssertionError(f"no passage with {needle!r} in the prompt")
