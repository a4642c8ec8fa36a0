import numpy as np
import pytest
import torch

from helpers.checks import CheckError, as_array, check_close, check_equal, check_shape, check_true, compare, rel_error


def test_check_close_passes_and_returns_nothing():
    # a test cell that ends with a check shows no value: nbgrader's own autograde would take a
    # number as the cell's partial credit (a max difference of 1e-9 points)
    a = np.array([1.0, 2.0, 3.0])
    assert check_close(a + 1e-9, a) is None
    assert check_close(np.zeros(0), np.zeros(0)) is None


def test_check_close_names_the_shape_mismatch_and_transpose():
    with pytest.raises(CheckError, match=r"shape \(3, 2\) but expected \(2, 3\).*transposed"):
        check_close(np.zeros((3, 2)), np.zeros((2, 3)), "h")


def test_check_close_missing_axis_hint():
    with pytest.raises(CheckError, match="One axis is missing"):
        check_close(np.zeros(3), np.zeros((2, 3)), "h")


def test_check_close_reports_worst_element_and_index():
    want = np.zeros((2, 3))
    got = want.copy()
    got[1, 2] = 0.5
    got[0, 0] = 0.1
    with pytest.raises(CheckError) as e:
        check_close(got, want, "h_all", hint="check the bias")
    msg = str(e.value)
    assert "2 of 6 values differ" in msg and "index (1, 2)" in msg and "got 0.5" in msg
    assert "Hint: check the bias" in msg


def test_check_close_detects_sign_flip_and_constant_factor():
    w = np.array([1.0, -2.0, 3.0])
    with pytest.raises(CheckError, match="sign is flipped"):
        check_close(-w, w)
    with pytest.raises(CheckError, match="same factor 2"):
        check_close(2 * w, w)


def test_check_close_nan_and_integer_dtype():
    with pytest.raises(CheckError, match="NaN"):
        check_close(np.array([np.nan, 1.0]), np.array([0.0, 1.0]))
    with pytest.raises(CheckError, match="integer dtype"):
        check_close(np.array([0, 1]), np.array([0.5, 1.0]))


def test_check_close_accepts_tensors_and_refuses_lookalikes():
    check_close(torch.tensor([1.0, 2.0]), np.array([1.0, 2.0]))

    class Liar:
        def __eq__(self, other):
            return True

        def __array__(self, dtype=None, copy=None):
            return np.array([1.0, 2.0])

    with pytest.raises(CheckError, match="expected a numpy array"):
        check_close(Liar(), np.array([1.0, 2.0]))
    with pytest.raises(CheckError, match="forget a return"):
        check_close(None, np.array([1.0]))


def test_as_array_copies():
    a = np.ones(3)
    b = as_array(a)
    b[0] = 5
    assert a[0] == 1


def test_check_shape_and_true():
    check_shape(np.zeros((2, 3)), (2, 3))
    with pytest.raises(CheckError, match="extra axis"):
        check_shape(np.zeros((2, 3, 1)), (2, 3))
    check_true(np.bool_(True), "never")
    with pytest.raises(CheckError, match="custom"):
        check_true(1, "custom")          # truthy is not True


def test_check_equal_plain_values():
    check_equal(3, 3)
    check_equal((1, "a"), (1, "a"))
    check_equal(np.int64(4), 4)
    with pytest.raises(CheckError, match="got 4, expected 5"):
        check_equal(4, 5)
    with pytest.raises(CheckError):
        check_equal(True, 1)

    class Sneaky(int):
        def __eq__(self, other):
            return True

    with pytest.raises(CheckError):
        check_equal(Sneaky(1), 2)


def test_rel_error_and_compare(capsys):
    assert rel_error(np.array([1.0]), np.array([1.0])) == 0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    line = compare("h", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]))
    assert "exact: False" in line and "approximate: True" in line and "max diff" in line
    assert "max diff" in capsys.readouterr().out


def test_check_choice_normalises_and_names_the_allowed_strings():
    from helpers.checks import check_choice
    assert check_choice(" B ") == "b"
    assert check_choice("c", choices="abc") == "c"
    for bad in ["e", "", None, 2, ["a"]]:
        with pytest.raises(CheckError) as e:
            check_choice(bad, "answer_order")
        assert 'answer_order must be one of the strings "a", "b", "c", "d"' in str(e.value)
