"""Secret indirections and redaction in strings and log records."""

from __future__ import annotations

import logging

import pytest

from monitor.errors import ConfigError
from monitor.ops.secrets import MASK, RedactingFilter, Redactor, resolve_secret, url_secrets

SLACK_URL = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7"


def test_literal_env_file_and_credential(tmp_path):
    secret_file = tmp_path / "hook"
    secret_file.write_text("from-file-s3cret\n")
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "smtp").write_text("cred-s3cret")
    env = {"HOOK": "env-s3cret", "CREDENTIALS_DIRECTORY": str(creds)}
    assert resolve_secret("plain-value", environ=env) == "plain-value"
    assert resolve_secret({"env": "HOOK"}, environ=env) == "env-s3cret"
    assert resolve_secret({"file": str(secret_file)}, environ=env) == "from-file-s3cret"
    assert resolve_secret({"credential": "smtp"}, environ=env) == "cred-s3cret"
    assert resolve_secret({"credential": "smtp"}, environ={},
                          credentials_dir=str(creds)) == "cred-s3cret"


@pytest.mark.parametrize("value,env,message", [
    ({"env": "MISSING"}, {}, "MISSING is not set"),
    ({"file": "/nonexistent/secret"}, {}, "cannot read secret file"),
    ({"credential": "smtp"}, {}, "CREDENTIALS_DIRECTORY is not set"),
    ({"credential": "../etc/passwd"}, {"CREDENTIALS_DIRECTORY": "/tmp"}, "plain file name"),
    ({"vault": "x"}, {}, "unknown secret source"),
    ({"env": "A", "file": "b"}, {}, "expected a string"),
    (42, {}, "expected a string"),
    ({"env": "EMPTY"}, {"EMPTY": ""}, "secret is empty"),
])
def test_problems_name_file_and_key(value, env, message):
    with pytest.raises(ConfigError) as info:
        resolve_secret(value, where="monitor.toml", key="channels.ops.url", environ=env)
    [problem] = info.value.problems
    assert message in problem.message
    assert problem.file == "monitor.toml" and problem.path == "channels.ops.url"


def test_resolved_secret_is_registered_and_redacted():
    redactor = Redactor()
    resolve_secret({"env": "HOOK"}, environ={"HOOK": "hunter2-long"}, redactor=redactor)
    out = redactor.redact("token=hunter2-long and hunter2%2Dlong")
    assert out == f"token={MASK} and hunter2%2Dlong"
    assert "hunter2-long" not in redactor.redact("xx hunter2-long yy")


def test_redactor_masks_url_parts_and_encoded_forms():
    redactor = Redactor()
    redactor.add_url(SLACK_URL)
    redactor.add_url("mailto://bot:p%40ss%2Fword@smtp.example.org:587?to=a@b.org&mode=starttls")
    redactor.add_url("json://127.0.0.1:8080/hooks/abc123def456?token=q9q9q9q9")
    text = ("posting to https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7"
            " login p@ss/word (p%40ss%2Fword) path /hooks/abc123def456 token q9q9q9q9")
    out = redactor.redact(text)
    for secret in ("T1JJ3T3L2", "A1BRTD4JD", "TIiajkdnlazkcOXrIdevi7", "p@ss/word",
                   "p%40ss%2Fword", "abc123def456", "q9q9q9q9"):
        assert secret not in out
    assert "hooks.slack.com/services" in out and "starttls" not in url_secrets(
        "mailto://u:p@h?mode=starttls")


def test_short_and_ordinary_words_are_not_secrets():
    parts = url_secrets("json://127.0.0.1:8080/services/hook?mode=insecure")
    assert parts == []
    assert Redactor(["ab"]).redact("ab cd") == "ab cd"


def test_logging_filter_rewrites_records(caplog):
    redactor = Redactor(["very-secret-token"])
    caplog.handler.addFilter(RedactingFilter(redactor))
    logger = logging.getLogger("monitor.test_secrets")
    with caplog.at_level(logging.DEBUG, logger="monitor.test_secrets"):
        logger.warning("sending to %s", "https://x/very-secret-token")
        try:
            raise RuntimeError("failed for very-secret-token")
        except RuntimeError:
            logger.exception("boom")
    assert len(caplog.records) == 2
    assert "very-secret-token" not in caplog.text
    assert all("very-secret-token" not in r.getMessage() for r in caplog.records)
    assert MASK in caplog.records[0].getMessage()
    assert "RuntimeError" in caplog.text  # the traceback survives, redacted
