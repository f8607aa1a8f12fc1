"""Bad input on the command line loses nothing else: a file that cannot be read is an error for
that file (named by enough of its path to tell it from the others), the other files are still
read or imported, the database is not touched by a mistyped path, and no traceback reaches the
user. Tiny PDFs made here, real capture (they are read in a blink: no form is found on them)."""
from __future__ import annotations

import io
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pymupdf
import pytest

from cisr_desk.cli import extract
from cisr_desk.cli.main import CliError, main
from cisr_desk.domain import scanfiles
from cisr_desk.domain.model import DocumentResult
from cisr_desk.store.service import Desk
from users_support import PASSWORD, add_users

ROOT = Path(__file__).resolve().parent.parent
ROOTED = hasattr(os, "geteuid") and os.geteuid() == 0
SETPRIV = shutil.which("setpriv")
BAD_BYTES = b"\xff\xfe"  # no UTF-8 text has them: a name copied from an older system


# -- making files --------------------------------------------------------------------------------------
def pdf(path: Path, text: str = "hello", *, password: str | None = None) -> Path:
    """A one-page PDF (no form on it), password-protected when ``password`` is given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    if password:
        doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=password, owner_pw=password + "!")
    else:
        doc.save(path)
    doc.close()
    return path


def bomb_png(path: Path) -> Path:
    """A PNG that says it is 40000 x 40000 pixels: Pillow refuses it as a "decompression bomb" as
    soon as it reads the header, so the pixels need not be there."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 40000, 40000, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))
                     + chunk(b"IEND", b""))
    return path


def odd_name(folder: Path, stem: str = "bad-") -> Path:
    """A path whose name is not UTF-8 (Python keeps its bytes as lone surrogates)."""
    name = os.fsdecode(stem.encode() + BAD_BYTES + b".pdf")
    try:
        (folder / name).write_bytes(b"")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes only UTF-8 names")
    return folder / name


def make_db(path: Path) -> Path:
    with Desk.open(f"sqlite:///{path}") as desk:
        add_users(desk)
    return path


