"""`mcpgen keygen`: what the secrets look like, what is printed, and what reaches the disk (only if asked)."""

import hashlib
import json
import os
import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpgen import keygen
from mcpgen.cli import app
from mcpgen.errors import MCPGenError

URLSAFE = re.compile(r"[A-Za-z0-9_-]+")


def run(*args: str):
    # Typer's runner keeps stdout and stderr apart, as a shell would.
    return CliRunner().invoke(app, ["keygen", *args])


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# The secrets themselves


def test_service_token_is_token_urlsafe_32_and_long_enough_for_service_auth_token():
    secret = keygen.make_secret()
    assert secret.kind == "service-token" and secret.env_var == "SERVICE_AUTH_TOKEN"
    assert len(secret.value) == 43 >= 32  # 32 random bytes in URL-safe base64, no padding
    assert URLSAFE.fullmatch(secret.value)
    assert secret.entropy_bits == 256


def test_service_tokens_are_random_and_use_the_whole_alphabet():
    values = {keygen.make_secret().value for _ in range(200)}
    assert len(values) == 200
    used = set("".join(values))
    # 8,600 characters drawn from 64: every symbol appears (a missing one would mean a narrowed alphabet).
    assert used == set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_hash_is_sha256_of_the_exact_secret():
    for kind in keygen.KINDS:
        secret = keygen.make_secret(kind)
        assert secret.sha256 == hashlib.sha256(secret.value.encode()).hexdigest()


def test_api_key_is_prefixed_base62_with_256_bits():
    secret = keygen.make_secret("api-key")
    assert secret.env_var == "BACKEND_API_KEY"
    assert re.fullmatch(r"mcp_[A-Za-z0-9]{43}", secret.value), secret.value
    assert secret.entropy_bits == 256
    bodies = "".join(keygen.make_secret("api-key").value[4:] for _ in range(200))
    assert set(bodies) == set(keygen.API_KEY_ALPHABET)


def test_api_key_prefix_can_be_chosen_and_is_checked():
    assert keygen.make_secret("api-key", prefix="acme2").value.startswith("acme2_")
    for bad in ("", "2acme", "ac-me", "a" * 17, "ac me"):
        with pytest.raises(MCPGenError, match="prefix"):
            keygen.make_secret("api-key", prefix=bad)
    with pytest.raises(MCPGenError, match="API keys only"):
        keygen.make_secret("service-token", prefix="acme")


# What the command prints


def test_plain_output_shows_the_token_once_with_its_hash_and_a_note_on_stderr():
    result = run()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    variable, _, token = lines[0].partition("=")
    assert variable == "SERVICE_AUTH_TOKEN" and len(token) == 43
    assert lines[1] == f"sha256: {hashlib.sha256(token.encode()).hexdigest()}"
    assert result.stdout.count(token) == 1
    assert token not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "stored nowhere" in result.stderr


def test_json_output_shape():
    result = run("--kind", "api-key", "--prefix", "acme", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"kind", "token", "sha256", "env_var"} <= set(data)
    assert data["kind"] == "api-key" and data["env_var"] == "BACKEND_API_KEY"
    assert data["token"].startswith("acme_")
    assert data["sha256"] == hashlib.sha256(data["token"].encode()).hexdigest()
    assert data["env_file"] is None


def test_var_names_the_variable():
    result = run("--var", "MY_TOKEN")
    assert result.stdout.startswith("MY_TOKEN=")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--kind", "ssh"], "unknown kind"),
        (["--prefix", "acme"], "API keys only"),
        (["--var", "1BAD"], "not an environment variable name"),
    ],
)
def test_bad_options_exit_2_with_one_line_or_json(args, words):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1 and words in result.stderr
    result = run(*args, "--json")
    assert result.exit_code == 2
    assert words in json.loads(result.stdout)["error"]["message"]


# --env-file


def test_env_file_is_created_with_mode_0600_whatever_the_umask(tmp_path):
    path = tmp_path / ".env"
    previous = os.umask(0o000)  # the most permissive umask: the mode must not come from it
    try:
        result = run("--env-file", str(path))
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert mode_of(path) == 0o600
    content = path.read_text()
    assert re.fullmatch(r"SERVICE_AUTH_TOKEN=[A-Za-z0-9_-]{43}\n", content)
    token = content.strip().split("=", 1)[1]
    # Not shown unless asked: stdout has the hash and where it went.
    assert token not in result.stdout and token not in result.stderr
    assert f"sha256: {hashlib.sha256(token.encode()).hexdigest()}" in result.stdout
    assert f"created SERVICE_AUTH_TOKEN in {path}" in result.stdout
    assert leftovers(tmp_path) == []


def test_show_prints_the_token_written(tmp_path):
    path = tmp_path / ".env"
    result = run("--env-file", str(path), "--show", "--json")
    data = json.loads(result.stdout)
    assert path.read_text() == f"SERVICE_AUTH_TOKEN={data['token']}\n"
    assert data["env_file"] == str(path) and data["env_file_action"] == "created"


