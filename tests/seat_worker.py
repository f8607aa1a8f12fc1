"""One seat in a race between real processes (test_concurrency.py starts two to four of these).

    python tests/seat_worker.py JOB.json

The job names the database, an action, the user, a start time and a list of rounds. The seat
opens its Desk first (unless the action is opening it), then does round ``k`` at ``start + k *
gap``, so every seat does the same round at the same moment, and prints one JSON list: per
round, ``["ok", value]`` or ``["refused", "ErrorClass: message"]``.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _outcome(fn):
    from cisr_desk.domain.errors import DeskError

    try:
        return ["ok", fn()]
    except DeskError as exc:
        return ["refused", f"{type(exc).__name__}: {exc}"]
    except Exception as exc:  # a crash is an outcome too: the test counts it as a failure
        return ["crashed", f"{type(exc).__name__}: {exc}"[:500]]


def _seen(version: int | None) -> dict:
    return {} if version is None else {"expected_version": version}


def main(job_path: str) -> int:
    from cisr_desk.store import fakes
    from cisr_desk.store.service import Desk

    job = json.loads(Path(job_path).read_text())
    action, user, files_dir = job["action"], job.get("user", ""), job.get("files_dir")
    desk = None if action == "open" else Desk.open(job["url"], files_dir=files_dir, extractor=fakes.FakeExtractor())
    results = []
    for k, arg in enumerate(job["rounds"]):
        delay = job["start"] + k * job["gap"] - time.time()
        if delay > 0:
            time.sleep(delay)
        if action == "open":  # arg: a fresh database URL
            def run(url=arg):
                Desk.open(url, files_dir=files_dir).close()
                return True
        elif action == "next":
            def run():
                rec = desk.next_record(user)
                return rec and rec.id
        elif action == "claim":
            def run(rid=arg):
                return desk.claim(rid, user).holder
        elif action == "set":  # arg: [record id, expected version or None]
            def run(rid=arg[0], seen=_seen(arg[1])):
                return desk.set_field(rid, "customer_title", f"set by {user}", user, **seen).version
        elif action == "submit":
            def run(rid=arg[0], seen=_seen(arg[1])):
                return desk.submit(rid, user, **seen).status
        elif action == "import":  # arg: a file path
            def run(path=arg):
                report = desk.import_files([Path(path)], user)
                return [f.status for f in report.files]
        else:
            raise SystemExit(f"unknown action {action}")
        results.append(_outcome(run))
    if desk is not None:
        desk.close()
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
