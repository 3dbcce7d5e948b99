"""archiver.stages: CPU seconds per capture stage, for the benchmarks; off unless asked for."""
from __future__ import annotations

import json
import threading
import time

from archiver import stages


def _burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_off_by_default_counts_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(stages, "_file", None)
    stages.reset()
    with stages.stage("parse"):
        _burn(0.01)
    stages.dump()
    assert stages._totals == {}
    assert not stages.enabled()


def test_nested_stages_count_only_for_themselves_per_thread(tmp_path, monkeypatch):
    out = tmp_path / "stages.jsonl"
    monkeypatch.setattr(stages, "_file", str(out))
    stages.reset()

    def work():
        with stages.stage("enrich"):
            _burn(0.03)
            with stages.stage("fetch"):
                _burn(0.03)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stages.dump()
    line = json.loads(out.read_text())
    assert set(line) == {"pid", "cpu", "stages"}
    got = line["stages"]
    assert 0.055 <= got["enrich"] < 0.1 and 0.055 <= got["fetch"] < 0.1   # two threads, 30 ms each
    assert stages._totals == {}   # dump() starts the next count from nothing
