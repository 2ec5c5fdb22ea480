"""Small functions with one job (issue 14): no function in webapp/ over cyclomatic complexity 15,
measured by ruff's mccabe rule (C901), the same figure `ruff check --select C901` gives.

The allow-list names the functions other engineers are splitting right now; it only shrinks."""
import json
import subprocess
from pathlib import Path

from ruff.__main__ import find_ruff_bin

ROOT = Path(__file__).resolve().parent.parent
MAX_COMPLEXITY = 15
# (file, function): being split in issue 14 part 3 (check_plan's pure per-row rules).
STILL_BEING_SPLIT: set = set()   # every function is within the limit


def too_complex(path="webapp"):
    out = subprocess.run(
        [find_ruff_bin(), "check", "--select", "C901", "--config", f"lint.mccabe.max-complexity={MAX_COMPLEXITY}",
         "--output-format", "json", "--exit-zero", path],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    found = set()
    for d in json.loads(out):
        name = d["message"].split("`")[1]
        found.add((Path(d["filename"]).resolve().relative_to(ROOT).as_posix(), name))
    return found


def test_no_function_is_over_the_limit():
    over = too_complex() - STILL_BEING_SPLIT
    assert not over, f"split these (cyclomatic complexity > {MAX_COMPLEXITY}): {sorted(over)}"


def test_the_allow_list_names_only_functions_still_over():
    """A function that has been split leaves the list (so it cannot grow back unnoticed)."""
    assert STILL_BEING_SPLIT <= too_complex(), sorted(STILL_BEING_SPLIT - too_complex())


def test_the_checker_sees_a_complex_function(tmp_path):
    branches = "\n".join(f"    if x == {i}:\n        return {i}" for i in range(MAX_COMPLEXITY + 1))
    probe = ROOT / "tests" / "_complexity_probe.py"
    probe.write_text(f"def tangled(x):\n{branches}\n    return -1\n")
    try:
        assert ("tests/_complexity_probe.py", "tangled") in too_complex("tests/_complexity_probe.py")
    finally:
        probe.unlink()