# -- running the command line ----------------------------------------------------------------------------
@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """``cli(*args) -> (status, out, err)``: ``main()`` in this process, in tmp_path, signed in as ada."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CISR_DESK_USER", "ada")
    monkeypatch.setenv("CISR_DESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CISR_DESK_DB", raising=False)

    def run(*args, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        status = main([str(a) if isinstance(a, Path) else a for a in args])
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


def environment(tmp_path: Path, **extra) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"), CISR_DESK_USER="ada",
               CISR_DESK_PASSWORD=PASSWORD)
    env.pop("CISR_DESK_DB", None)
    env.update(extra)
    return env


def program(*args, unprivileged: bool = False) -> list[str]:
    """The argv of ``cisr-desk ARGS`` as a process; ``unprivileged``: as root, without the power
    to read what file modes forbid (root reads a mode-000 file; a clerk does not)."""
    argv = [sys.executable, "-m", "cisr_desk", *map(os.fsdecode, args)]
    if unprivileged and ROOTED:
        if SETPRIV is None:
            pytest.skip("root here, and no setpriv to drop the power to read any file")
        argv = [SETPRIV, "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", *argv]
    return argv


def run(tmp_path: Path, *args, unprivileged: bool = False, **popen) -> subprocess.CompletedProcess:
    popen.setdefault("capture_output", True)
    return subprocess.run(program(*args, unprivileged=unprivileged), cwd=tmp_path, env=environment(tmp_path),
                          timeout=180, **popen)


def no_traceback(err: str | bytes) -> None:
    text = err.decode(errors="replace") if isinstance(err, bytes) else err
    assert "Traceback" not in text and "internal error" not in text and "Exception" not in text, text


def locked(folder: Path):
    """``folder`` made unreadable (mode 000) for the test, readable again after it."""
    folder.chmod(0)
    return folder


@pytest.fixture
def unlock():
    folders: list[Path] = []
    yield folders.append
    for f in folders:
        f.chmod(0o755)


# -- 1. one bad file does not stop the batch ----------------------------------------------------------------
def test_extract_reads_the_other_files_beside_an_image_too_large_to_be_a_scan(cli, tmp_path):
    pdf(tmp_path / "good.pdf")
    bomb_png(tmp_path / "bomb.png")
    pdf(tmp_path / "after.pdf")
    status, out, err = cli("extract", "--no-registry", "--workers", "1", "good.pdf", "bomb.png", "after.pdf")
    good, bomb, after = json.loads(out)["documents"]
    assert status == 2 and good["errors"] == after["errors"] == [] and good["pages"] == after["pages"] == 1
    assert bomb["errors"] == ["bomb.png: the image is too large to be a scanned page"]
    errors = [line for line in err.splitlines() if "no form found" not in line]  # the blank pages: no form
    assert errors == ["cisr-desk: bomb.png: the image is too large to be a scanned page"]


def test_import_takes_the_same_image_as_an_error_of_its_own(cli, tmp_path):
    make_db(tmp_path / "desk.sqlite3")
    pdf(tmp_path / "good.pdf")
    bomb_png(tmp_path / "bomb.png")
    status, out, err = cli("import", "--db", "desk.sqlite3", "--workers", "1", "bomb.png", "good.pdf")
    assert status == 1 and "bomb.png: error: bomb.png: the image is too large to be a scanned page" in out
    assert "1 file(s) imported with 0 form(s), 0 duplicate(s), 1 error(s)" in out
    no_traceback(err)


def test_a_file_in_a_folder_that_cannot_be_searched_is_an_error_of_its_own(tmp_path, unlock):
    pdf(tmp_path / "good.pdf")
    pdf(tmp_path / "shut" / "in.pdf")
    unlock(locked(tmp_path / "shut"))
    done = run(tmp_path, "extract", "--no-registry", "--workers", "1", "good.pdf", "shut/in.pdf", unprivileged=True,
               text=True)
    no_traceback(done.stderr)
    good, shut = json.loads(done.stdout)["documents"]
    assert done.returncode == 2 and good["errors"] == [] and good["pages"] == 1
    assert shut["source"] == "shut/in.pdf" and shut["errors"] == ["in.pdf: cannot be read (Permission denied)"]

    make_db(tmp_path / "desk.sqlite3")
    done = run(tmp_path, "import", "--db", "desk.sqlite3", "--workers", "1", "good.pdf", "shut/in.pdf",
               unprivileged=True, text=True)
    no_traceback(done.stderr)
    assert done.returncode == 1 and "in.pdf: error: in.pdf: cannot be read (Permission denied)" in done.stdout
    assert "1 file(s) imported with 0 form(s), 0 duplicate(s), 1 error(s)" in done.stdout


def test_a_path_that_cannot_even_be_looked_at_is_kept_to_say_so(tmp_path, monkeypatch):
    """The same without dropping privileges: looking at the path raises, as it does for a clerk."""
    from cisr_desk.capture.pages import open_pdf
    from cisr_desk.domain.errors import InputFileError

    pdf(tmp_path / "good.pdf")
    shut = tmp_path / "shut" / "in.pdf"
    real_is_dir = Path.is_dir

    def is_dir(self):
        if self == shut:
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_dir(self)

    monkeypatch.setattr(Path, "is_dir", is_dir)
    files, problems = scanfiles.expand_checked([tmp_path / "good.pdf", shut])
    assert files == [tmp_path / "good.pdf", shut] and problems == []
    with pytest.raises(InputFileError, match=r"^in.pdf: cannot be read \(Permission denied\)$"):
        open_pdf(shut)


def test_extract_goes_on_after_a_file_that_breaks_capture(cli, tmp_path, monkeypatch):
    """A fault in capture itself (not in the file) is the error of the file it struck."""
    from cisr_desk.capture import pipeline

    real = pipeline.extract_files

    def breaks_on_b(paths, **kwargs):
        for path in paths:
            if Path(path).name == "b.pdf":
                raise RuntimeError("a bug")
            yield from real([path], **kwargs)

    monkeypatch.setattr(pipeline, "extract_files", breaks_on_b)
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        pdf(tmp_path / name)
    status, out, err = cli("extract", "--no-registry", "--workers", "1", "a.pdf", "b.pdf", "c.pdf")
    a, b, c = json.loads(out)["documents"]
    assert status == 2 and a["errors"] == c["errors"] == [] and c["pages"] == 1
    assert b["errors"][0].startswith("b.pdf: could not be read (RuntimeError: a bug)")


# -- 2. a copy of a file that failed is not a duplicate ----------------------------------------------------
def test_a_copy_of_a_file_that_could_not_be_read_is_read_in_its_turn(cli, tmp_path):
    """An image name on a PDF cannot be read as an image; its copy named .pdf can."""
    make_db(tmp_path / "desk.sqlite3")
    pdf(tmp_path / "in" / "a.png")
    shutil.copyfile(tmp_path / "in" / "a.png", tmp_path / "in" / "b.pdf")
    shutil.copyfile(tmp_path / "in" / "a.png", tmp_path / "in" / "c.pdf")
    status, out, err = cli("import", "--db", "desk.sqlite3", "--workers", "1", "in")
    lines = out.splitlines()
    assert lines[0].startswith("a.png: error: a.png: not a readable image")
    assert lines[1] == "b.pdf: 0 forms, pages not on a form: 1"
    assert lines[2] == "c.pdf: duplicate: c.pdf: the same file as b.pdf; imported once"
    assert lines[3] == "1 file(s) imported with 0 form(s), 1 duplicate(s), 1 error(s)" and status == 1


def test_copies_of_a_file_none_can_read_are_each_an_error(desk, extractor, tmp_path):
    for name in ("a.pdf", "b.pdf"):
        (tmp_path / name).write_bytes(b"%PDF the same")
        extractor.results[name] = DocumentResult(name, 1, errors=[f"{name}: not a readable PDF (broken)"])
    report = desk.import_files([tmp_path / "a.pdf", tmp_path / "b.pdf"], "ann")
    assert [(f.status, f.message) for f in report.files] == [
        ("error", "a.pdf: not a readable PDF (broken)"), ("error", "b.pdf: not a readable PDF (broken)")]
    del extractor.results["b.pdf"]  # readable under its own name: imported, not "the same file as a.pdf"
    report = desk.import_files([tmp_path / "a.pdf", tmp_path / "b.pdf"], "ann")
    assert [f.status for f in report.files] == ["error", "imported"]


# -- 3. names that are not UTF-8 ---------------------------------------------------------------------------
def test_a_name_that_is_not_utf8_is_read_and_written_as_json(tmp_path):
    pdf(tmp_path / "good.pdf")
    odd = odd_name(tmp_path)
    shutil.copyfile(tmp_path / "good.pdf", odd)
    done = run(tmp_path, "extract", "--no-registry", "--workers", "1", "--json", "out.json", "good.pdf", odd.name)
    no_traceback(done.stderr)
    assert done.returncode == 0, done.stderr
    good, bad = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["documents"]
    assert good["errors"] == bad["errors"] == [] and bad["pages"] == 1
    assert bad["source"] == "bad-\ufffd\ufffd.pdf"
    done = run(tmp_path, "extract", "--no-registry", "--workers", "1", "good.pdf", odd.name)
    assert done.returncode == 0
    assert json.loads(done.stdout.decode("utf-8"))["documents"][1]["source"] == "bad-\ufffd\ufffd.pdf"


def test_an_error_about_such_a_name_is_printable_json_too(tmp_path):
    odd = odd_name(tmp_path)
    odd.write_text("not a PDF")
    done = run(tmp_path, "extract", "--no-registry", "--workers", "1", "--json", "out.json", odd.name)
    assert done.returncode == 2
    [doc] = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["documents"]
    assert doc["errors"][0].startswith("bad-\ufffd\ufffd.pdf: not a readable PDF")
    assert b"bad-\xef\xbf\xbd\xef\xbf\xbd.pdf: not a readable PDF" in done.stderr


def test_import_stores_such_a_name_as_text(cli, tmp_path):
    make_db(tmp_path / "desk.sqlite3")
    odd = odd_name(tmp_path)
    shutil.copyfile(pdf(tmp_path / "made.pdf"), odd)
    status, out, err = cli("import", "--db", "desk.sqlite3", "--workers", "1", odd.name)
    assert status == 0 and out.startswith("bad-\ufffd\ufffd.pdf: 0 forms"), out + err
    status, out, _ = cli("pages", "--db", "desk.sqlite3")
    assert status == 0 and "bad-\ufffd\ufffd.pdf" in out


# -- 4 and 5. where the JSON goes ---------------------------------------------------------------------------
def test_the_json_never_replaces_one_of_the_scans(cli, tmp_path):
    scan = pdf(tmp_path / "scan.pdf")
    before = scan.read_bytes()
    for spelling in ("scan.pdf", "./scan.pdf", str(scan)):
        status, out, err = cli("extract", "--no-registry", "--workers", "1", "--json", spelling, "scan.pdf")
        assert status == 2 and out == "" and "that is one of the scans to read" in err
        assert err.count("\n") == 1 and scan.read_bytes() == before


def test_the_json_replaces_an_older_json(cli, tmp_path):
    pdf(tmp_path / "scan.pdf")
    (tmp_path / "out.json").write_text("yesterday's")
    status, _, _ = cli("extract", "--no-registry", "--workers", "1", "--json", "out.json", "scan.pdf")
    assert status == 0 and json.loads((tmp_path / "out.json").read_text())["documents"][0]["pages"] == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []


@pytest.mark.parametrize("out, message", [
    ("no-folder/out.json", "--json no-folder/out.json: there is no folder no-folder"),
    ("scan.pdf/out.json", "--json scan.pdf/out.json: scan.pdf is a file, not a folder"),
    ("a-folder", "--json a-folder: is a folder; name a file for the JSON"),
])
def test_a_json_that_cannot_be_written_is_said_before_reading(cli, tmp_path, out, message):
    pdf(tmp_path / "scan.pdf")
    (tmp_path / "a-folder").mkdir()
    # nothing is read: the missing scan would be an error line of its own
    status, stdout, err = cli("extract", "--no-registry", "--workers", "1", "--json", out, "scan.pdf", "gone.pdf")
    assert (status, stdout, err) == (2, "", f"cisr-desk: {message}\n")
    assert not (tmp_path / "no-folder").exists()


def test_a_json_in_a_folder_one_may_not_write_in_is_said_before_reading(tmp_path, unlock):
    pdf(tmp_path / "scan.pdf")
    (tmp_path / "ro").mkdir(mode=0o555)
    unlock(tmp_path / "ro")
    done = run(tmp_path, "extract", "--no-registry", "--json", "ro/out.json", "scan.pdf", "gone.pdf",
               unprivileged=True, text=True)
    assert done.returncode == 2 and done.stderr == "cisr-desk: --json ro/out.json: cannot write in the folder ro\n"


def test_a_json_that_fails_half_way_leaves_the_old_one_whole(tmp_path, monkeypatch):
    out = tmp_path / "out.json"
    out.write_text("yesterday's")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(CliError, match="out.json: cannot be written .No space left on device.; nothing was written"):
        extract.write_whole(out, '{"documents": []}\n')
    assert out.read_text() == "yesterday's" and sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


# -- 6. Ctrl-C ------------------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see the workers")
@pytest.mark.parametrize("after", [0.1, 0.8], ids=["python-starting", "capture-importing"])
def test_ctrl_c_stops_extract_in_one_line_without_the_workers_tracebacks(tmp_path, after):
    """The terminal sends Ctrl-C to the whole process group: while the workers started (Python
    itself, then OpenCV and OCR, seconds) they got it too, and each printed a traceback."""
    from cisr_desk.synth import generate_set

    truth = json.loads(generate_set(tmp_path, 2, seed=31, styles=("typed",), dpis=(150,), batch_size=(1, 1),
                                    faults=False).read_text())
    files = [tmp_path / f["file"] for f in truth["files"]]
    # As from a terminal, Ctrl-C not ignored: a runner that started the tests in the background
    # without job control passed them SIGINT ignored, and an ignored signal stays so across exec
    # (a handled one is reset): the command would rightly have ignored Ctrl-C too.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(program("extract", "--no-registry", "--workers", "3", *files), cwd=tmp_path,
                                env=environment(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, before)
    try:
        deadline = time.monotonic() + 60
        while not _children(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _children(proc.pid), "no capture worker started"
        time.sleep(after)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130 and out == ""
    assert err == "cisr-desk: interrupted\n", err


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
            found.append(int(entry.name))
    return found


# -- 7 and 9. the database named with --db -------------------------------------------------------------------
@pytest.mark.parametrize("args", [("records",), ("users", "list"), ("export", "--week", "2026-W48"),
                                  ("import", "scan.pdf")])
def test_a_mistyped_database_path_is_said_and_not_created(cli, tmp_path, args):
    pdf(tmp_path / "scan.pdf")
    status, out, err = cli(*args, "--db", "typo/desk.sqlite3")
    assert status == 1 and out == ""
    assert err.startswith(f"cisr-desk: no database at {tmp_path / 'typo' / 'desk.sqlite3'}, named by --db "
                          "(check the path")
    assert not (tmp_path / "typo").exists()
    status, _, err = cli(*args, "--db", "garbage:::")
    assert status == 1 and "no database at" in err and not (tmp_path / "garbage:::").exists()


def test_a_mistyped_database_in_the_environment_is_said_and_not_created(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CISR_DESK_DB", str(tmp_path / "typo" / "desk.sqlite3"))
    status, out, err = cli("records")
    assert status == 1 and out == "" and "named by CISR_DESK_DB" in err and not (tmp_path / "typo").exists()


def test_the_first_admin_still_makes_a_new_database(cli, tmp_path):
    status, _, _ = cli("users", "add", "eve", "--role", "admin", "--password-stdin", "--db", "new.sqlite3",
                       stdin=PASSWORD)
    assert status == 0 and (tmp_path / "new.sqlite3").is_file()
    status, out, _ = cli("users", "list", "--db", "new.sqlite3", "--as", "eve")
    assert (status, out) == (0, "eve\tadmin\n")


def test_an_empty_database_url_is_an_error_not_the_default(cli, tmp_path):
    status, out, err = cli("records", "--db", "")
    assert (status, out) == (2, "") and err.startswith("cisr-desk: --db is empty")
    status, out, err = cli("gui", "--db", "  ")
    assert (status, out) == (2, "") and err.startswith("cisr-desk: --db is empty")


@pytest.mark.parametrize("url, message", [
    ("mysql://x@y/z", "unsupported database URL mysql://x@y/z: cisr-desk works with a SQLite file, or postgresql://"),
    ("oracle://scott:tiger@db/x", "unsupported database URL oracle://scott:***@db/x"),
    ("postgresql+psycopg2://u:secret@h/d", "its driver psycopg2 is not installed"),
    ("postgresql://u@[::1", "malformed database URL: give a SQLite file, or postgresql://USER@HOST/DATABASE"),
])
def test_a_database_url_of_no_kind_the_desk_uses_is_said(cli, url, message):
    if url.startswith("postgresql+psycopg2"):
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            pass
        else:
            pytest.skip("psycopg2 is installed here")
    for args in (("records",), ("users", "add", "x", "--role", "admin", "--password-stdin")):
        status, out, err = cli(*args, "--db", url)
        assert status == 1 and out == "" and message in err and "internal error" not in err, err
        assert "secret" not in err and "tiger" not in err


# -- 8. folders that cannot be read -----------------------------------------------------------------------------
def test_import_of_a_folder_it_cannot_read_is_an_error(tmp_path, unlock):
    make_db(tmp_path / "desk.sqlite3")
    pdf(tmp_path / "in" / "ok" / "a.pdf")
    pdf(tmp_path / "in" / "shut" / "b.pdf", "other")
    pdf(tmp_path / "closed" / "c.pdf", "third")
    unlock(locked(tmp_path / "in" / "shut"))
    unlock(locked(tmp_path / "closed"))
    done = run(tmp_path, "import", "--db", "desk.sqlite3", "--workers", "1", "in", "closed", unprivileged=True,
               text=True)
    no_traceback(done.stderr)
    assert done.returncode == 1
    assert "shut: error: shut: the folder cannot be read (Permission denied)" in done.stdout
    assert "closed: error: closed: the folder cannot be read (Permission denied)" in done.stdout
    assert "1 file(s) imported with 0 form(s), 0 duplicate(s), 2 error(s)" in done.stdout


def test_a_folder_that_cannot_be_read_is_listed_with_its_reason(tmp_path, monkeypatch):
    pdf(tmp_path / "in" / "a.pdf")
    (tmp_path / "in" / "shut").mkdir()
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "shut":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, problems = scanfiles.expand_checked([tmp_path / "in", tmp_path / "gone"])
    assert files == [tmp_path / "in" / "a.pdf"]
    assert problems == [(tmp_path / "in" / "shut", "the folder cannot be read (Permission denied)"),
                        (tmp_path / "gone", "no such file or folder")]


# -- 10. a file that may not be opened ---------------------------------------------------------------------------
def test_extract_says_a_file_it_may_not_open_cannot_be_read(tmp_path):
    pdf(tmp_path / "good.pdf")
    pdf(tmp_path / "mine.pdf").chmod(0)
    done = run(tmp_path, "extract", "--no-registry", "--workers", "1", "good.pdf", "mine.pdf", unprivileged=True,
               text=True)
    assert done.returncode == 2
    assert json.loads(done.stdout)["documents"][1]["errors"] == ["mine.pdf: cannot be read (Permission denied)"]


# -- 11. two files of the same name ---------------------------------------------------------------------------------
def test_two_files_of_the_same_name_are_told_apart(cli, tmp_path):
    make_db(tmp_path / "desk.sqlite3")
    pdf(tmp_path / "same" / "jan" / "scan.pdf", password="secret")
    pdf(tmp_path / "same" / "feb" / "scan.pdf")
    status, out, _ = cli("import", "--db", "desk.sqlite3", "--workers", "1", "same")
    assert status == 1 and out.splitlines()[:2] == [
        "feb/scan.pdf: 0 forms, pages not on a form: 1",
        "jan/scan.pdf: error: jan/scan.pdf: the PDF is password-protected"]
    status, out, err = cli("extract", "--no-registry", "--workers", "1", "same/jan/scan.pdf", "same/feb/scan.pdf")
    assert status == 2 and err.splitlines()[0] == "cisr-desk: jan/scan.pdf: the PDF is password-protected"
    jan, feb = json.loads(out)["documents"]
    assert jan["source"] == str(Path("same/jan/scan.pdf")) and jan["errors"] == [
        "jan/scan.pdf: the PDF is password-protected"]


def test_shown_names_are_as_short_as_tells_them_apart():
    assert scanfiles.shown_names(["same/jan/scan.pdf", "same/feb/scan.pdf", "/abs/other.pdf"]) == [
        "jan/scan.pdf", "feb/scan.pdf", "other.pdf"]
    assert scanfiles.shown_names(["a/scan.pdf", "/x/a/scan.pdf"]) == ["a/scan.pdf", "x/a/scan.pdf"]
    assert scanfiles.shown_names(["a.pdf", "a.pdf"]) == ["a.pdf", "a.pdf"]


# -- 12. standard output closed --------------------------------------------------------------------------------------
def test_extract_with_standard_output_closed_says_so(tmp_path):
    pdf(tmp_path / "scan.pdf")
    done = run(tmp_path, "extract", "--no-registry", "scan.pdf", preexec_fn=lambda: os.close(1), text=True)
    assert done.returncode == 2
    assert done.stderr == "cisr-desk: standard output is closed: use --json FILE\n"
    done = run(tmp_path, "extract", "--no-registry", "--workers", "1", "--json", "out.json", "scan.pdf",
               preexec_fn=lambda: os.close(1), text=True)
    assert done.returncode == 0 and json.loads((tmp_path / "out.json").read_text())["documents"][0]["pages"] == 1
    make_db(tmp_path / "desk.sqlite3")
    done = run(tmp_path, "records", "--db", "desk.sqlite3", preexec_fn=lambda: os.close(1), text=True)
    assert done.returncode == 2 and done.stderr.startswith("cisr-desk: standard output is closed")


def test_a_file_with_no_form_is_named_on_standard_error(tmp_path, capsys):
    """A blank scan or a letter sent alone was read without a word: only the JSON's pages on no
    form said so (CLI audit)."""
    blank = tmp_path / "blank.pdf"
    doc = pymupdf.open()
    for _ in range(2):
        doc.new_page()
    doc.save(blank)
    doc.close()
    assert main(["extract", "--workers", "1", "--no-registry", "--json", str(tmp_path / "out.json"), str(blank)]) == 0
    assert "blank.pdf: no form found on its 2 pages" in capsys.readouterr().err
    assert json.loads((tmp_path / "out.json").read_text())["documents"][0]["forms"] == []


def test_a_read_only_database_is_said_to_be_one(monkeypatch, tmp_path):
    """SQLite says "attempt to write a readonly database": which of the file or its folder, and
    for whom, the user had to guess (CLI audit)."""
    import sqlite3

    import sqlalchemy.exc

    from cisr_desk.cli.main import _last_resort

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    error = sqlalchemy.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("attempt to write a readonly database"))
    assert _last_resort(error).startswith("database error: attempt to write a readonly database (the database "
                                          "file, or the folder it is in, may not be written by this user)")


# -- 5. what the desk itself cannot do is said so, and blamed on nothing else -------------------------------
def huge_page_pdf(path: Path) -> Path:
    """A page of 200 x 200 inches, the largest a PDF allows: drawn at a scan's 200 dpi it is 40,000
    pixels a side, which MuPDF refuses ("Overly large image")."""
    doc = pymupdf.open()
    doc.new_page(width=14400, height=14400).insert_text((72, 72), "a poster", fontsize=40)
    doc.save(path)
    doc.close()
    return path


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_page_too_large_to_be_a_form_is_a_page_on_no_form_not_an_error(cli, tmp_path, workers):
    """It was "could not be read (FzErrorLimit: code=5: Overly large image)", and with workers
    "cannot pickle 'SwigPyObject'", losing the file's other pages; the page is simply no form page."""
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "a cover letter")
    doc.new_page(width=14400, height=14400)
    doc.save(tmp_path / "mixed.pdf")
    doc.close()
    status, out, err = cli("extract", "--no-registry", "--workers", workers, "mixed.pdf")
    (mixed,) = json.loads(out)["documents"]
    assert status == 0 and mixed["errors"] == [] and mixed["unrecognized_pages"] == [1, 2]
    no_traceback(err)