def test_json_with_env_file_leaves_the_token_out(tmp_path):
    result = run("--env-file", str(tmp_path / ".env"), "--json")
    data = json.loads(result.stdout)
    assert data["token"] is None and len(data["sha256"]) == 64


ORIGINAL = (
    b"# Backend\n"
    b"BACKEND_URL=http://localhost:8001   # trailing comment\n"
    b"\n"
    b"# SERVICE_AUTH_TOKEN=commented-out-must-stay\n"
    b"SERVICE_AUTH_TOKEN=old-token-value-that-is-long-enough-xxxxx\n"
    b"  export OTHER = 'quoted value' \n"
    b"SERVICE_AUTH_TOKEN_OLD=keep-me\n"
    b"caf\xc3\xa9=\xff\xfe not utf-8\n"
    b"LAST=no newline at end"
)


def test_replace_changes_only_that_line_byte_for_byte(tmp_path):
    path = tmp_path / ".env"
    path.write_bytes(ORIGINAL)
    path.chmod(0o600)
    result = run("--env-file", str(path), "--json", "--show")
    assert result.exit_code == 0, result.output
    token = json.loads(result.stdout)["token"]
    assert path.read_bytes() == ORIGINAL.replace(
        b"SERVICE_AUTH_TOKEN=old-token-value-that-is-long-enough-xxxxx\n",
        f"SERVICE_AUTH_TOKEN={token}\n".encode(),
    )
    assert json.loads(result.stdout)["env_file_action"] == "replaced"
    assert mode_of(path) == 0o600 and leftovers(tmp_path) == []


def test_replace_keeps_export_spacing_and_crlf_and_sets_every_assignment():
    content = b"export  API_KEY = old\r\nX=1\r\nAPI_KEY=again\r\n"
    updated, replaced = keygen.updated_env_content(content, "API_KEY", "new")
    assert updated == b"export  API_KEY = new\r\nX=1\r\nAPI_KEY=new\r\n"
    assert replaced == 2


def test_absent_variable_is_appended_after_a_missing_final_newline(tmp_path):
    path = tmp_path / ".env"
    path.write_bytes(b"# settings\r\nBACKEND_URL=http://x\r\nLAST=1")
    path.chmod(0o600)
    result = run("--env-file", str(path), "--kind", "api-key", "--show", "--json")
    token = json.loads(result.stdout)["token"]
    assert path.read_bytes() == (
        b"# settings\r\nBACKEND_URL=http://x\r\nLAST=1\r\n" + f"BACKEND_API_KEY={token}\r\n".encode()
    )
    assert json.loads(result.stdout)["env_file_action"] == "appended"


def test_a_looser_mode_is_tightened_and_reported(tmp_path):
    path = tmp_path / ".env"
    path.write_bytes(b"A=1\n")
    path.chmod(0o644)
    result = run("--env-file", str(path), "--var", "B")
    assert result.exit_code == 0, result.output
    assert mode_of(path) == 0o600
    assert "had mode 0644, looser than 0600; it is now 0600" in result.stderr
    assert path.read_text().startswith("A=1\nB=")


def test_an_already_private_file_is_not_reported(tmp_path):
    path = tmp_path / ".env"
    path.write_bytes(b"A=1\n")
    path.chmod(0o600)
    result = run("--env-file", str(path))
    assert result.stderr == ""


def test_a_symlinked_env_file_keeps_its_link(tmp_path):
    real = tmp_path / "secrets.env"
    real.write_bytes(b"A=1\n")
    link = tmp_path / ".env"
    link.symlink_to(real)
    assert run("--env-file", str(link)).exit_code == 0
    assert link.is_symlink() and "SERVICE_AUTH_TOKEN=" in real.read_text()


def unwritable_cases(tmp_path: Path) -> dict[str, Path]:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    return {
        "a folder": tmp_path,
        "inside a file": a_file / ".env",
        "missing folder": tmp_path / "missing" / ".env",
    }


@pytest.mark.parametrize("case", ["a folder", "inside a file", "missing folder"])
@pytest.mark.parametrize("as_json", [False, True])
def test_unwritable_env_file_exits_2_and_writes_nothing(tmp_path, case, as_json):
    target = unwritable_cases(tmp_path)[case]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = run("--env-file", str(target), *(["--json"] if as_json else []))
    assert result.exit_code == 2
    if as_json:
        error = json.loads(result.stdout)["error"]
        assert error["file"] == str(target) and error["message"]
    else:
        assert result.stdout == ""
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"error: {target}: ")
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_failed_move_removes_the_temp_file_and_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / ".env"
    path.write_bytes(ORIGINAL)
    path.chmod(0o600)

    def refuse(source, destination):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(keygen.os, "replace", refuse)
    result = run("--env-file", str(path))
    assert result.exit_code == 2
    assert "Permission denied" in result.stderr and len(result.stderr.splitlines()) == 1
    assert path.read_bytes() == ORIGINAL
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_folder_exits_2(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = run("--env-file", str(folder / ".env"))
    finally:
        folder.chmod(0o700)
    assert result.exit_code == 2 and list(folder.iterdir()) == []
