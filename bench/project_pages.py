"""Latency of each part of a project's pages for one client, on loopback: overview, plan, people,
charter, checkpoints, contributions, proposals, indicators, questionnaire, evaluation, messages
(and the plan's calendar file), against the aim p95 < 100 ms.

Builds the same store as ``bench/web.py`` (default 200 projects here: the project pages read one
project), starts the app in its own process, logs the facilitator in and fetches each page R times.

    .venv/bin/python bench/project_pages.py [--projects 200] [--requests 40]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web import PROJECT_PARTS, build_store, log_in, percentile, start_server

AIM = 0.100
PAGES = (*PROJECT_PARTS, "/planning.ics")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    print(f"load average before (2 cores shared): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as home:
        os.environ["COCON_HOME"] = home
        url = f"sqlite:///{Path(home) / 'bench.sqlite'}"
        build_store(url, args.projects)
        from tests.fixtures_notifications import free_port

        port = free_port()
        server = start_server(url, home, port, 1)
        try:
            base = f"http://127.0.0.1:{port}"
            cookies = log_in(base)
            with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
                for suffix in PAGES:
                    path = f"/projets/projet-0001{suffix}"
                    client.get(path)  # warm-up: templates compiled, connection open
                    latencies = []
                    for _ in range(args.requests):
                        began = time.perf_counter()
                        response = client.get(path)
                        latencies.append(time.perf_counter() - began)
                        assert response.status_code == 200, (path, response.status_code)
                    p95 = percentile(latencies, 0.95)
                    print(
                        f"{path}: {len(latencies)} requests — p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
                        f"p95 {p95 * 1000:.0f} ms, mean {statistics.mean(latencies) * 1000:.0f} ms — "
                        f"aim p95 < {AIM * 1000:.0f} ms: {'met' if p95 < AIM else 'MISSED'}"
                    )
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
