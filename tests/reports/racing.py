"""Release HTTP requests from several threads at once, each with its own client and session."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor


def race(app, count, request) -> Counter:
    """Run *request(client, index)* in *count* threads released together; count outcomes.

    An outcome is the status code of a success, or the error ``code`` of a failure.
    """
    start = threading.Barrier(count)

    def run(index):
        client = app.test_client()
        start.wait()
        response = request(client, index)
        if response.status_code >= 400:
            return response.get_json()["code"]
        return response.status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return Counter(pool.map(run, range(count)))
