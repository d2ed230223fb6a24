"""What ships names no real company: the demo is the fictional Northgate Assessment's, and
its taxonomy, articles, templates and texts say so, whatever board they were modelled on."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "frontdesk"
SUFFIXES = {".yaml", ".yml", ".md", ".html", ".py", ".txt", ".js", ".css", ".lua"}
# Not ours to word: a list of leaked passwords, and third-party browser builds.
SKIPPED = (PACKAGE / "accounts" / "common_passwords.txt", PACKAGE / "web" / "static" / "vendor")

DENIED = (
    # The board whose support portal this one rebuilds, its brands and its queue prefix.
    "Pearson", "Edexcel", "BTEC", "COREUK", "ResultsPlus", "ActiveLearn",
    # Other awarding bodies and their brands, and the council that joins them.
    "AQA", "OCR", "WJEC", "Eduqas", "CCEA", "SQA", "NCFE", "City & Guilds",
    "City and Guilds", "Cambridge Assessment", "Cambridge International", "IGCSE", "JCQ",
    # Help desks people would take the portal for.
    "Salesforce", "Zendesk", "Freshdesk", "ServiceNow",
)  # fmt: skip
# Whole words, any case: "btec" in a slug is caught, "democracy" is no OCR.
DENIED_WORD = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(name) for name in DENIED) + r")(?![A-Za-z])",
    re.IGNORECASE,
)


def shipped_files() -> list[Path]:
    files = [ROOT / "README.md"]
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in SUFFIXES and not any(path.is_relative_to(s) for s in SKIPPED):
            files.append(path)
    return files


def test_the_scan_covers_the_taxonomy_the_demo_content_and_the_templates():
    names = {path.relative_to(ROOT).as_posix() for path in shipped_files()}
    assert {
        "frontdesk/intake/taxonomy.yaml",
        "frontdesk/intake/demo_taxonomy.yaml",
        "frontdesk/web/templates/base.html",
        "frontdesk/demo.py",
        "README.md",
    } <= names
    assert sum(name.startswith("frontdesk/kb/demo_content/") for name in names) > 100
    assert "frontdesk/accounts/common_passwords.txt" not in names


def test_the_deny_list_catches_names_in_any_case_and_in_slugs():
    found = DENIED_WORD.findall("Case Owner: pearson to COREUK-Quals; registering-btec-learners")
    assert found == ["pearson", "COREUK", "btec"]
    assert not DENIED_WORD.findall("Northgate Nationals, democracy, Pearsonsville")


def test_no_other_company_is_named_in_shipped_data():
    named = []
    for path in shipped_files():
        where = path.relative_to(ROOT).as_posix()
        named += [f"{where} (its name): {m}" for m in DENIED_WORD.findall(where)]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            named += [f"{where}:{number}: {m}" for m in DENIED_WORD.findall(line)]
    assert named == [], "another company's name ships:\n" + "\n".join(named)
