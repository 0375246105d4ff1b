"""A webhook receiver for the benchmark (scenario 7b): answers every POST with 204 at once and
counts them; GET answers "<count> <unix time of the last POST>".

    python3 bench/receiver.py PORT
"""

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
count = 0
last = 0.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global count, last
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with lock:
            count += 1
            last = time.time()
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        with lock:
            body = f"{count} {last:.3f}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
