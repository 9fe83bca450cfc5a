import pytest

from cit.lib.env import EnvError, env_bool, env_int, env_list, env_str


def test_bool_accepts_common_spellings() -> None:
    for raw in ("1", "true", "YES", " on "):
        assert env_bool("X", False, {"X": raw}) is True
    for raw in ("0", "false", "No", "off", ""):
        assert env_bool("X", True, {"X": raw}) is False
    assert env_bool("X", True, {}) is True


def test_bool_rejects_garbage_with_the_name() -> None:
    with pytest.raises(EnvError, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", False, {"DEBUG": "maybe"})


def test_int_and_list_and_str() -> None:
    assert env_int("N", 3, {"N": "7"}) == 7
    assert env_int("N", 3, {"N": " "}) == 3
    with pytest.raises(EnvError, match="not a whole number"):
        env_int("N", 3, {"N": "seven"})
    assert env_list("H", ["a"], {"H": "x, y,,"}) == ["x", "y"]
    assert env_list("H", ["a"], {}) == ["a"]
    assert env_str("S", "d", {}) == "d"