def test_a_page_that_breaks_capture_names_its_file_and_page(monkeypatch, tmp_path):
    """A library's own error, which may not even cross back from a worker process, becomes an error
    of that file naming the page; the files after it are read."""
    from cisr_desk.capture import pipeline

    class Unpicklable(Exception):
        def __reduce__(self):
            raise TypeError("cannot pickle 'SwigPyObject' object")

    real = pipeline._analyse_page

    def breaks_on_bad(path, number, folder, force):
        if Path(path).name == "bad.pdf":
            raise Unpicklable("code=5: something deep in a library")
        return real(path, number, folder, force)

    monkeypatch.setattr(pipeline, "_analyse_page", breaks_on_bad)
    files = [pdf(tmp_path / "bad.pdf"), pdf(tmp_path / "good.pdf")]
    bad, good = list(pipeline.extract_files(files, workers=1))
    assert bad.errors == ["bad.pdf: page 1 could not be read (Unpicklable: code=5: something deep in a library)"]
    assert good.errors == [] and good.unrecognized_pages == [1]


def test_import_says_the_files_folder_is_a_file_before_reading_anything(cli, tmp_path):
    """Each scan was said to be unreadable ("[Errno 20] Not a directory: '.../desk-files/a2'")
    after minutes of capture, when the desk's own folder for the copies was the problem."""
    make_db(tmp_path / "desk.sqlite3")
    (tmp_path / "desk-files").write_text("not a folder")
    pdf(tmp_path / "a.pdf")
    status, out, err = cli("import", "--db", "desk.sqlite3", "--workers", "1", "a.pdf")
    assert status == 1 and out == ""
    assert err.strip().endswith(f"scans cannot be stored: {tmp_path / 'desk-files'} is a file, not a folder (the "
                                "desk keeps a copy of every imported scan there); move the file away, or set "
                                "another folder")
    no_traceback(err)
    with Desk.open(f"sqlite:///{tmp_path / 'desk.sqlite3'}") as desk:
        assert desk.import_history(10) == []


