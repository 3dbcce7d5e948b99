"""The command table: each command is added by the module COMMANDS names, and a command's
module is imported only when that command is asked for."""
from __future__ import annotations

import json
import subprocess
import sys

from archiver.cli import COMMANDS, load_commands


def test_the_table_names_every_command_and_its_module() -> None:
    commands = load_commands()
    assert set(commands) == set(COMMANDS)
    for name, command in commands.items():
        assert command.callback.__module__ == f"archiver.cli.{COMMANDS[name]}", name


def test_help_lists_every_command(cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == set(COMMANDS)


def test_archive_loads_no_export_replay_or_web_code(tmp_path) -> None:
    """`archiver archive` starts without the export formats (warcio), the renderer (Jinja2) or
    the web UI (Flask): a fresh interpreter, `archive --help`, then the modules it loaded."""
    probe = ("import sys; from archiver.cli import main\n"
             "try:\n    main(['--db', sys.argv[1], 'archive', '--help'])\n"
             "except SystemExit:\n    pass\n"
             "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('warcio', 'jinja2', 'flask', 'archiver'))))")
    out = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "a.db")], capture_output=True,
                         text=True, check=True).stdout.split("\n")[-2].split()
    assert "archiver.cli.capture_cmds" in out
    assert not [m for m in out if m.split(".")[0] in ("warcio", "jinja2", "flask")], out
    assert "archiver.cli.bundle_cmds" not in out and "archiver.bundle.warc" not in out


def _console(*args: str, cwd) -> subprocess.CompletedProcess:
    """The `archiver` console script as installed (archiver.cli:run), in a fresh interpreter."""
    return subprocess.run([sys.executable, "-c", "import sys; from archiver.cli import run; sys.argv[0] = 'archiver'; run()",
                           *args], capture_output=True, text=True, cwd=cwd)


def test_the_console_script_leaves_a_closed_archive_and_the_exit_codes(tmp_path, site) -> None:
    """`run` skips the interpreter's teardown: the archive must be closed by then (no -wal or
    -shm file beside it, everything in the file itself), stdout flushed, and each exit code kept."""
    db = tmp_path / "a.db"
    done = _console("--db", str(db), "archive", "--json", site.url_for("/site/article.html"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["status"] == "ok"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db"]
    listed = _console("--db", str(db), "list", "--json", cwd=tmp_path)
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 1
    failed = _console("--db", str(db), "archive", "-q", site.url_for("/site/missing.html"), cwd=tmp_path)
    assert failed.returncode == 1 and "404" in failed.stderr
    usage = _console("--db", str(db), "list", "--bogus", cwd=tmp_path)
    assert usage.returncode == 2 and usage.stderr.strip() == "Error: No such option '--bogus'."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db"]


def test_soupsieve_is_imported_on_first_use() -> None:
    """Beautiful Soup's CSS selectors (soupsieve) are not compiled by the command line's imports,
    and still work for whoever selects with CSS; a library caller's process is left as it is."""
    probe = ("import sys, archiver.cli.capture_cmds, archiver.capture, bs4\n"
             "print('soupsieve.css_parser' in sys.modules)\n"
             "soup = bs4.BeautifulSoup('<div><p class=a>x</p><p>y</p></div>', 'lxml')\n"
             "print(soup.select_one('div > p:nth-of-type(2)').text, soup.select('p.a')[0].text)\n"
             "import soupsieve.css_match\n"
             "print(type(sys.modules['soupsieve']).__name__, soupsieve.css_match.__name__)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:3] == ["False", "y x", "module soupsieve.css_match"]
    library = "import sys, archiver.capture\nprint(type(sys.modules['soupsieve']).__name__)"
    assert subprocess.run([sys.executable, "-c", library], capture_output=True, text=True,
                          check=True).stdout.strip() == "module"


def test_archive_forks_its_workers_before_loading_the_store(tmp_path, site) -> None:
    """The workers start capturing while the parent loads the store and opens the archive (0.08 s
    on a new archive): when they are forked, neither sqlite-utils nor the archive is open yet."""
    probe = ("import sys\n"
             "from archiver.capture import engine\n"
             "seen = []\n"
             "fork = engine._WorkerPool.__init__\n"
             "def watched(self, *args, **kwargs):\n"
             "    seen.append(('sqlite_utils' in sys.modules, any(m.startswith('archiver.store') for m in sys.modules)))\n"
             "    fork(self, *args, **kwargs)\n"
             "engine._WorkerPool.__init__ = watched\n"
             "from archiver.cli import main\n"
             "try:\n    main(sys.argv[1:])\n"
             "except SystemExit as done:\n    print(seen, done.code)\n")
    urls = [site.url_for("/site/article.html"), site.url_for("/site/article.html?second")]
    out = subprocess.run([sys.executable, "-c", probe, "--db", str(tmp_path / "a.db"), "archive", "-q", *urls],
                         capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[-2] == "[(False, False)] 0"
    assert len(json.loads(_console("--db", str(tmp_path / "a.db"), "list", "--json", cwd=tmp_path).stdout)) == 2
