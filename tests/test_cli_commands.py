"""The command table: each command is added by the module COMMANDS names, and a command's
module is imported only when that command is asked for."""
from __future__ import annotations

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
