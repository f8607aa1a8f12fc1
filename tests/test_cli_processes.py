"""The command line as real processes on generated scans: an import killed with ``kill -9``
leaves a consistent database and no capture worker behind; a damaged PDF is an error for that
file only; ``extract``'s standard output stays valid JSON; capture writes nothing under HOME."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cisr_desk.store.service import Desk
from cisr_desk.synth import generate_set
from users_support import PASSWORD, add_users

pytestmark = pytest.mark.slow  # real Tesseract over generated scans, real processes

ROOT = Path(__file__).resolve().parent.parent


def cisr_desk(*args, db: Path | None = None, **env) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of one ``cisr-desk`` call, run from this tree, signed
    in as the database's admin (made on first use)."""
    argv = [sys.executable, "-m", "cisr_desk", *map(str, args)]
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    if db is not None:
        if not db.exists():
            with Desk.open(f"sqlite:///{db}") as desk:
                add_users(desk)
        environ.update(CISR_DESK_DB=f"sqlite:///{db}", CISR_DESK_USER="ada", CISR_DESK_PASSWORD=PASSWORD)
    environ.update(env)
    return argv, environ


def run(*args, db: Path | None = None, timeout: float = 300, **env) -> subprocess.CompletedProcess:
    argv, environ = cisr_desk(*args, db=db, **env)
    return subprocess.run(argv, env=environ, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """Four one-form scanned files (two pages each) and a truncated copy of one of them."""
    out = tmp_path_factory.mktemp("scans")
    truth = json.loads(generate_set(out, 4, seed=31, styles=("typed",), dpis=(150,), batch_size=(1, 1),
                                    faults=False).read_text())
    files = [out / f["file"] for f in truth["files"]]
    damaged = out.parent / f"{out.name}-damaged" / "cut-off.pdf"
    damaged.parent.mkdir()
    data = files[-1].read_bytes()
    damaged.write_bytes(data[: len(data) * 2 // 3])
    return files, damaged


# -- processes -------------------------------------------------------------------------------------
def proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, process group) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def live_in_group(group: int) -> dict[int, str]:
    """Processes of a process group that still run (a zombie has finished), with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat and stat[2] == group and stat[0] != "Z":
                try:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
                except OSError:
                    pass
    return found


def children_of(pid: int) -> list[int]:
    return [int(e.name) for e in Path("/proc").iterdir()
            if e.name.isdigit() and (s := proc_stat(int(e.name))) and s[1] == pid and s[0] != "Z"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see processes")
def test_kill_9_during_import_leaves_no_worker_and_a_consistent_database(scans, tmp_path):
    files, _ = scans
    db = tmp_path / "desk.sqlite3"
    argv, env = cisr_desk("import", "--workers", "2", *files, db=db)
    # A session of its own: every process the import starts is in its process group.
    importer = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
    captured = threading.Event()

    def watch() -> None:
        for line in importer.stderr:
            if line.startswith("captured 1/"):
                captured.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        assert captured.wait(240), "the import never finished capturing its first file"
        workers = children_of(importer.pid)
        assert workers, "no capture worker was running"
    finally:
        os.kill(importer.pid, signal.SIGKILL)
        importer.wait(30)

    deadline = time.monotonic() + 20
    while (left := live_in_group(importer.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:  # don't leave them to the rest of the suite, but do fail
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes outlived the killed import: {left}"

    again = run("import", "--workers", "2", *files, db=db)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.rstrip().endswith(" 0 error(s)"), again.stdout  # stored files count as duplicates
    listed = run("records", "--json", db=db)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == len(files)  # one form per file, none twice, none lost

    # every stored file is whole: present under its SHA-256 and hashing to it
    store = db.with_name(db.stem + "-files")
    with sqlite3.connect(db) as con:
        stored = con.execute("select sha256, stored_name from source_files").fetchall()
    assert len(stored) == len(files)
    for sha, name in stored:
        assert hashlib.sha256((store / name).read_bytes()).hexdigest() == sha


def test_a_damaged_file_in_an_import_is_an_error_and_the_others_are_imported(scans, tmp_path):
    files, damaged = scans
    db = tmp_path / "desk.sqlite3"
    done = run("import", "--workers", "1", files[0], damaged, files[1], db=db)
    assert done.returncode != 0
    lines = done.stdout.splitlines()
    assert any(line.startswith("cut-off.pdf: error: cut-off.pdf: damaged PDF (MuPDF: ") for line in lines), done.stdout
    assert "2 file(s) imported with 2 form(s), 0 duplicate(s), 1 error(s)" in done.stdout
    assert sum("MuPDF" in line for line in lines) == 1  # the reason, and no chatter of MuPDF's own
    listed = run("records", "--json", db=db)
    assert len(json.loads(listed.stdout)) == 2


@pytest.mark.parametrize("to_stdout", [["--json", "-"], []], ids=["json-dash", "redirected"])
def test_extract_output_stays_json_with_a_damaged_file(scans, tmp_path, to_stdout):
    files, damaged = scans
    out = tmp_path / "out.json"
    argv, env = cisr_desk("extract", "--workers", "1", *to_stdout, files[0], damaged)
    with open(out, "w") as fh:  # `cisr-desk extract ... > out.json`
        proc = subprocess.run(argv, env=env, stdout=fh, stderr=subprocess.PIPE, text=True, timeout=300)
    assert proc.returncode == 2
    good, bad = json.loads(out.read_text())["documents"]
    assert good["errors"] == [] and len(good["forms"]) == 1
    assert bad["errors"][0].startswith("cut-off.pdf: damaged PDF (MuPDF: ") and bad["forms"] == []
    assert "cut-off.pdf: damaged PDF" in proc.stderr


def test_capture_writes_nothing_under_home(scans, tmp_path):
    """onnxruntime's telemetry wrote a device id and an event database under ~/.cache."""
    files, _ = scans
    home = tmp_path / "home"
    home.mkdir()
    proc = run("extract", "--workers", "2", "--json", tmp_path / "out.json", files[0],
               HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local" / "share"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "out.json").read_text())["documents"][0]["forms"]
    assert sorted(p.relative_to(home) for p in home.rglob("*")) == []
