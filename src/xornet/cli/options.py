"""Parsing and checking of option values shared by several commands."""

import math
import os
from contextlib import contextmanager

from xornet.cli import wording
from xornet.core import numbers
from xornet.errors import XornetError
from xornet.io import csvdata, datasets, files


def parse_hidden(text):
    """``"3"`` → (3,), ``"4,4"`` → (4, 4), ``"none"`` → () (no hidden layer)."""
    if text is None:
        return None
    t = text.strip().lower()
    if t in ("none", "0-layers", ""):
        return ()
    sizes = []
    for part in t.split(","):
        n = numbers.to_int(part) or 0  # ASCII digits only, as every number xornet reads
        if not 1 <= n <= 4096:
            raise XornetError(
                f"--hidden: {text!r} is not a list of layer sizes; give whole numbers from 1 to "
                "4096 separated by commas, such as 3 or 4,4, or 'none' for no hidden layer."
            )
        sizes.append(n)
    return tuple(sizes)


def parse_batch_size(text):
    """``"full"`` or None → None (full batch), ``"1"`` → 1 (online), ``"k"`` → k."""
    if text is None or text.strip().lower() in ("full", "none", "all"):
        return None
    n = numbers.to_int(text) or 0
    if n < 1:
        raise XornetError(
            f"--batch-size: {text!r} is not a batch size; give a whole number ≥ 1 "
            "(1 = online) or 'full'."
        )
    return n


def check_number(flag, value, low=None, open_low=False):
    """A float option must be finite (and above ``low``); typer accepts 'nan' and 'inf'."""
    if value is None:
        return None
    ok = math.isfinite(value) and (low is None or (value > low if open_low else value >= low))
    if not ok:
        bound = "" if low is None else (f" > {low:g}" if open_low else f" ≥ {low:g}")
        raise XornetError(f"{flag}: expected a finite number{bound}; received {value!r}.")
    return value


def parse_lr(text):
    """``--lr``: ``"3"`` → 3.0 (every layer), ``"0.5,2"`` → (0.5, 2.0) (one per weight
    layer, input side first; their count is checked against the network by RunConfig)."""
    if text is None:
        return None
    values = []
    for part in text.split(","):
        v = numbers.to_float(part)
        if v is None:
            v = math.nan
        if not (math.isfinite(v) and v > 0.0):
            raise XornetError(f"--lr: {part.strip()!r} is not a learning rate; give a finite "
                              "number > 0, or one per weight layer separated by commas, such "
                              "as 0.5,2.")
        values.append(v)
    return values[0] if len(values) == 1 else tuple(values)


def check_count(flag, value, low=1):
    if value is not None and value < low:
        raise XornetError(f"{flag}: expected a whole number ≥ {low}; received {value}.")
    return value


def load_data(dataset, csv, target, n_bits, samples, noise, seed):
    """The (X, y, description) chosen by ``--dataset``/``--csv`` (XOR when neither is given)."""
    if csv is not None:
        if dataset is not None:
            raise XornetError("--csv: give either --dataset or --csv, not both.")
        X, y, features, target_name = csvdata.load_csv(csv, target=target)
        name = files.label(csv) if files.is_stdio(csv) else os.path.basename(csv)
        return X, y, f"{name} ({', '.join(features)} → {target_name})"
    name = dataset or "xor"
    X, y = datasets.load(name, n_bits=n_bits, n_samples=samples, noise=noise, seed=seed)
    return X, y, name


def check_patience(patience, test_split):
    """``--patience``: a whole number ≥ 1, and only with ``--test-split`` (early stopping
    watches the test loss)."""
    check_count("--patience", patience)
    if patience is not None and test_split is None:
        raise XornetError("--patience: early stopping watches the loss on held-out rows, and "
                          "there are none; add --test-split (e.g. 0.3) or leave --patience "
                          "out.")


def split_data(X, y, share, data_seed, dataset):
    """``--test-split``: (X_train, y_train, (X_test, y_test)), ``share`` of the rows held out,
    drawn with the data seed (``datasets.train_test_split``). ``dataset`` is the dataset's
    name (None for CSV data). A truth table is refused: it holds each input once, so a
    held-out row is not a fresh example of what was learned but a part of the function left
    unsaid."""
    check_number("--test-split", share)
    refusal = None if dataset is None else datasets.split_refusal(dataset)
    if refusal:
        raise XornetError(f"--test-split: {refusal}; split a generated cloud (e.g. --dataset "
                          "xor-cloud) or --csv data instead.")
    with wording.flags_in_errors("test_split"):
        X, y, X_test, y_test = datasets.train_test_split(X, y, share, data_seed)
    return X, y, (X_test, y_test)


def held_out(cfg, X, y, test_split, patience, data_seed, dataset):
    """The run and the rows it trains on, as ``train`` and ``animate`` share them: ``cfg``
    with ``--patience``, and with ``--test-split`` (X_train, y_train, (X_test, y_test)), the
    whole data's targets checked first (as without a split, not a part's); else test None."""
    if patience is not None:
        cfg = cfg.with_(patience=patience).check()
    if test_split is None:
        return cfg, X, y, None
    cfg.check_targets(y)
    X, y, test = split_data(X, y, test_split, data_seed, dataset)
    return cfg, X, y, test


@contextmanager
def errors_as_test_split():
    """A library error about ``test_data`` said as about --test-split, the flag that made the
    test set (the library names its argument; the person typed the flag)."""
    try:
        yield
    except XornetError as e:
        name, colon, rest = str(e).partition(": ")
        if name != "test_data" or not colon:
            raise
        raise XornetError(f"--test-split: {rest}") from None


def check_picture_out(out):
    """``--out``: a picture file (.png, .svg or .pdf) in a folder that exists, said before any
    work (``xornet landscape`` and ``xornet inits``)."""
    from xornet.viz import style  # at the call: the viz extra is checked before it

    suffix = os.path.splitext(out)[1].lstrip(".").lower()
    if suffix not in style.FORMATS:
        raise XornetError(f"--out: {out!r} is not a picture file; end it in "
                          f"{', '.join('.' + f for f in style.FORMATS)}.")
    try:
        files.writable_target(out, "--out")
    except XornetError as e:  # the path's own words, under the option that gave it
        raise XornetError(f"--out: {e}") from None
