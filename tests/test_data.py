"""Loaders: the seed's Julia literals, .npy, .txt/.csv, command-line values, and their errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from _data import shared
from lnsym.cli.arguments import COMMAND_LINE
from lnsym.errors import DataError, LnsymError, interface
from lnsym.numeric.data import load, load_all, parse_numbers, read_value, save


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_julia_literals_keep_the_decimals(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "v.jl",
        "#this is a comment\n#= a block\ncomment =#\n"
        "v = [ 4.2479,  -2.2123e-01,\n 3.7570E-03, 1.5f-3, +2]\nbias = 0.8328\nw = Float32[1 2 3]\n",
    )
    found = load_all(path)
    assert list(found) == ["v", "bias", "w"]
    assert found["v"].decimals() == ["4.2479", "-2.2123e-01", "3.7570E-03", "1.5e-3", "+2"]
    assert found["v"].array.tolist() == [4.2479, -0.22123, 0.003757, 0.0015, 2.0]
    assert found["bias"].is_scalar and found["bias"].exact() == "0.8328"
    assert found["w"].array.tolist() == [1.0, 2.0, 3.0]
    assert load(path, "v").shape == (5,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("v = [1, 2, 3\n", "no closing ']'"),
        ("v = [1, 2, abc]\n", "'abc' is not a number"),
        ("v = [1, NaN, 3]\n", "'NaN' is not finite"),
        ("v = [1, Inf]\n", "'Inf' is not finite"),
        ("v = [1, -inf32]\n", "not finite"),
        ("v = [1e999]\n", "overflows"),
        ("v = [1 2; 3 4]\n", "not a flat vector"),
        ("print(v)\n", "expected 'name = [v1, v2, ...]'"),
        ("# only comments\n", "no assignment"),
        ("v = [1]\nv = [2]\n", "assigned twice"),
        ("v = []\n", "no numbers"),
    ],
)
def test_malformed_julia_files_fail_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "bad.jl", text)
    with pytest.raises(DataError, match=message.replace("[", r"\[").replace("(", r"\(")) as error:
        load(path)
    assert "\n" not in str(error.value)
    assert str(path) in str(error.value)


def test_several_arrays_need_a_name(tmp_path: Path) -> None:
    path = write(tmp_path, "two.jl", "a = [1, 2]\nb = [3, 4]\n")
    with pytest.raises(DataError, match="several arrays"):
        load(path)
    with pytest.raises(DataError, match="no array named 'c'"):
        load(path, "c")
    assert read_value(f"{path}:b").array.tolist() == [3.0, 4.0]


def test_tables(tmp_path: Path) -> None:
    row = write(tmp_path, "row.csv", "# x\n1, 2.5, -3e2\n")
    assert load(row).decimals() == ["1", "2.5", "-3e2"]
    column = write(tmp_path, "col.txt", "1\n2\n\n3\n")
    assert load(column).shape == (3,)
    matrix = write(tmp_path, "m.tsv", "1\t2\t3\n4\t5\t6\n")
    assert load(matrix).array.tolist() == [[1, 2, 3], [4, 5, 6]]
    ragged = write(tmp_path, "r.csv", "1,2,3\n4,5\n")
    with pytest.raises(DataError, match="different lengths"):
        load(ragged)
    header = write(tmp_path, "h.csv", "x,y\n1,2\n")
    with pytest.raises(DataError, match=r"h.csv:1: 'x' is not a number"):
        load(header)


def test_npy_keeps_the_binary_values_exactly(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    np.save(path, np.array([0.1, 2.0, -3.5], dtype=np.float32))
    data = load(path)
    assert data.array.dtype == np.float32
    assert data.decimals()[0] == str(Decimal(float(np.float32(0.1))))
    assert Decimal(data.decimals()[0]) != Decimal("0.1")  # the exact binary value, not "0.1"
    np.save(path, np.array([1.0, np.nan]))
    with pytest.raises(DataError, match=r"entry \(1,\) is nan"):
        load(path)
    np.save(path, np.array(["a", "b"]))
    with pytest.raises(DataError, match="real numbers"):
        load(path)
    np.save(path, np.array([1, 2], dtype=np.int32))
    assert load(path).array.dtype == np.float64


def test_missing_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load(tmp_path / "absent.jl")
    with pytest.raises(DataError, match=r"unknown format \.bin"):
        load(write(tmp_path, "v.bin", "1"))
    with pytest.raises(DataError, match="no such file"):
        read_value(str(tmp_path / "absent.csv"))
    assert issubclass(DataError, LnsymError)


@pytest.mark.parametrize(
    ("text", "shape", "decimals"),
    [
        ("0.8328", (), ["0.8328"]),
        ("-1e-5", (), ["-1e-5"]),
        ("1,2,3,5", (4,), ["1", "2", "3", "5"]),
        ("[1, 2.50]", (2,), ["1", "2.50"]),
        ("[3]", (1,), ["3"]),
        ("3,", (1,), ["3"]),
    ],
)
def test_command_line_values(text: str, shape: tuple[int, ...], decimals: list[str]) -> None:
    data = read_value(text)
    assert data.shape == shape
    assert data.decimals() == decimals


@pytest.mark.parametrize("text", ["1,,x", "nan", "1,inf", "", "[]"])
def test_bad_command_line_values(text: str) -> None:
    with pytest.raises(DataError):
        parse_numbers(text) if text in ("", "[]") else read_value(text)


def test_the_seed_vectors() -> None:
    x = load(shared("pre_norm.jl"))
    w = load(shared("probe_token.jl"))
    assert x.shape == w.shape == (512,)
    assert x.decimals()[:2] == ["4.2479", "2.1753"]
    assert w.decimals()[0] == "-2.2123e-01"
    assert x.array[0] == 4.2479 and np.all(np.isfinite(w.array))


@pytest.mark.parametrize("suffix", [".npy", ".txt", ".csv"])
@pytest.mark.parametrize("shape", [(), (1,), (5,), (3, 4)])
def test_save_round_trips_every_float64_digit(
    tmp_path: Path, suffix: str, shape: tuple[int, ...]
) -> None:
    rng = np.random.default_rng(len(shape))
    array = rng.normal(size=shape) * 10.0 ** rng.integers(-300, 300, size=shape)
    path = tmp_path / f"a{suffix}"
    save(path, array)
    back = load(path).array
    # text tables hold at least one axis; every binary digit survives %.17g
    np.testing.assert_array_equal(back, array if suffix == ".npy" else np.atleast_1d(array))


def test_save_errors_name_the_option_of_the_interface(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^out= .*a\.csv: a 3-axis array does not fit"):
        save(tmp_path / "a.csv", np.zeros((2, 2, 2)))
    with (
        interface(COMMAND_LINE),
        pytest.raises(DataError, match=r"^--bias-out .*a\.xyz: unknown format"),
    ):
        save(tmp_path / "a.xyz", np.zeros(2), option="bias_out")
    with pytest.raises(DataError, match=r"^bias_out= .*: cannot write it \(No such file"):
        save(tmp_path / "missing" / "a.npy", np.zeros(2), option="bias_out")
    assert not (tmp_path / "a.csv").exists() and not (tmp_path / "a.xyz").exists()
