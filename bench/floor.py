"""The floor: a minimal WSGI app that parses the SOAP request with lxml and answers a canned body.

What any SOAP mock must at least do per request on the same HTTP server; mockmkto's throughput
is reported as a ratio to it. The canned bodies are mockmkto's own answers to the same requests,
so both send the same bytes.

    python -P bench/floor.py --port N --canned FILE

serves it on the server `mockmkto serve` runs (`mockmkto.serving.http_server`) of whichever
mockmkto is found first: commits.py puts a commit's tree on PYTHONPATH, so that each commit is
measured against the floor on its own server.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lxml import etree

BODY = "{http://schemas.xmlsoap.org/soap/envelope/}Body"


def make_floor(canned_file: Path):
    """The floor app; `canned_file` maps a params element's local name to the answer body."""
    canned = {name: body.encode() for name, body in json.loads(Path(canned_file).read_text()).items()}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    headers = {
        name: [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))]
        for name, body in canned.items()
    }

    def floor(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        root = etree.fromstring(environ["wsgi.input"].read(length), parser)
        name = etree.QName(root.find(BODY)[0]).localname
        start_response("200 OK", headers[name])
        return [canned[name]]

    return floor


def serve_as_mockmkto(app, port: int) -> None:
    """Serve `app` on 127.0.0.1:`port` with the server `mockmkto serve` builds, until stopped. Here,
    not in common.py, because this file runs against other commits' trees and imports nothing else
    of the bench."""
    from mockmkto.serving import http_server

    server = http_server(app, "127.0.0.1", port)
    try:
        server.serve()
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--canned", required=True)
    args = parser.parse_args()
    serve_as_mockmkto(make_floor(Path(args.canned)), args.port)


if __name__ == "__main__":
    main()
