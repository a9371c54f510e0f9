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


def test_main_doctor_prints_one_line_per_finding(capsys):
    assert main(["doctor"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(doctor.findings())
    assert all(line.startswith(("ok   ", "fix  ")) for line in lines)


def test_manifest_records_the_doctors_facts(config, tmp_path):
    facts = build_manifest(config, tmp_path)["determinism"]
    assert set(facts) == {finding.name for finding in doctor.findings()}
