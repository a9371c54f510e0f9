import hashlib

from mlreprokit.hashing import CHUNK, sha256_file, sha256_tree


def test_sha256_file_matches_hashlib_across_chunks(tmp_path):
    path = tmp_path / "big.bin"
    content = bytes(range(256)) * (CHUNK // 256 * 2 + 3)
    path.write_bytes(content)
    assert sha256_file(path) == hashlib.sha256(content).hexdigest()


def test_sha256_tree_changes_with_content_and_names(tmp_path):
    (tmp_path / "a.csv").write_text("1\n")
    first = sha256_tree(tmp_path)
    (tmp_path / "a.csv").write_text("2\n")
    changed = sha256_tree(tmp_path)
    (tmp_path / "a.csv").rename(tmp_path / "b.csv")
    renamed = sha256_tree(tmp_path)
    assert len({first, changed, renamed}) == 3


def test_sha256_tree_ignores_gitkeep_and_missing_is_none(tmp_path):
    (tmp_path / "a.csv").write_text("1\n")
    before = sha256_tree(tmp_path)
    (tmp_path / ".gitkeep").touch()
    assert sha256_tree(tmp_path) == before
    assert sha256_tree(tmp_path / "absent") is None


def test_sha256_tree_of_a_file_is_its_own_sha256(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("numpy==2.0\n")
    assert sha256_tree(path) == hashlib.sha256(b"numpy==2.0\n").hexdigest()
