"""A token is something a person pastes: into a browser, and sometimes after a CLI command."""

import secrets

import pytest

from store import tokens


def test_a_token_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    """One draw in 64 of ``token_urlsafe`` starts with ``-``, which the CLI would read as an option
    (``cocon feedback answer -Xy…`` failed with a usage error in CI). Such a draw is thrown away."""
    draws = iter(["-starts-like-an-option", "_second", "third"])
    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda n: next(draws))
    assert tokens.new_token() == "_second"


def test_tokens_keep_their_strength() -> None:
    drawn = {tokens.new_token() for _ in range(2000)}
    assert len(drawn) == 2000
    assert all(len(token) == len(secrets.token_urlsafe(32)) and not token.startswith("-") for token in drawn)
