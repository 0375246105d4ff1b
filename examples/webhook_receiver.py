#!/usr/bin/env python3
"""A webhook receiver that checks each message's Standard Webhooks signature by hand (Python's
standard library only) and prints one line per message.

    python3 examples/webhook_receiver.py PORT SECRET

SECRET is the `whsec_...` the subscription was created (or rotated) with. A message whose
signature or timestamp does not hold gets 401 and a line saying why; a good one gets 204.
In production use a maintained library, e.g. `standardwebhooks` (PyPI).
"""
import base64
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

TOLERANCE = 5 * 60  # seconds a timestamp may be away from now


def verify(secret: str, headers, body: bytes) -> str:
    """Why the message is refused, or "" when its signature holds."""
    msg_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "").split()
    if not (msg_id and stamp.isdigit() and signatures):
        return "missing webhook-id, webhook-timestamp or webhook-signature"
    if abs(time.time() - int(stamp)) > TOLERANCE:
        return "timestamp too far from now"
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{stamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for entry in signatures:
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return ""
    return "no signature matches the secret"


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        problem = verify(SECRET, self.headers, body)
        kind = json.loads(body).get("type", "?") if not problem else "?"
        print(f"refused: {problem}" if problem else f"verified: {kind}", flush=True)
        self.send_response(401 if problem else 204)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    PORT, SECRET = int(sys.argv[1]), sys.argv[2]
    HTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()