def test_a_copy_that_cannot_be_written_is_an_error_of_that_file_only(cli, tmp_path, monkeypatch):
    from cisr_desk.store import importing

    real = importing.store_copy

    def full_disk(files_dir, path, sha):
        if path.name == "a.pdf":
            raise OSError(28, "No space left on device")
        return real(files_dir, path, sha)

    monkeypatch.setattr(importing, "store_copy", full_disk)
    make_db(tmp_path / "desk.sqlite3")
    pdf(tmp_path / "a.pdf", "one")
    pdf(tmp_path / "b.pdf", "two")
    status, out, err = cli("import", "--db", "desk.sqlite3", "--workers", "1", "a.pdf", "b.pdf")
    assert status == 1
    assert f"a.pdf: error: a.pdf: could not be stored in {tmp_path / 'desk-files'} (No space left on device)" in out
    assert "1 file(s) imported with 0 form(s), 0 duplicate(s), 1 error(s)" in out
    no_traceback(err)


def test_import_says_where_the_pages_of_a_file_with_no_form_wait(cli, tmp_path):
    """"1 file(s) imported with 0 form(s)" and nothing more read as if nothing had come of it."""
    make_db(tmp_path / "desk.sqlite3")
    pdf(tmp_path / "letter.pdf", "Dear Sir")
    status, out, err = cli("import", "--db", "desk.sqlite3", "--workers", "1", "letter.pdf")
    assert status == 0 and out.splitlines()[-1] == (
        "1 file(s) with no form that capture found: their pages wait on the page desk (cisr-desk pages) "
        "for a clerk to say what they are")
