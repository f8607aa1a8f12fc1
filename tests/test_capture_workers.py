"""A capture worker ends when the process that started it dies, however it dies."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A parent that starts one spawned worker tied to it, then waits to be killed.
PARENT = """
import multiprocessing as mp, os, sys, time
from cisr_desk.capture.workers import die_with_parent

def worker(parent_pid, pid_file, kernel):
    die_with_parent(parent_pid, kernel=kernel)
    with open(pid_file, "w") as fh:
        fh.write(str(os.getpid()))
    time.sleep(300)

if __name__ == "__main__":
    mp.get_context("spawn").Process(target=worker, args=(os.getpid(), sys.argv[1], sys.argv[2] == "kernel")).start()
    time.sleep(300)
"""


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's reaping is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see processes")
@pytest.mark.parametrize("how", ["kernel", "watcher"])
def test_a_worker_dies_with_its_parent(tmp_path, how):
    pid_file = tmp_path / "worker.pid"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    script = tmp_path / "parent.py"  # a file: a spawned child imports its parent's main module
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script), str(pid_file), how], env=env)
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.is_file() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pid_file.is_file(), "the worker never started"
        worker = int(pid_file.read_text())
        assert running(worker)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
    deadline = time.monotonic() + 10
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    if running(worker):
        os.kill(worker, signal.SIGKILL)
        pytest.fail(f"the worker outlived its parent ({how})")
