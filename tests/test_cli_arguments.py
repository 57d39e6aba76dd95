"""The `monitor` command's quarter options: one way to read and show them, and clear refusals."""

from __future__ import annotations

import argparse

import pytest

from orchestration.cli import build_parser, main


def quarter_options() -> list[tuple[str, argparse.Action]]:
    """Every option of every subcommand that takes a quarter, by subcommand."""
    [commands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return [
        (name, action)
        for name, parser in commands.choices.items()
        for action in parser._actions
        if action.dest in {"quarter", "first", "last"}
    ]


def test_every_quarter_option_reads_either_case_and_shows_its_form() -> None:
    options = quarter_options()
    assert {name for name, _ in options} >= {"run", "report", "export", "demo", "generate"}
    for name, action in options:
        assert action.metavar == "YYYYQn", (name, action.dest)
        assert action.help, (name, action.dest)
        assert action.type("2026q3") == "2026Q3"
        assert action.type(" 2026Q3 ") == "2026Q3"
        with pytest.raises(argparse.ArgumentTypeError, match=r"expected e\.g\. '2026Q3'"):
            action.type("2026-3")


def test_a_range_given_the_wrong_way_round_is_refused_and_says_so(capsys) -> None:
    assert main(["run", "--from", "2026Q3", "--to", "2025q3"]) == 2
    assert (
        "monitor run: --from 2026Q3 comes after --to 2025Q3: give the earlier quarter first"
        in capsys.readouterr().err
    )
