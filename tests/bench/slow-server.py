#!/usr/bin/env python3
"""Static file server on 127.0.0.1 that waits DELAY_MS before answering each request.
Usage: slow-server.py DIR DELAY_MS  -- prints the port on the first line, serves until killed."""
import functools
import http.server
import sys
import time

directory, delay = sys.argv[1], int(sys.argv[2]) / 1000.0


class Handler(http.server.SimpleHTTPRequestHandler):
    def handle_one_request(self):
        time.sleep(delay)
        super().handle_one_request()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(
    ("127.0.0.1", 0), functools.partial(Handler, directory=directory))
print(server.server_address[1], flush=True)
server.serve_forever()
