"""Serve the sample site by hand: `python -m samplesite --port 8765`, then use it as an HTTP proxy.

For example: `curl -x http://127.0.0.1:8765 http://xxgk.ustb.edu.cn/` or point a browser at the port
(origin-form requests serve the main site).
"""

from __future__ import annotations

import argparse
import threading

from samplesite.server import SampleSiteServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m samplesite", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    args = parser.parse_args(argv)
    with SampleSiteServer(port=args.port) as server:
        print(f"sample site on {server.proxy_url} (use it as an HTTP proxy); Ctrl-C stops", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
