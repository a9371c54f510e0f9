import json

from mlreprokit import doctor
from mlreprokit.cli import main
from mlreprokit.manifest import build_manifest


def test_environment_findings_name_the_fix_for_a_random_hash_seed_and_free_threads():
    lines = [finding.line() for finding in doctor.environment_findings({})]
    assert lines[0] == (
        "fix  PYTHONHASHSEED = unset (random): start Python with PYTHONHASHSEED=0 (nox sessions do)"
    )
    assert lines[1].startswith("fix  OMP_NUM_THREADS = unset: set OMP_NUM_THREADS (e.g. 1)")


def test_environment_findings_pass_fixed_settings():
    env = {"PYTHONHASHSEED": "0", **dict.fromkeys(doctor.THREAD_VARIABLES, "1")}
    assert all(not finding.fix for finding in doctor.environment_findings(env))
    assert doctor.environment_findings({**env, "OMP_DYNAMIC": "true"})[-1].fix


def test_thread_pool_findings_see_the_live_pools():
    pools = doctor.thread_pool_findings({})
    assert pools and all(finding.name.startswith("thread pool ") for finding in pools)
    assert all(finding.value.endswith(" threads") for finding in pools)


def test_main_doctor_prints_one_line_per_finding_then_a_count(capsys, project):
    assert not (project / "reports/repro.json").exists()  # so every fix stays a fix
    assert main(["doctor"]) == 0
    *lines, summary = capsys.readouterr().out.splitlines()
    assert len(lines) == len(doctor.findings())
    assert all(line.startswith(("ok   ", "fix  ")) for line in lines)
    fixes = sum(line.startswith("fix") for line in lines)
    assert summary == f"{fixes} to fix: a passing `nox -s repro` shows which of them matter here"


def repro_report(root, identical, causes=None):
    check = {
        "identical": identical,
        "declared": 6,
        "causes": causes or {},
        "variations_applied": ["hash_seed", "threads", "cpus", "locale"],
    }
    path = root / "reports" / "repro.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"check": check}), encoding="utf-8")


def test_doctor_notes_what_a_passing_repro_check_varied(tmp_path):
    repro_report(tmp_path, identical=6)
    env = {"OMP_NUM_THREADS": "", "PYTHONHASHSEED": ""}
    found = doctor.shown_harmless(
        doctor.environment_findings(env), doctor.harmless_variations(tmp_path)
    )
    assert {finding.status for finding in found} == {"note"}
    assert found[0].line() == (
        "note PYTHONHASHSEED = unset (random): harmless here: repro varied hash_seed, "
        "every output identical (reports/repro.json)"
    )


def test_doctor_keeps_the_fixes_when_repro_failed(tmp_path):
    repro_report(tmp_path, identical=5, causes={"models/model.joblib": "threads"})
    assert doctor.harmless_variations(tmp_path) == set()
    found = doctor.shown_harmless(doctor.environment_findings({}), set())
    assert {finding.status for finding in found} == {"fix"}


def test_manifest_records_the_doctors_facts(config, tmp_path):
    facts = build_manifest(config, tmp_path)["determinism"]
    assert set(facts) == {finding.name for finding in doctor.findings()}
