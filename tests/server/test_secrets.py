"""Secrets at rest: AES-256-GCM under the master key, bound to a context."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from authpool.server.secrets import (
    ENV_VAR,
    KEY_FILE_NAME,
    DecryptionError,
    MasterKey,
    MasterKeyError,
    encode_key,
)


def test_round_trip_and_fresh_nonce():
    key = MasterKey.generate()
    a = key.encrypt(b"hello", "client-secret:abc")
    b = key.encrypt(b"hello", "client-secret:abc")
    assert a != b  # random 96-bit nonce each time
    assert a[0] == 1 and len(a) == 1 + 12 + 5 + 16
    assert key.decrypt(a, "client-secret:abc") == b"hello"
    assert key.decrypt(b, "client-secret:abc") == b"hello"
    assert key.encrypt(b"", "x") and key.decrypt(key.encrypt(b"", "x"), "x") == b""


def test_wrong_context_fails():
    key = MasterKey.generate()
    blob = key.encrypt(b"secret", "client-secret:abc")
    with pytest.raises(DecryptionError):
        key.decrypt(blob, "client-secret:abd")


def test_wrong_key_fails():
    blob = MasterKey.generate().encrypt(b"secret", "ctx")
    with pytest.raises(DecryptionError):
        MasterKey.generate().decrypt(blob, "ctx")


@pytest.mark.parametrize("position", [0, 1, 12, 13, -1])
def test_tampering_fails(position):
    key = MasterKey.generate()
    blob = bytearray(key.encrypt(b"secret value", "ctx"))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionError):
        key.decrypt(bytes(blob), "ctx")


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x01" + b"\x00" * 27])
def test_truncated_fails(blob):
    with pytest.raises(DecryptionError):
        MasterKey.generate().decrypt(blob, "ctx")


def test_error_message_is_opaque():
    key = MasterKey.generate()
    with pytest.raises(DecryptionError) as info:
        key.decrypt(key.encrypt(b"hunter2", "a"), "b")
    assert "hunter2" not in str(info.value) and str(info.value) == "Stored secret could not be decrypted."


def test_rotation_keeps_old_blobs_readable():
    old_raw = os.urandom(32)
    old = MasterKey(old_raw)
    blob = old.encrypt(b"v1 secret", "ctx")
    new = MasterKey(os.urandom(32), version=2, previous={1: old_raw})
    assert new.decrypt(blob, "ctx") == b"v1 secret"
    fresh = new.encrypt(b"v2 secret", "ctx")
    assert fresh[0] == 2 and new.decrypt(fresh, "ctx") == b"v2 secret"
    with pytest.raises(DecryptionError):
        old.decrypt(fresh, "ctx")  # unknown version


def test_key_must_be_32_bytes():
    with pytest.raises(MasterKeyError):
        MasterKey(b"short")
    with pytest.raises(MasterKeyError):
        MasterKey.from_text(encode_key(os.urandom(16)))
    with pytest.raises(MasterKeyError):
        MasterKey.from_text("!!!not base64!!!")


def test_repr_hides_key():
    assert repr(MasterKey.generate()) == "MasterKey(version=1)"


def test_key_file_created_0600_and_reused(tmp_path):
    data = tmp_path / "data"
    key = MasterKey.load(data, environ={})
    path = data / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    blob = key.encrypt(b"x", "ctx")
    again = MasterKey.load(data, environ={})
    assert again.decrypt(blob, "ctx") == b"x"  # same key on the next start
    assert list(data.iterdir()) == [path]  # no temporary file left behind


def test_key_file_created_under_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        MasterKey.load(tmp_path, environ={})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / KEY_FILE_NAME).stat().st_mode) == 0o600


def test_concurrent_first_start_agrees_on_one_key(tmp_path):
    keys: list[MasterKey] = []
    barrier = threading.Barrier(8)

    def load():
        barrier.wait()
        keys.append(MasterKey.load(tmp_path, environ={}))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    blob = keys[0].encrypt(b"x", "ctx")
    assert all(k.decrypt(blob, "ctx") == b"x" for k in keys)


def test_key_file_readable_by_others_is_refused(tmp_path):
    MasterKey.load(tmp_path, environ={})
    (tmp_path / KEY_FILE_NAME).chmod(0o644)
    with pytest.raises(MasterKeyError, match="chmod 600"):
        MasterKey.load(tmp_path, environ={})


def test_env_key_wins_and_no_file_is_created(tmp_path):
    raw = os.urandom(32)
    env = {ENV_VAR: encode_key(raw)}
    key = MasterKey.load(tmp_path / "data", environ=env)
    assert MasterKey(raw).decrypt(key.encrypt(b"x", "c"), "c") == b"x"
    assert not (tmp_path / "data" / KEY_FILE_NAME).exists()
    padded = {ENV_VAR: encode_key(raw) + "="}
    assert MasterKey.load(tmp_path, environ=padded).decrypt(key.encrypt(b"y", "c"), "c") == b"y"


def test_env_key_from_process_environment(tmp_path, monkeypatch):
    raw = os.urandom(32)
    monkeypatch.setenv(ENV_VAR, encode_key(raw))
    key = MasterKey.load(tmp_path)
    assert MasterKey(raw).decrypt(key.encrypt(b"x", "c"), "c") == b"x"


def test_missing_file_without_create(tmp_path):
    with pytest.raises(MasterKeyError):
        MasterKey.from_file(tmp_path / "nope.key", create=False)
