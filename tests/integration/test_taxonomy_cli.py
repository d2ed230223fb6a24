"""`frontdesk taxonomy import FILE` and `export [FILE]`: the YAML file is the taxonomy's
import and export format; an export imports again unchanged."""

from __future__ import annotations

import logging

import pytest
import yaml

from frontdesk.__main__ import main
from frontdesk.intake.taxonomy import DEMO_TAXONOMY, load_taxonomy


@pytest.fixture(autouse=True)
def _restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("FRONTDESK_ENV", "demo")
    monkeypatch.chdir(tmp_path)
    return database_url


def test_export_then_import_round_trips_and_an_edit_becomes_a_version(env, tmp_path, capsys):
    exported = tmp_path / "exported.yaml"
    assert main(["taxonomy", "export", str(exported)]) == 0
    assert "exported version 1" in capsys.readouterr().out
    assert load_taxonomy(exported) == load_taxonomy(DEMO_TAXONOMY)

    assert main(["taxonomy", "import", str(exported)]) == 1  # the same: nothing to save
    assert "Nothing to save" in capsys.readouterr().err

    data = yaml.safe_load(exported.read_text(encoding="utf-8"))
    data["qualifications"][0]["subjects"].append("Astronomy")
    exported.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["taxonomy", "import", str(exported)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("saved version 2: ") and "Astronomy" in out

    assert main(["taxonomy", "export"]) == 0
    assert "Astronomy" in capsys.readouterr().out


def test_a_bad_file_is_refused_with_what_and_where(env, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    data = yaml.safe_load(DEMO_TAXONOMY.with_name("taxonomy.yaml").read_text(encoding="utf-8"))
    data["customer_types"][3]["group"] = "x"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["taxonomy", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "at customer_types.3 (Teachers): group 'x' is not under groups" in err
