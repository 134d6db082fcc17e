#!/usr/bin/env python3
"""
train.py — a Tickwork run as a PyTorch training recipe.

This script reproduces a run that was set up in Tickwork: the same reading of the data file, the
same preprocessing (preprocessing.json), the same network, loss, optimizer, learning-rate schedule,
batches, early stopping and split (run-config.json, split.json). It writes a Tickwork export folder
that `tickwork predict --model OUT` scores with and that Tickwork can import as a run.

    python3 train.py --data FILE --out OUT [--test FILE] [--device auto|cpu|cuda] [--init tickwork]

Distributed (DistributedDataParallel: gloo on CPU, nccl on CUDA), one process per rank:

    torchrun --nproc_per_node 4 train.py --data FILE --out OUT --device cuda
    RANK=0 WORLD_SIZE=2 LOCAL_RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 python3 train.py ... &
    RANK=1 WORLD_SIZE=2 LOCAL_RANK=1 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 python3 train.py ...

The batch size in run-config.json is the global batch: every optimizer step uses the same rows as
the single-process run, split across the ranks. Only rank 0 writes OUT.

Needs PyTorch and NumPy. pandas, when installed, only makes reading large files faster.

The file reads top to bottom as the run does: 1 the recipe, 2 Tickwork's random numbers, 3 reading
the file, 4 preprocessing, 5 the network, 6 optimizers, 7 the schedule, 8 metrics, 9 ranks,
10 the training loop, 11 writing OUT, 12 main.
"""
import argparse
import codecs
import copy
import csv
import datetime as dt
import functools
import hashlib
import inspect
import io
import itertools
import json
import math
import os
import platform
import re
import shutil
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

RECIPE_VERSION = 1
HERE = Path(__file__).resolve().parent


class RecipeError(Exception):
    """Bad input or a run this script cannot reproduce: printed as one line, exit code 2."""


def fail(message):
    raise RecipeError(message)


# ============================================================================ 1. the recipe
# run-config.json (RunConfig), preprocessing.json (the fitted preprocessing), split.json (the run's
# rows), model.json + weights.bin (the Tickwork model, for --init tickwork and for OUT's topology).

OPTIMIZER_FIELDS = {
    "sgd": {"lr", "weightDecay", "momentum", "dampening", "nesterov"},
    "momentum": {"lr", "momentum", "dampening", "weightDecay"},
    "nesterov": {"lr", "momentum", "weightDecay"},
    "adam": {"lr", "beta1", "beta2", "epsilon", "amsgrad", "weightDecay"},
    "adamw": {"lr", "beta1", "beta2", "epsilon", "amsgrad", "weightDecay"},
    "nadam": {"lr", "beta1", "beta2", "epsilon", "weightDecay", "momentumDecay"},
    "rmsprop": {"lr", "rho", "epsilon", "momentum", "centered", "weightDecay"},
    "adagrad": {"lr", "lrDecay", "initialAccumulatorValue", "epsilon", "weightDecay"},
    "adadelta": {"lr", "rho", "epsilon", "weightDecay"},
    "adamax": {"lr", "beta1", "beta2", "epsilon", "weightDecay"},
    "adafactor": {"lr", "relativeStep", "scaleParameter", "epsilon1", "epsilon2", "clipThreshold", "decayRate", "beta1", "weightDecay"},
    "lion": {"lr", "beta1", "beta2", "weightDecay"},
}
SCHEDULES = {"constant", "linear", "cosine", "step", "exponential", "inverse_sqrt", "one_cycle"}
ACTIVATIONS = {"relu", "tanh", "sigmoid", "elu", "selu", "linear"}
MONITORS = {"validation.loss", "validation.accuracy", "validation.auc", "validation.f1", "validation.mse", "validation.mae", "validation.r2", "train.loss"}
FEATURE_KINDS = {"numeric", "categorical", "boolean", "datetime"}


def read_json(path, required=True):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        if required:
            fail(f"{path} is missing; run train.py from the folder `tickwork export --format pytorch` wrote (or pass --recipe).")
        return None
    except (OSError, ValueError) as err:
        fail(f"{path} cannot be read: {err}")


def resolve_layers(model):
    """Every hidden layer with its own settings over the model-wide ones (shared/network.ts)."""
    layers = []
    for layer in model["hidden"]:
        own = {"units": layer} if isinstance(layer, int) else layer
        layers.append({
            "units": own["units"],
            "activation": own.get("activation", model["activation"]),
            "dropout": own.get("dropout", model["dropout"]),
            "batchNorm": own.get("batchNorm", model["batchNorm"]),
            "l1": own.get("l1", model["l1"]),
            "l2": own.get("l2", model["l2"]),
        })
    return layers


def check_reproducible(config, prep, model_json):
    """Name the first part of the run this script cannot reproduce, and why."""
    if config.get("version") != 1:
        fail(f"run-config.json has version {config.get('version')!r}; this recipe (version {RECIPE_VERSION}) reads version 1. Export the recipe again with this Tickwork.")
    if prep.get("format") != "tickwork-preprocessing" or prep.get("version") != 1:
        fail("preprocessing.json was not written by Tickwork (format tickwork-preprocessing, version 1).")
    opt = config["optimizer"]
    name = opt.get("name")
    if name not in OPTIMIZER_FIELDS:
        fail(f"cannot reproduce the optimizer {name!r}: this recipe has the update rules of {', '.join(OPTIMIZER_FIELDS)}.")
    unknown = set(opt) - OPTIMIZER_FIELDS[name] - {"name"}
    if unknown:
        fail(f"cannot reproduce the optimizer {name}: it has setting(s) {', '.join(sorted(unknown))} that this recipe does not know.")
    if name == "sgd" and opt.get("nesterov") and opt.get("momentum", 0) > 0 and opt.get("dampening", 0) > 0:
        fail(f"cannot reproduce the optimizer sgd with nesterov and dampening {opt['dampening']}: torch.optim.SGD refuses Nesterov momentum with dampening "
             "(its rule needs dampening 0), and this recipe does not write that combination out. Train it in Tickwork with dampening 0 or without nesterov.")
    if config["schedule"]["kind"] not in SCHEDULES:
        fail(f"cannot reproduce the schedule {config['schedule']['kind']!r}: this recipe has {', '.join(sorted(SCHEDULES))}.")
    if config["task"] not in ("binary", "multiclass", "regression"):
        fail(f"cannot reproduce the task {config['task']!r}.")
    for part in ("earlyStopping", "reduceOnPlateau"):
        if config.get(part) and config[part]["monitor"] not in MONITORS:
            fail(f"cannot reproduce {part}: it monitors {config[part]['monitor']!r}, which this recipe does not compute.")
    for f in prep["features"]:
        if f["kind"] not in FEATURE_KINDS:
            fail(f"cannot reproduce the preprocessing of {f['name']!r}: its kind {f['kind']!r} is not one this recipe encodes.")
    layers = resolve_layers(config["model"])
    for i, layer in enumerate(layers):
        if layer["activation"] not in ACTIVATIONS:
            fail(f"cannot reproduce hidden layer {i + 1}: its activation {layer['activation']!r} is not one of {', '.join(sorted(ACTIVATIONS))}.")
    # The Tickwork model (model.json) must be the network run-config.json describes.
    expected = []
    for i, layer in enumerate(layers):
        expected.append(("Dense", f"dense_{i + 1}", layer["units"], layer["activation"]))
        if layer["batchNorm"]:
            expected.append(("BatchNormalization", f"bn_{i + 1}", None, None))
    classes = len(prep["labels"]) if prep["labels"] else 1
    out_units = classes if config["task"] == "multiclass" else 1
    out_act = {"binary": "sigmoid", "multiclass": "softmax", "regression": "linear"}[config["task"]]
    expected.append(("Dense", "output", out_units, out_act))
    found = []
    for layer in model_json["modelTopology"]["config"]["layers"]:
        c = layer["config"]
        if layer["class_name"] == "Dense":
            found.append(("Dense", c["name"], c["units"], c.get("activation", "linear")))
        else:
            found.append((layer["class_name"], c["name"], None, None))
    if found != expected:
        described = lambda ls: ", ".join(f"{n} ({k}{'' if u is None else f' {u} {a}'})" for k, n, u, a in ls)
        fail(f"cannot reproduce this model: model.json has the layers [{described(found)}], but run-config.json describes [{described(expected)}]; "
             "this recipe builds only the network of the run. Export the model from the run that trained it.")


class Recipe:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.config = read_json(self.folder / "run-config.json")
        if self.config is None or not isinstance(self.config, dict):
            fail("run-config.json is empty: the run's settings (optimizer, schedule, epochs) are unknown, so the run cannot be reproduced.")
        self.prep = read_json(self.folder / "preprocessing.json")
        self.split = read_json(self.folder / "split.json", required=False)
        self.model_json = read_json(self.folder / "model.json")
        check_reproducible(self.config, self.prep, self.model_json)
        self.task = self.config["task"]
        self.labels = self.prep["labels"]
        self.classes = len(self.labels) if self.labels else 1
        self.layers = resolve_layers(self.config["model"])

    def tickwork_weights(self):
        """The Tickwork model's weights by name (float32 arrays in tfjs layout; kernels are [in, out])."""
        path = self.folder / "weights.bin"
        try:
            data = path.read_bytes()
        except OSError as err:
            fail(f"--init tickwork needs {path}: {err}")
        out, offset = {}, 0
        for w in (w for g in self.model_json["weightsManifest"] for w in g["weights"]):
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            if q is None:
                values = np.frombuffer(data, "<f4", n, offset).astype(np.float32)
                offset += 4 * n
            elif q["dtype"] == "float16":  # tfjs' float16 quantization
                values = np.frombuffer(data, "<f2", n, offset).astype(np.float32)
                offset += 2 * n
            elif q["dtype"] == "uint8":  # w = q·scale + min (tfjs' 8-bit affine quantization)
                values = (np.frombuffer(data, np.uint8, n, offset).astype(np.float32) * np.float32(q["scale"]) + np.float32(q["min"])).astype(np.float32)
                offset += n
            else:
                fail(f"--init tickwork: weight {w['name']} uses the quantization {q['dtype']!r}, which this recipe cannot read.")
            out[w["name"]] = values.reshape(w["shape"])
        if offset != len(data):
            fail(f"weights.bin has {len(data)} bytes but model.json describes {offset}; export the recipe again.")
        return out


# ============================================================================ 2. Tickwork's random numbers
# mulberry32 (models/random.ts): every shuffle and split Tickwork makes, so batches match its runs.

M32 = 0xFFFFFFFF


class Mulberry32:
    def __init__(self, seed):
        self.a = ((seed & M32) ^ 0x9E3779B9) & M32

    def block(self, k):
        """The next k numbers in [0, 1), vectorized: the state is a counter a ← a + 0x6D2B79F5."""
        i = np.arange(1, k + 1, dtype=np.uint64)
        a = ((np.uint64(self.a) + i * np.uint64(0x6D2B79F5)) & np.uint64(M32)).astype(np.uint32)
        self.a = (self.a + k * 0x6D2B79F5) & M32
        with np.errstate(over="ignore"):  # uint32 arithmetic wraps, as Math.imul does
            t = (a ^ (a >> np.uint32(15))) * (a | np.uint32(1))
            t = t ^ (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61)))
            return (t ^ (t >> np.uint32(14))).astype(np.float64) / 4294967296.0

    def __call__(self):
        return float(self.block(1)[0])


def tickwork_shuffle(values, rng):
    """Fisher–Yates as models/random.ts shuffleInPlace: i from n−1 down to 1 swaps with j = floor(u·(i+1))."""
    items = list(values)
    n = len(items)
    if n < 2:
        return items
    js = (rng.block(n - 1) * np.arange(n, 1, -1, dtype=np.float64)).astype(np.int64).tolist()
    for i, j in zip(range(n - 1, 0, -1), js):
        items[i], items[j] = items[j], items[i]
    return items


def js_round(x):
    """Math.round: halves go up."""
    return math.floor(x + 0.5)


def split_rows(rows, validation, test, seed, strata=None, exact=True):
    """
    models/data/split.ts splitRows: seeded, stratified by class, at least one training row per class.
    exact=False (tables too big for a Python shuffle) draws the same shares with NumPy's seeded
    permutations instead of Tickwork's shuffle.
    """
    mulberry, generator = Mulberry32(seed), np.random.default_rng(seed)
    shuffle = (lambda xs: tickwork_shuffle(xs, mulberry)) if exact else (lambda xs: generator.permutation(np.asarray(xs, dtype=np.int64)))
    out = {"train": [], "validation": [], "test": []}

    def split_group(group):
        n = len(group)
        n_test, n_val = js_round(n * test), js_round(n * validation)
        while n_test + n_val > n - 1 and (n_test > 0 or n_val > 0):
            if n_test >= n_val and n_test > 0:
                n_test -= 1
            else:
                n_val -= 1
        out["test"].append(group[:n_test])
        out["validation"].append(group[n_test:n_test + n_val])
        out["train"].append(group[n_test + n_val:])

    rows = np.asarray(rows, dtype=np.int64)
    if strata is not None:
        strata = np.asarray(strata, dtype=np.int64)
        for key in np.unique(strata):  # groups in ascending class order, rows in table order
            split_group(shuffle(rows[strata == key].tolist() if exact else rows[strata == key]))
    else:
        split_group(shuffle(rows.tolist() if exact else rows))
    parts = {p: [int(r) for xs in out[p] for r in xs] if exact else np.concatenate(out[p]).tolist() for p in out}
    parts["train"] = [int(r) for r in shuffle(parts["train"])]
    return parts


# ============================================================================ 3. reading the file
# As models/data/csv.ts and table.ts read it: a header row, the delimiter guessed among , ; tab |
# (papaparse's rule), quotes, UTF-16 with a BOM, else UTF-8, else Windows-1252; blank records skipped;
# a cell is trimmed, compared with the missing tokens (case-insensitive), and read as a number only
# in decimal notation. Row r of a Tickwork table is data record r (line r + 2).

DELIMITERS = [",", ";", "\t", "|"]
DEFAULT_MISSING = ["", "na", "n/a", "nan", "null", "none", "?", "-"]
# JavaScript's String.prototype.trim removes these (WhiteSpace and LineTerminator).
JS_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
CHUNK_RECORDS = 65536


def js_trim(s):
    return s.strip(JS_WHITESPACE)


def parse_number(cell):
    """numbers.ts parseNumberCell: decimal notation only; no hex, Infinity, NaN or thousands separators."""
    if not DECIMAL.match(cell):
        return None
    v = float(cell)
    return v if math.isfinite(v) else None


def js_number_string(v):
    """JavaScript's String(number): how Tickwork writes a number that it keeps as a category."""
    if v == 0:
        return "0"
    sign = "-" if v < 0 else ""
    d = Decimal(repr(abs(v))).normalize()  # repr gives the shortest digits that round-trip, as JavaScript does
    _, digits_tuple, e = d.as_tuple()
    digits = "".join(map(str, digits_tuple))
    k, n = len(digits), e + len(digits)
    if k <= n <= 21:
        s = digits + "0" * (n - k)
    elif 0 < n <= 21:
        s = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        s = "0." + "0" * (-n) + digits
    else:
        exp = n - 1
        s = (digits[0] + ("." + digits[1:] if k > 1 else "")) + "e" + ("+" if exp >= 0 else "-") + str(abs(exp))
    return sign + s


DATE = re.compile(r"[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?\Z")
DATE_PARTS = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?\Z")
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def parse_date(value):
    """schema.ts parseDate: milliseconds since 1970 (UTC unless a zone is given), or None, as V8's Date.parse reads it."""
    s = js_trim(value)
    if not DATE.match(s):
        return None
    m = DATE_PARTS.match(s.replace("/", "-").replace(" ", "T", 1))
    if not m:
        return None
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    hh, mm, ss = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
    ms = int((m[7] or "0")[:3].ljust(3, "0"))
    # V8 accepts days 1–31 in any month (rolling over) and 24:00 as the next midnight.
    if not (1 <= mo <= 12 and 1 <= d <= 31 and mm <= 59 and ss <= 59 and (hh <= 23 or (hh == 24 and mm == ss == ms == 0))):
        return None
    offset = 0
    if m[8] and m[8] != "Z":
        oh, om = int(m[8][1:3]), int(m[8][-2:])
        if oh > 23 or om > 59:
            return None
        offset = (oh * 60 + om) * (1 if m[8][0] == "+" else -1)
    days = dt.date(y, mo, 1).toordinal() - EPOCH_ORDINAL + d - 1
    return ((days * 24 + hh) * 60 + mm - offset) * 60_000 + ss * 1000 + ms


def _windows_1252_fallback(err):
    # WHATWG windows-1252 (what Tickwork's TextDecoder uses) maps the five bytes cp1252 leaves out to U+0081 etc.
    return "".join(chr(b) for b in err.object[err.start:err.end]), err.end


codecs.register_error("tickwork-1252", _windows_1252_fallback)


class MissingTokens:
    def __init__(self, tokens=None):
        self.set = {js_trim(t).lower() for t in (DEFAULT_MISSING if tokens is None else tokens)} | {""}
        self.longest = max(len(t) for t in self.set)

    def has(self, cell):
        return len(cell) <= self.longest and cell.lower() in self.set


def unique_header(raw):
    seen, out = {}, []
    for i, name in enumerate(raw):
        base = js_trim(name) or f"column_{i + 1}"
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.append(base if count == 0 else f"{base}_{count + 1}")
    return out


def is_blank_record(row):
    return len(row) == 0 or (len(row) == 1 and js_trim(row[0]) == "")


def guess_delimiter(sample):
    """papaparse's guessDelimiter over the first 10 records: the most consistent field count wins."""
    best, best_delta, max_fields = None, None, None
    for delim in DELIMITERS:
        try:
            preview = list(itertools.islice(csv.reader(io.StringIO(sample, newline=""), delimiter=delim), 10))
        except csv.Error:
            continue
        delta, total, empty, prev = 0, 0, 0, None
        for row in preview:
            if len(row) == 0 or (len(row) == 1 and row[0] == ""):
                empty += 1
                continue
            total += len(row)
            if prev is None:
                prev = len(row)
            elif len(row) > 0:
                delta += abs(len(row) - prev)
                prev = len(row)
        avg = total / (len(preview) - empty) if len(preview) > empty else 0
        if avg > 1.99 and (best_delta is None or delta < best_delta or (delta == best_delta and avg > max_fields)):
            best, best_delta, max_fields = delim, delta, avg
    return best or ","


def file_encoding(path):
    """utf-16 when the file starts with its BOM, else utf-8 (a BOM dropped), else windows-1252."""
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16", head
    return "utf-8-sig", head


@functools.lru_cache(maxsize=None)
def sha256_of(path):
    """The sha256 of the file's bytes, as Tickwork records it for a data file (computed once per file)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def factorize(cells):
    """Distinct strings (in order of first appearance) and each cell's code."""
    if PANDAS is not None:
        codes, uniques = PANDAS.factorize(np.asarray(cells, dtype=object), sort=False)
        return list(uniques), codes.astype(np.int64)
    lookup = {}
    codes = np.fromiter((lookup.setdefault(c, len(lookup)) for c in cells), dtype=np.int64, count=len(cells))
    return list(lookup), codes


try:
    import pandas as PANDAS  # only for speed: reading and factorizing large files
except ImportError:
    PANDAS = None


class ColumnCells:
    """
    One column of one chunk, cell by cell as Tickwork holds it: trimmed; in a column of numbers (with
    or without stray cells) the numbers are written in JavaScript's shortest form ("1.50" → "1.5"),
    in a text column every cell is kept as read (`verbatim`).
    """

    def __init__(self, uniques, codes, verbatim, missing):
        trimmed = [js_trim(u) for u in uniques]
        self.codes = codes
        self.verbatim = verbatim  # per cell: the column is text
        self.missing_u = np.array([missing.has(t) for t in trimmed], dtype=bool)
        numbers = [None if m else parse_number(t) for t, m in zip(trimmed, self.missing_u)]
        self.number_u = np.array([np.nan if n is None else n for n in numbers], dtype=np.float64)
        self.invalid_u = np.array([not m and n is None for m, n in zip(self.missing_u, numbers)], dtype=bool)
        self.text_u = trimmed
        self._numbers = numbers
        self._keys = None

    @property
    def key_u(self):
        """Per distinct cell: the string Tickwork keeps for it (only categories, booleans and dates need it)."""
        if self._keys is None:
            self._keys = [t if n is None else js_number_string(n) for t, n in zip(self.text_u, self._numbers)]
        return self._keys

    def subset(self, mask):
        other = copy.copy(self)
        other.codes, other.verbatim = self.codes[mask], self.verbatim[mask]
        return other

    def missing(self):
        return self.missing_u[self.codes]

    def numbers(self):
        """The cell as a number (NaN when missing or not a number), and where it is not a number."""
        return self.number_u[self.codes], self.invalid_u[self.codes]

    def map_keys(self, fn, dtype):
        """fn(key) for every present cell (the key is the string Tickwork holds for it); missing cells get fn(None)."""
        shortest = np.array([fn(None if m else k) for k, m in zip(self.key_u, self.missing_u)], dtype=dtype)
        as_read = np.array([fn(None if m else t) for t, m in zip(self.text_u, self.missing_u)], dtype=dtype)
        return np.where(self.verbatim, as_read[self.codes], shortest[self.codes])

    def key_of(self, i):
        k = self.codes[i]
        return self.text_u[k] if self.verbatim[i] else self.key_u[k]


class ColumnTyping:
    """
    How Tickwork types a column, over the whole file (models/data/engine-profile.ts planColumns):
    numbers when every present cell is a number; numbers with stray cells when at most 3 distinct
    others make up at most a tenth of the present cells; else text. `count` sees every chunk first.
    """

    def __init__(self, missing):
        self.missing = missing
        self.present, self.numeric, self.others = 0, 0, set()

    def count(self, raw):
        uniques, codes = factorize(raw)
        for u, n in zip(uniques, np.bincount(codes, minlength=len(uniques))):
            t = js_trim(u)
            if self.missing.has(t):
                continue
            self.present += int(n)
            if parse_number(t) is not None:
                self.numeric += int(n)
            elif len(self.others) <= 3:
                self.others.add(t)

    @property
    def text(self):
        return not (self.numeric > 0 and len(self.others) <= 3 and self.present - self.numeric <= 0.1 * self.present)

    def cells(self, raw, first_record):
        uniques, codes = factorize(raw)
        return ColumnCells(uniques, codes, np.full(len(raw), self.text, dtype=bool), self.missing)


class _PandasCannotParse(Exception):
    pass


class DataFile:
    """
    A delimited data file read the way Tickwork reads it. `chunks()` streams its data records:
    (index of the chunk's first record, {column: ColumnCells}); afterwards `header`, `delimiter`,
    `encoding` and `records` (data records in the file) are set.
    """

    def __init__(self, path, columns, missing, reader="auto"):
        self.path, self.name = Path(path), Path(path).name
        self.columns, self.missing = list(columns), missing
        if reader == "pandas" and PANDAS is None:
            fail("--reader pandas: pandas is not installed; use --reader csv.")
        self.use_pandas = reader == "pandas" or (reader == "auto" and PANDAS is not None)
        self.header, self.records = None, None
        self.encoding, head = file_encoding(path)
        try:
            text = head.decode(self.encoding)
        except UnicodeDecodeError as err:
            if err.start < len(head) - 4:  # not merely a character cut off at the end of the probe
                self.encoding = "cp1252"
            text = head.decode(self.encoding, errors="tickwork-1252" if self.encoding == "cp1252" else "ignore")
        if "\x00" in text:
            fail(f"{self.name} does not look like a text file (it contains binary bytes). Give a CSV file with a header row.")
        self.delimiter = guess_delimiter(text)

    def chunks(self, size=CHUNK_RECORDS):
        # Two passes, as Tickwork types each column from all of its cells before it holds any.
        self._typing = None
        for counting in (True, False):
            yield from self._pass(size, counting)

    def _pass(self, size, counting):
        while True:
            try:
                yield from self._records(self._pandas_rows(size) if self.use_pandas else self._csv_rows(size), counting)
                return
            except _PandasCannotParse as err:
                # The file is bad; the csv reader names what is wrong the way Tickwork does (ragged rows, their lines).
                for _ in self._records(self._csv_rows(size), counting):
                    pass
                fail(str(err))
            except UnicodeDecodeError:
                if self.encoding == "cp1252":
                    raise
                self.encoding = "cp1252"  # not UTF-8 after all: Tickwork reads it again as Windows-1252

    def _csv_rows(self, size):
        csv.field_size_limit(2**31 - 1)
        errors = "tickwork-1252" if self.encoding == "cp1252" else "strict"
        with open(self.path, encoding=self.encoding, errors=errors, newline="") as f:
            rows = csv.reader(f, delimiter=self.delimiter, quotechar='"', doublequote=True, strict=True)
            block = []
            try:
                for row in rows:
                    block.append(row)
                    if len(block) >= size:
                        yield block
                        block = []
            except csv.Error as err:
                fail(f"{self.name}: a quoted field is not closed (near line {rows.line_num}): {err}. Check the quotes in that row.")
            if block:
                yield block

    def _pandas_rows(self, size):
        errors = "tickwork-1252" if self.encoding == "cp1252" else "strict"
        try:
            frames = PANDAS.read_csv(self.path, sep=self.delimiter, header=None, dtype=str, keep_default_na=False, na_filter=False,
                                     skip_blank_lines=True, quotechar='"', doublequote=True, chunksize=size, encoding=self.encoding,
                                     encoding_errors=errors, engine="c")
            for frame in frames:
                values = frame.to_numpy(dtype=object)
                if frame.isna().to_numpy().any():
                    # pandas pads short records with NaN: give them back short, so they are skipped (blank) or reported (ragged).
                    yield [[c for c in row if isinstance(c, str)] for row in values]
                else:
                    yield values
        except PANDAS.errors.ParserError as err:
            raise _PandasCannotParse(f"{self.name}: {str(err).strip()}. Fix that row, or quote fields that contain the delimiter {self.delimiter!r}.") from None

    def _records(self, blocks, counting):
        self.header = None
        index = None
        kept_total, seen, ragged, ragged_lines = 0, 0, 0, []
        for block in blocks:
            kept = []
            for row in block:
                if is_blank_record(row):
                    continue
                if self.header is None:
                    self.header = unique_header(list(row))
                    absent = [c for c in self.columns if c not in self.header]
                    if absent:
                        return self._absent(absent)
                    index = [self.header.index(c) for c in self.columns]
                    if counting:
                        self._typing = {c: ColumnTyping(self.missing) for c in self.columns}
                    continue
                seen += 1
                if len(row) != len(self.header):
                    ragged += 1
                    if len(ragged_lines) < 5:
                        ragged_lines.append(f"line {seen + 1} has {len(row)}")
                    continue
                kept.append(row)
            if ragged or not kept:
                continue
            if counting:
                for c, i in zip(self.columns, index):
                    self._typing[c].count([row[i] for row in kept])
            else:
                yield kept_total, {c: self._typing[c].cells([row[i] for row in kept], kept_total) for c, i in zip(self.columns, index)}
            kept_total += len(kept)
        if self.header is None:
            fail(f"{self.name} is empty. Give a CSV file with a header row and at least one data row.")
        if ragged:
            d = "\\t" if self.delimiter == "\t" else self.delimiter
            fail(f"{self.name}: {ragged} row(s) do not have the {len(self.header)} fields of the header ({', '.join(ragged_lines)}). "
                 f"Fix those rows, or quote fields that contain the delimiter \"{d}\".")
        if seen == 0:
            fail(f"{self.name} has a header row but no data rows. Add rows below the header (columns: {', '.join(self.header[:8])}).")
        self.records = kept_total

    def _absent(self, absent):
        target = self.columns[-1]
        inputs = self.columns[:-1]
        if absent == [target]:
            fail(f"{self.name} has no target column \"{target}\" (its columns: {', '.join(self.header[:12])}). The model predicts \"{target}\".")
        fail(f"{self.name} lacks column(s) the model needs: {', '.join(absent)}. The model was trained on: {', '.join(inputs)} (target \"{target}\").")


# ============================================================================ 4. preprocessing
# models/prep/preprocessing.ts encodeFeatures / encodeTarget, from the fitted preprocessing.json.

def date_part(ms, part):
    days = ms // 86_400_000
    if part == "year":
        return dt.date.fromordinal(days + EPOCH_ORDINAL).year
    if part == "month":
        return dt.date.fromordinal(days + EPOCH_ORDINAL).month
    if part == "dayOfWeek":
        return (days + 4) % 7  # 1970-01-01 was a Thursday; Sunday is 0 (getUTCDay)
    return (ms % 86_400_000) // 3_600_000


class Encoder:
    """ColumnCells of the model's inputs → the encoded float32 matrix; the target → class indices or values."""

    def __init__(self, prep, file_name):
        self.prep, self.name = prep, file_name
        self.width = len(prep["encoded"])
        self.label_index = {label: k for k, label in enumerate(prep["labels"] or [])}

    def features(self, cells, records):
        n = len(records)
        x = np.zeros((n, self.width), dtype=np.float32)
        at = 0
        for f in self.prep["features"]:
            c, kind = cells[f["name"]], f["kind"]
            if kind == "numeric":
                # missing → fill (training mean, median or a constant); then z = (x − center) / scale
                values, invalid = c.numbers()
                if invalid.any():
                    i = int(np.argmax(invalid))
                    fail(f"{self.name}: column \"{f['name']}\" is numeric but line {records[i] + 2} has \"{c.key_of(i)}\". "
                         "Fix the cell, or leave it empty to treat it as missing.")
                values = np.where(np.isnan(values), f["fill"], values)
                x[:, at] = (values - f["center"]) / f["scale"]  # in float64, stored as float32 (as Tickwork does)
                at += 1
            elif kind == "boolean":
                # true/yes/y/t/1 → 1, any other value → 0, missing → the training share of true
                truth = set(f["trueValues"])
                x[:, at] = c.map_keys(lambda k: f["fill"] if k is None else float(js_trim(k).lower() in truth), np.float64)
                at += 1
            elif kind == "datetime":
                # year, month, day of week, hour (UTC), each standardized; a missing date encodes as 0 (the training mean)
                ms = c.map_keys(lambda k: np.nan if k is None else (lambda t: -np.inf if t is None else float(t))(parse_date(k)), np.float64)
                if np.isneginf(ms).any():
                    i = int(np.argmax(np.isneginf(ms)))
                    fail(f"{self.name}: column \"{f['name']}\" holds dates but line {records[i] + 2} has \"{c.key_of(i)}\". Use ISO dates (2024-01-31).")
                for j, p in enumerate(f["parts"]):
                    part = lambda k, p=p: 0.0 if k is None else (date_part(parse_date(k), p["part"]) - p["mean"]) / p["std"]
                    x[:, at + j] = c.map_keys(part, np.float64)  # once per distinct cell, not per row
                at += len(f["parts"])
            else:
                # one-hot over the kept categories; rarer and unseen ones → "(other)" when the column has it, else all zeros
                slots = {cat: k for k, cat in enumerate(f["categories"])}
                other = len(f["categories"]) if f["other"] else -1
                fill_at = -1 if f["fill"] is None else slots.get(f["fill"], -1)
                slot = c.map_keys(lambda k: fill_at if k is None else slots.get(k, other), np.int64)
                hit = np.nonzero(slot >= 0)[0]
                x[hit, at + slot[hit]] = 1.0
                at += len(f["categories"]) + (1 if f["other"] else 0)
        return x

    def target(self, cells, records):
        """(y, present): class index or value per record (float64), and whether the target is there. Unknown classes stop with a message."""
        c = cells[self.prep["target"]]
        present = ~c.missing()
        if self.prep["labels"]:
            y = c.map_keys(lambda k: -1 if k is None else self.label_index.get(k, -2), np.int64)
            bad = y == -2
            if bad.any():
                i = int(np.argmax(bad))
                fail(f"{self.name}: target \"{self.prep['target']}\" at line {records[i] + 2} is \"{c.key_of(i)}\", which is not one of the "
                     f"training classes ({', '.join(self.prep['labels'])}).")
            return y.astype(np.float64), present
        values, invalid = c.numbers()
        if invalid.any():
            i = int(np.argmax(invalid))
            fail(f"{self.name}: target \"{self.prep['target']}\" at line {records[i] + 2} is not a number (\"{c.key_of(i)}\").")
        return values, present


class Encoded:
    """The encoded rows of a data file: x (n×d float32), y (float32), the data record of each row, and the file's facts."""

    def __init__(self, x, y, records, file):
        self.x, self.y, self.records, self.file = x, y, records, file

    def take(self, positions):
        return self.x[positions], self.y[positions]

    def rows_of(self, wanted_records):
        """Positions of the given data records (which must all be here)."""
        at = np.searchsorted(self.records, wanted_records)
        ok = (at < len(self.records)) & (self.records[np.minimum(at, len(self.records) - 1)] == wanted_records)
        if not ok.all():
            line = int(np.asarray(wanted_records)[~ok][0]) + 2
            fail(f"{self.file.name}: line {line} of the run's split is not a data row of this file (or has no target); the file is not the run's data. "
                 "Pass --split fresh to split this file anew.")
        return at


def encode_file(path, prep, missing, reader="auto", wanted=None):
    """Read a data file and encode its rows that have a target (or only the `wanted` data records)."""
    p = Path(path)
    if not p.exists():
        fail(f"File not found: {path}. Check the path.")
    if p.is_dir():
        fail(f"{path} is a folder, not a data file. Give a CSV file.")
    if p.suffix.lower() in (".parquet", ".xlsx", ".xls", ".json", ".jsonl", ".ndjson"):
        fail(f"{p.name}: train.py reads delimited text (CSV, TSV). Save the table as CSV first, e.g. "
             "pandas.read_parquet(f).to_csv('data.csv', index=False): its rows keep their order, so the run's split still applies.")
    file = DataFile(p, list(prep["inputs"]) + [prep["target"]], missing, reader)
    encoder = Encoder(prep, p.name)
    wanted = None if wanted is None else np.unique(np.asarray(wanted, dtype=np.int64))
    xs, ys, recs = [], [], []
    for first, cells in file.chunks():
        n = len(next(iter(cells.values())).codes)
        records = first + np.arange(n, dtype=np.int64)
        keep = np.ones(n, dtype=bool)
        if wanted is not None:
            at = np.minimum(np.searchsorted(wanted, records), max(0, len(wanted) - 1))
            keep = wanted[at] == records if len(wanted) else np.zeros(n, dtype=bool)
        y, present = encoder.target({prep["target"]: cells[prep["target"]].subset(keep)}, records[keep])
        keep[np.nonzero(keep)[0][~present]] = False  # rows without a target cannot be trained or scored on
        if not keep.any():
            continue
        cells = {c: v.subset(keep) for c, v in cells.items()}
        xs.append(encoder.features(cells, records[keep]))
        ys.append(y[present].astype(np.float32))
        recs.append(records[keep])
    width = len(prep["encoded"])
    x = np.concatenate(xs) if xs else np.zeros((0, width), dtype=np.float32)
    y = np.concatenate(ys) if ys else np.zeros(0, dtype=np.float32)
    return Encoded(x, y, np.concatenate(recs) if recs else np.zeros(0, dtype=np.int64), file)


# ============================================================================ 5. the network
# models/nn/mlp.ts: Dense(units, activation) [→ BatchNormalization] [→ dropout] per hidden layer, then
# the output layer: 1 sigmoid unit (binary: P(second label)), k softmax units, or 1 linear unit
# (regression, on the standardized target during training; folded back into the output layer after).
# Layer names are the Tickwork model's (dense_1, bn_1, output), so weights map one to one; a torch
# Linear weight is [out, in], a tfjs kernel [in, out]: the one is the other transposed.

ACTIVATION = {
    "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
    "elu": F.elu, "selu": torch.selu, "linear": lambda h: h,
}


class TickworkBatchNorm(nn.Module):
    """
    Keras' BatchNormalization (as tfjs and Tickwork have it), which is not nn.BatchNorm1d:
      training:  y = γ·(x − μ_B)/√(σ²_B + ε) + β with the batch mean and *biased* variance,
                 moving ← moving − (moving − batch)·(1 − momentum)   (momentum 0.99: keep 99%)
      inference: the moving mean and variance instead.              ε = 1e-3.
    Under DistributedDataParallel the batch statistics are those of the whole global batch (the
    ranks' sums are all-reduced, with gradients), so N ranks normalize exactly as one process does.
    """

    def __init__(self, units, momentum=0.99, epsilon=1e-3):
        super().__init__()
        self.momentum, self.epsilon = momentum, epsilon
        self.gamma = nn.Parameter(torch.ones(units))
        self.beta = nn.Parameter(torch.zeros(units))
        self.register_buffer("moving_mean", torch.zeros(units))
        self.register_buffer("moving_variance", torch.ones(units))

    def forward(self, x):
        if not self.training:
            return (x - self.moving_mean) / torch.sqrt(self.moving_variance + self.epsilon) * self.gamma + self.beta
        count = torch.tensor([float(x.shape[0])], device=x.device)
        total = x.sum(0)
        if WORLD.size > 1:
            total = all_reduce_with_grad(total)
            count = all_reduce_no_grad(count)
        mean = total / count
        squares = ((x - mean) ** 2).sum(0)
        if WORLD.size > 1:
            squares = all_reduce_with_grad(squares)
        variance = squares / count
        with torch.no_grad():
            keep = 1 - self.momentum
            self.moving_mean.sub_((self.moving_mean - mean) * keep)
            self.moving_variance.sub_((self.moving_variance - variance) * keep)
        return (x - mean) / torch.sqrt(variance + self.epsilon) * self.gamma + self.beta


class TickworkMLP(nn.Module):
    def __init__(self, input_size, layers, task, classes):
        super().__init__()
        self.task = task
        self.dense = nn.ModuleList()
        self.bn = nn.ModuleDict()
        self.spec = layers
        width = input_size
        for i, layer in enumerate(layers):
            self.dense.append(nn.Linear(width, layer["units"]))
            if layer["batchNorm"]:
                self.bn[str(i + 1)] = TickworkBatchNorm(layer["units"])
            width = layer["units"]
        self.output = nn.Linear(width, classes if task == "multiclass" else 1)
        # Glorot-uniform kernels and zero biases, as Tickwork initializes them (from torch's seeded generator).
        for linear in [*self.dense, self.output]:
            nn.init.xavier_uniform_(linear.weight)
            nn.init.zeros_(linear.bias)

    def forward(self, x):
        """The model's output: probabilities (sigmoid / softmax) or the (standardized) value."""
        h = x
        for i, (linear, layer) in enumerate(zip(self.dense, self.spec)):
            h = ACTIVATION[layer["activation"]](linear(h))
            if str(i + 1) in self.bn:
                h = self.bn[str(i + 1)](h)
            if layer["dropout"] > 0 and self.training:
                h = F.dropout(h, layer["dropout"], training=True)  # inverted dropout, a fresh mask each step
        out = self.output(h)
        if self.task == "binary":
            return torch.sigmoid(out)
        if self.task == "multiclass":
            return torch.softmax(out, dim=1)
        return out

    def penalized(self):
        """(kernel, l1, l2) per Dense layer with a penalty; the output layer takes the model-wide ones."""
        return [(linear.weight, layer["l1"], layer["l2"]) for linear, layer in zip(self.dense, self.spec)]

    # --- Tickwork weights (tfjs names and layout) ↔ this module
    def tensors_by_name(self):
        out = {}
        for i, linear in enumerate(self.dense):
            out[f"dense_{i + 1}/kernel"] = (linear.weight, True)
            out[f"dense_{i + 1}/bias"] = (linear.bias, False)
        for key, bn in self.bn.items():
            for part in ("gamma", "beta", "moving_mean", "moving_variance"):
                out[f"bn_{key}/{part}"] = (getattr(bn, part), False)
        out["output/kernel"] = (self.output.weight, True)
        out["output/bias"] = (self.output.bias, False)
        return out

    def load_tickwork(self, weights):
        with torch.no_grad():
            for name, (tensor, transposed) in self.tensors_by_name().items():
                if name not in weights:
                    fail(f"--init tickwork: the Tickwork model has no weight {name}; export the recipe again.")
                value = torch.from_numpy(np.ascontiguousarray(weights[name].T if transposed else weights[name]))
                if tuple(value.shape) != tuple(tensor.shape):
                    fail(f"--init tickwork: weight {name} has shape {list(weights[name].shape)} in model.json, not the run's.")
                tensor.copy_(value)

    def tickwork_weights(self):
        return {name: (t.detach().cpu().numpy().T if transposed else t.detach().cpu().numpy()).astype(np.float32)
                for name, (t, transposed) in self.tensors_by_name().items()}


def example_losses(task, output, y):
    """Per-example loss on the output (Tickwork's models/nn/losses.ts): probabilities clipped to [1e-7, 1 − 1e-7]."""
    if task == "regression":
        return (output.reshape(-1) - y) ** 2
    p = torch.clamp(output, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON)
    if task == "binary":
        t = y.reshape(-1, 1)
        return -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).reshape(-1)
    return -torch.log(p.gather(1, y.long().reshape(-1, 1))).reshape(-1)


PROBABILITY_EPSILON = 1e-7


# ============================================================================ 6. optimizers
# torch.optim where its rule is Tickwork's (models/train/optimizers/*.ts follow PyTorch's documented
# algorithms: RMSProp and Adagrad with ε outside the square root, coupled weight decay except AdamW,
# SGD's first momentum buffer = g); Adafactor and Lion, which torch.optim lacks, written out, and NAdam
# (PyTorch 1.13's differs, see below).

class Adafactor(torch.optim.Optimizer):
    """
    Adafactor (Shazeer & Stern 2018) as Tickwork's adafactor.ts:
      ρₜ = min(1e-2, 1/√t) (relativeStep; else the scheduled lr);  αₜ = max(ε2, RMS(θ))·ρₜ (scaleParameter)
      β̂2 = 1 − t^decayRate;  G² = g² + ε1
      kernel (tfjs [in, out]): R ← β̂2·R + (1 − β̂2)·mean over out of G²;  C ← … mean over in;  V̂ = R·Cᵀ / mean(R)
      vector: V̂ ← β̂2·V̂ + (1 − β̂2)·G²
      U = g/√V̂;  Û = U / max(1, RMS(U)/clipThreshold);  β1 > 0: m ← β1·m + (1 − β1)·Û, Û = m
      θ ← θ − αₜ·λ·θ − αₜ·Û
    A torch Linear weight is the tfjs kernel transposed: its row statistic R is the mean over dim 0.
    """

    def __init__(self, params, lr, relative_step, scale_parameter, eps1, eps2, clip_threshold, decay_rate, beta1, weight_decay):
        super().__init__(params, dict(lr=lr, relative_step=relative_step, scale_parameter=scale_parameter, eps1=eps1, eps2=eps2,
                                      clip_threshold=clip_threshold, decay_rate=decay_rate, beta1=beta1, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g, state = p.grad, self.state[p]
                state["step"] = t = state.get("step", 0) + 1
                rho = min(1e-2, 1 / math.sqrt(t)) if group["relative_step"] else group["lr"]
                alpha = torch.clamp(p.pow(2).mean().sqrt(), min=group["eps2"]) * rho if group["scale_parameter"] else rho
                beta2 = 1 - t ** group["decay_rate"]
                g2 = g * g + group["eps1"]
                if p.dim() >= 2:
                    r = state.setdefault("row", torch.zeros(p.shape[1], dtype=p.dtype, device=p.device))  # tfjs rows = inputs
                    c = state.setdefault("col", torch.zeros(p.shape[0], dtype=p.dtype, device=p.device))  # tfjs columns = units
                    r.mul_(beta2).add_(g2.mean(0), alpha=1 - beta2)
                    c.mul_(beta2).add_(g2.mean(1), alpha=1 - beta2)
                    v_hat = torch.outer(c, r) / r.mean()
                else:
                    v = state.setdefault("v", torch.zeros_like(p))
                    v.mul_(beta2).add_(g2, alpha=1 - beta2)
                    v_hat = v
                u = g / v_hat.sqrt()
                u = u / torch.clamp(u.pow(2).mean().sqrt() / group["clip_threshold"], min=1.0)
                if group["beta1"] > 0:
                    m = state.setdefault("m", torch.zeros_like(p))
                    m.mul_(group["beta1"]).add_(u, alpha=1 - group["beta1"])
                    u = m
                update = alpha * u
                if group["weight_decay"] > 0:
                    update = update + alpha * group["weight_decay"] * p
                p.sub_(update)


class NAdam(torch.optim.Optimizer):
    """
    NAdam (Dozat 2016) as Tickwork's nadam.ts and torch.optim.NAdam from PyTorch 2.0 compute it
    (ψ = momentumDecay):
      g ← g + λ·θ;  μₜ = β1·(1 − ½·0.96^(t·ψ));  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
      θ ← θ − lr·[(1 − μₜ)/(1 − Π₁..ₜ μ)·g + μₜ₊₁/(1 − Π₁..ₜ₊₁ μ)·m] / (√(v/(1 − β2ᵗ)) + ε)
    Written out because PyTorch 1.13's NAdam counts μₜ twice in Π₁..ₜ₊₁ μ (fixed in pytorch/pytorch#92699).
    """

    def __init__(self, params, lr, beta1, beta2, eps, weight_decay, momentum_decay):
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2, psi = group["beta1"], group["beta2"], group["momentum_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                state["step"] = t = state.get("step", 0) + 1
                g = p.grad if group["weight_decay"] == 0 else p.grad + group["weight_decay"] * p
                mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
                mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
                state["mu_product"] = product = state.get("mu_product", 1.0) * mu
                m = state.setdefault("m", torch.zeros_like(p))
                v = state.setdefault("v", torch.zeros_like(p))
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                denom = (v / (1 - b2 ** t)).sqrt().add_(group["eps"])
                p.addcdiv_(g, denom, value=-group["lr"] * (1 - mu) / (1 - product))
                p.addcdiv_(m, denom, value=-group["lr"] * mu_next / (1 - product * mu_next))


class Lion(torch.optim.Optimizer):
    """
    Lion (Chen et al. 2023, Algorithm 2) as Tickwork's lion.ts:
      c ← β1·m + (1 − β1)·g;  θ ← θ − lr·(sign(c) + λ·θ);  m ← β2·m + (1 − β2)·g
    """

    def __init__(self, params, lr, beta1, beta2, weight_decay):
        super().__init__(params, dict(lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                c = m * group["beta1"] + p.grad * (1 - group["beta1"])
                step = torch.sign(c)
                if group["weight_decay"] != 0:
                    step = step + group["weight_decay"] * p
                p.sub_(group["lr"] * step)
                m.mul_(group["beta2"]).add_(p.grad, alpha=1 - group["beta2"])


def make_optimizer(params, o):
    """The optimizer of run-config.json (its hyperparameters under Tickwork's names)."""
    name, lr, wd = o["name"], o["lr"], o.get("weightDecay", 0)
    if name in ("sgd", "momentum", "nesterov"):
        momentum = o.get("momentum", 0)
        nesterov = name == "nesterov" or (name == "sgd" and o.get("nesterov", False))
        dampening = 0 if name == "nesterov" else o.get("dampening", 0)
        # Tickwork's rule with nesterov and no momentum is plain SGD; torch insists on momentum > 0 for nesterov.
        return torch.optim.SGD(params, lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov and momentum > 0, weight_decay=wd)
    if name in ("adam", "adamw"):
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        return cls(params, lr=lr, betas=(o["beta1"], o["beta2"]), eps=o["epsilon"], weight_decay=wd, amsgrad=o["amsgrad"])
    if name == "nadam":
        return NAdam(params, lr, o["beta1"], o["beta2"], o["epsilon"], wd, o["momentumDecay"])
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=o["rho"], eps=o["epsilon"], weight_decay=wd, momentum=o["momentum"], centered=o["centered"])
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, lr_decay=o["lrDecay"], weight_decay=wd, initial_accumulator_value=o["initialAccumulatorValue"], eps=o["epsilon"])
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=lr, rho=o["rho"], eps=o["epsilon"], weight_decay=wd)
    if name == "adamax":
        return torch.optim.Adamax(params, lr=lr, betas=(o["beta1"], o["beta2"]), eps=o["epsilon"], weight_decay=wd)
    if name == "adafactor":
        return Adafactor(params, lr, o["relativeStep"], o["scaleParameter"], o["epsilon1"], o["epsilon2"], o["clipThreshold"], o["decayRate"], o["beta1"], wd)
    return Lion(params, lr, o["beta1"], o["beta2"], wd)


# ============================================================================ 7. the schedule
# shared/schedule.ts learningRateAt: a pure function of the optimizer step (0-based), in float64.

def learning_rate_at(s, base_lr, total_steps, c):
    warmup, f = c["warmupSteps"], c["warmupStartFactor"]
    if s < warmup:
        return base_lr * (f + (1 - f) * s / warmup)  # linear warmup from base·f to base
    p = (s - warmup) / max(1, total_steps - warmup)
    kind = c["kind"]
    if kind == "constant":
        return base_lr
    if kind == "linear":
        return c["finalLr"] + (base_lr - c["finalLr"]) * max(0, 1 - p)
    if kind == "cosine":
        return c["finalLr"] + (base_lr - c["finalLr"]) * 0.5 * (1 + math.cos(math.pi * min(1, p)))
    if kind == "exponential":
        return base_lr * math.pow(c["gamma"], (s - warmup) / c["stepSize"])
    if kind == "step":
        return base_lr * math.pow(c["gamma"], math.floor((s - warmup) / c["stepSize"]))
    if kind == "inverse_sqrt":
        w = max(1, warmup)
        return base_lr * math.sqrt(w) / math.sqrt(max(s, w))
    # one_cycle: up from base/divFactor to base over pctStart of the steps, then down to base/(divFactor·finalDivFactor), each half a cosine
    start = base_lr / c["divFactor"]
    end = start / c["finalDivFactor"]
    anneal = lambda a, b, q: b + (a - b) * 0.5 * (1 + math.cos(math.pi * min(1, max(0, q))))
    return anneal(start, base_lr, p / c["pctStart"]) if p < c["pctStart"] else anneal(base_lr, end, (p - c["pctStart"]) / (1 - c["pctStart"]))


def plan_steps(batch_size, accumulation, epochs, rows):
    """shared/steps.ts planSteps."""
    batch = min(batch_size, rows)
    batches = math.ceil(rows / batch)
    per_epoch = math.ceil(batches / accumulation)
    return batch, batches, per_epoch, per_epoch * epochs


# ============================================================================ 8. metrics
# models/train/metrics.ts computeMetrics, on float32 outputs, in float64.

def compute_metrics(task, output, y, classes, target_std=1.0, threshold=0.5):
    """Binary: precision / recall / F1 of the positive class (labels[1]), the macro averages as macro_*;
    a row is predicted positive when P(positive) >= threshold. Multiclass: macro averages."""
    n = len(y)
    if n == 0:
        return {}
    output = np.asarray(output, dtype=np.float32).astype(np.float64)
    y = np.asarray(y, dtype=np.float32).astype(np.float64)
    if task == "regression":
        e = output.reshape(-1) - y
        se, ae = float(np.sum(e * e)), float(np.sum(np.abs(e)))
        ss = float(np.sum((y - y.mean()) ** 2))
        mse = se / n
        return {"loss": mse / (target_std * target_std), "mse": mse, "rmse": math.sqrt(mse), "mae": ae / n, "r2": 1 - se / ss if ss > 0 else 0}
    clip = lambda p: np.clip(p, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON)
    labels = y.astype(np.int64)
    if task == "binary":
        p = output.reshape(-1)
        loss = -np.where(labels == 1, np.log(clip(p)), np.log(1 - clip(p))).sum() / n
        predicted = (p >= threshold).astype(np.int64)
        k = 2
    else:
        out = output.reshape(n, classes)
        loss = -np.log(clip(out[np.arange(n), labels])).sum() / n
        predicted = np.argmax(out, axis=1)  # the first of equal maxima, as Tickwork's loop
        k = classes
    metrics = {"loss": float(loss), **classification_scores(predicted, labels, k)}
    if task == "binary":
        # The headline is the positive class's; the macro averages keep their own names.
        for key in ("precision", "recall", "f1"):
            metrics["macro_" + key] = metrics[key]
        tp = float(np.sum((predicted == 1) & (labels == 1)))
        fp = float(np.sum((predicted == 1) & (labels == 0)))
        fn = float(np.sum((predicted == 0) & (labels == 1)))
        precision = tp / (tp + fp) if tp + fp > 0 else 0.0
        recall = tp / (tp + fn) if tp + fn > 0 else 0.0
        metrics["precision"], metrics["recall"] = precision, recall
        metrics["f1"] = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        auc = roc_auc(output.reshape(-1), labels)
        if auc is not None:
            metrics["auc"] = auc
    return metrics


def classification_scores(predicted, y, classes):
    """Accuracy and macro precision / recall / F1 over the classes present in labels or predictions."""
    tp = np.bincount(y[predicted == y], minlength=classes).astype(np.float64)
    fp = np.bincount(predicted[predicted != y], minlength=classes).astype(np.float64)
    fn = np.bincount(y[predicted != y], minlength=classes).astype(np.float64)
    precision = recall = f1 = 0.0
    counted = 0
    for c in range(classes):
        if tp[c] + fp[c] + fn[c] == 0:
            continue
        counted += 1
        p = tp[c] / (tp[c] + fp[c]) if tp[c] + fp[c] > 0 else 0
        r = tp[c] / (tp[c] + fn[c]) if tp[c] + fn[c] > 0 else 0
        precision += p
        recall += r
        f1 += 2 * p * r / (p + r) if p + r > 0 else 0
    return {"accuracy": float(tp.sum() / len(y)), "precision": precision / counted if counted else 0,
            "recall": recall / counted if counted else 0, "f1": f1 / counted if counted else 0}


def roc_auc(scores, y):
    """ROC AUC by the rank-sum formula, ties at their average rank; None with one class."""
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    starts = np.r_[0, np.nonzero(np.diff(sorted_scores))[0] + 1]  # each tie group's first position
    ends = np.r_[starts[1:], len(scores)]
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[order] = np.repeat((starts + ends - 1) / 2 + 1, ends - starts)  # the group's average 1-based rank
    positives = int((y == 1).sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return None
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


HIGHER_IS_BETTER = {"accuracy", "auc", "f1", "precision", "recall", "r2", "macro_precision", "macro_recall", "macro_f1"}


def monitor_value(record, monitor):
    part, key = monitor.split(".")
    metrics = record["train"] if part == "train" else record["validation"]
    value = (metrics or {}).get(key)
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


class Plateau:
    """callbacks.ts Plateau: the best value and the epochs since it improved by more than minDelta."""

    def __init__(self, monitor, mode, min_delta):
        self.mode = mode if mode != "auto" else ("max" if monitor.split(".")[1] in HIGHER_IS_BETTER else "min")
        self.min_delta, self.best, self.wait = min_delta, None, 0

    def update(self, value):
        improved = self.best is None or (value < self.best - self.min_delta if self.mode == "min" else value > self.best + self.min_delta)
        if improved:
            self.best, self.wait = value, 0
        else:
            self.wait += 1
        return improved


# ============================================================================ 9. ranks
# One process per rank (torchrun, or RANK/WORLD_SIZE/LOCAL_RANK/MASTER_ADDR/MASTER_PORT set by hand).
# Every rank reads the data and computes the same global batch order; rank r takes every r-th row of
# each global batch, as DistributedSampler strides over its permutation. Gradients are averaged by
# DistributedDataParallel; evaluation rows are sharded and the outputs gathered, so every rank
# computes the same metrics and takes the same early-stopping decision.

class World:
    size, rank, local_rank, backend = 1, 0, 0, None


WORLD = World()


def init_world(device_choice):
    """The device for this rank; joins the process group when WORLD_SIZE > 1."""
    if device_choice == "cuda" and not torch.cuda.is_available():
        built = "it was built without CUDA" if torch.version.cuda is None else f"it was built for CUDA {torch.version.cuda} but finds no usable GPU"
        fail(f"--device cuda: this PyTorch ({torch.__version__}) cannot use CUDA ({built}). Use --device cpu, or run on a machine with an NVIDIA GPU and a CUDA build of PyTorch.")
    use_cuda = device_choice == "cuda" or (device_choice == "auto" and torch.cuda.is_available())
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size > 1:
        missing = [v for v in ("RANK", "MASTER_ADDR", "MASTER_PORT") if not os.environ.get(v)]
        if missing:
            fail(f"WORLD_SIZE is {size} but {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set; launch with torchrun, or set RANK, LOCAL_RANK, MASTER_ADDR and MASTER_PORT for every rank.")
        import torch.distributed as dist
        WORLD.size, WORLD.rank = size, int(os.environ["RANK"])
        WORLD.local_rank = int(os.environ.get("LOCAL_RANK", WORLD.rank))
        WORLD.backend = "nccl" if use_cuda else "gloo"
        if use_cuda:
            torch.cuda.set_device(WORLD.local_rank)
        dist.init_process_group(WORLD.backend, init_method="env://", timeout=dt.timedelta(minutes=30))
    if use_cuda:
        return torch.device("cuda", WORLD.local_rank if size > 1 else torch.cuda.current_device())
    return torch.device("cpu")


def all_reduce_with_grad(t):
    import torch.distributed.nn.functional as dist_nn
    return dist_nn.all_reduce(t)  # a sum over ranks whose backward sums the gradients back


def all_reduce_no_grad(t):
    import torch.distributed as dist
    t = t.detach().clone()
    dist.all_reduce(t)
    return t


def gather_rows(local, device):
    """Every rank's rows (numpy, same trailing shape), concatenated in rank order, on every rank."""
    if WORLD.size == 1:
        return local
    import torch.distributed as dist
    t = torch.from_numpy(np.ascontiguousarray(local)).to(device)
    sizes = [torch.zeros(1, dtype=torch.int64, device=device) for _ in range(WORLD.size)]
    dist.all_gather(sizes, torch.tensor([t.shape[0]], dtype=torch.int64, device=device))
    longest = int(max(s.item() for s in sizes))
    padded = torch.zeros((longest, *t.shape[1:]), dtype=t.dtype, device=device)
    padded[: t.shape[0]] = t
    parts = [torch.zeros_like(padded) for _ in range(WORLD.size)]
    dist.all_gather(parts, padded)
    return torch.cat([p[: int(s.item())] for p, s in zip(parts, sizes)]).cpu().numpy()


def say(message):
    if WORLD.rank == 0:
        print(message, file=sys.stderr, flush=True)


# ============================================================================ 10. the training loop
# models/train/loop.ts. Per step (one tick):
#   lr ← schedule(step) · lrScale                      (lrScale: reduce-on-plateau)
#   for each of k mini-batches:  loss = Σ w·ℓ / Σ w + Σ l1·|W| + l2·W²  → ∇ += ∂loss/∂θ
#   g = ∇ / k;  clip each element to ±clipValue;  g ← g·min(1, clipNorm / (‖g‖ + 1e-12));  optimizer step
# After each epoch: metrics on (at most 10,000) training rows and on the validation rows, then
# reduce-on-plateau and early stopping (best weights restored when it stops early).

MAX_TRAIN_EVAL_ROWS = 10_000
EXACT_SHUFFLE_ROWS = 4_000_000


class BatchOrder:
    """
    The rows of every mini-batch, epoch by epoch: Tickwork's seeded shuffle of the training rows
    (each epoch reshuffles the previous order), or — with `--shuffle torch`, for tables too big for
    a Python shuffle — torch.randperm seeded by seed + epoch, as DistributedSampler draws it.
    """

    def __init__(self, rows, seed, mode):
        self.rows, self.seed, self.mode = rows, seed, mode
        self.rng = Mulberry32(seed)
        self.order = list(range(rows))

    def next_epoch(self, epoch):
        if self.mode == "tickwork":
            self.order = tickwork_shuffle(self.order, self.rng)
            return np.asarray(self.order, dtype=np.int64)
        return torch.randperm(self.rows, generator=torch.Generator().manual_seed(self.seed + epoch)).numpy()


def resolve_class_weights(config, labels, y_train):
    """'balanced' weighs class c by n / (k · n_c) on the training rows; a table of labels names its weights (others 1)."""
    choice = config["classWeights"]
    if choice == "none" or not labels:
        return None
    if choice == "balanced":
        counts = np.bincount(y_train.astype(np.int64), minlength=len(labels))
        return [len(y_train) / (len(labels) * c) if c > 0 else 0 for c in counts]
    unknown = [k for k in choice if k not in labels]
    if unknown:
        fail(f"classWeights names {', '.join(repr(u) for u in unknown)}, which are not classes of the target ({', '.join(labels)}).")
    return [choice.get(label, 1) for label in labels]


def predict(model, x, device, chunk=65536):
    """Forward pass in inference mode (moving batch-norm statistics, no dropout), float32 rows out."""
    model.eval()
    outs = []
    with torch.no_grad():
        for start in range(0, len(x), chunk):
            outs.append(model(torch.from_numpy(x[start:start + chunk]).to(device)).float().cpu().numpy())
    model.train()
    units = model.output.out_features
    return np.concatenate(outs) if outs else np.zeros((0, units), dtype=np.float32)


def evaluate(model, x, y, ctx, folded):
    """Metrics of a part; sharded over the ranks and gathered, so every rank has the same numbers."""
    if len(y) == 0:
        return None
    lo, hi = len(x) * WORLD.rank // WORLD.size, len(x) * (WORLD.rank + 1) // WORLD.size
    output = gather_rows(predict(model, x[lo:hi], ctx["device"]), ctx["comm_device"])
    stats = ctx["target_stats"]
    if ctx["task"] == "regression" and stats and not folded:
        output = (output.astype(np.float64) * stats["std"] + stats["mean"]).astype(np.float32)
    return compute_metrics(ctx["task"], output, y, ctx["classes"], stats["std"] if stats else 1.0)


def fold_target_scaling(model, stats, inverse=False):
    """y = std·(h·W + b) + mean = h·(std·W) + (std·b + mean): the saved model predicts in the target's units."""
    with torch.no_grad():
        if inverse:
            model.output.bias.sub_(stats["mean"]).div_(stats["std"])
            model.output.weight.div_(stats["std"])
        else:
            model.output.weight.mul_(stats["std"])
            model.output.bias.mul_(stats["std"]).add_(stats["mean"])


def train(recipe, parts, args, device):
    cfg, task, classes = recipe.config, recipe.task, recipe.classes
    stats = recipe.prep["targetStats"]
    x_train, y_train = parts["train"]
    n = len(y_train)
    epochs = cfg["epochs"] if args.epochs is None else args.epochs
    k = cfg["accumulationSteps"]
    batch, batches, per_epoch, total_steps = plan_steps(cfg["batchSize"] if args.batch_size is None else args.batch_size, k, epochs, n)
    schedule, base_lr = cfg["schedule"], cfg["optimizer"]["lr"]
    if epochs > 0 and schedule["warmupSteps"] >= total_steps:
        fail(f"warmupSteps {schedule['warmupSteps']} is not shorter than the whole run ({total_steps} steps = {epochs} epochs × {per_epoch} steps of batch {batch}). "
             "Use fewer warmup steps or more epochs (--epochs).")

    # The network: seeded Glorot initialization, or the Tickwork model's weights.
    torch.manual_seed(cfg["seed"])
    model = TickworkMLP(x_train.shape[1], recipe.layers, task, classes).to(device)
    if args.init == "tickwork":
        model.load_tickwork(recipe.tickwork_weights())
    standardized = task == "regression" and total_steps > 0
    if standardized and args.init == "tickwork":
        fold_target_scaling(model, stats, inverse=True)  # Tickwork saved it folded; training works on the standardized target
    torch.manual_seed(cfg["seed"] * 1_000_003 + 17 + WORLD.rank)  # dropout masks: one seeded stream per rank
    net = model
    if WORLD.size > 1:
        from torch.nn.parallel import DistributedDataParallel
        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None, broadcast_buffers=False)
    optimizer = make_optimizer(model.parameters(), cfg["optimizer"])
    params = [p for p in model.parameters()]

    # Targets as the loss sees them: class indices, or the standardized regression target (float32, as Tickwork stores them).
    y_loss = ((y_train.astype(np.float64) - stats["mean"]) / stats["std"]).astype(np.float32) if task == "regression" else y_train
    x_all, y_all = torch.from_numpy(x_train), torch.from_numpy(y_loss)
    on_device = device.type == "cuda" and x_train.nbytes + y_loss.nbytes < 0.5 * torch.cuda.mem_get_info(device)[0]
    x_dev, y_dev = (x_all.to(device), y_all.to(device)) if on_device else (x_all, y_all)  # else batches are copied step by step
    weights = resolve_class_weights(cfg, recipe.labels, y_train) if task != "regression" else None
    class_w = None if weights is None else torch.tensor(weights, dtype=torch.float32)
    class_w_dev = None if class_w is None else class_w.to(device)

    shuffle = args.shuffle if args.shuffle != "auto" else ("tickwork" if n <= EXACT_SHUFFLE_ROWS else "torch")
    order = BatchOrder(n, cfg["seed"], shuffle)
    if n > MAX_TRAIN_EVAL_ROWS:  # training metrics on a fixed, seeded sample of the training rows
        pick = tickwork_shuffle(range(n), Mulberry32(cfg["seed"] ^ 0x5EED))[:MAX_TRAIN_EVAL_ROWS] if shuffle == "tickwork" else \
            np.random.default_rng(cfg["seed"]).choice(n, MAX_TRAIN_EVAL_ROWS, replace=False)
        train_eval = (x_train[np.asarray(pick)], y_train[np.asarray(pick)])
    else:
        train_eval = (x_train, y_train)
    ctx = {"device": device, "comm_device": device if WORLD.backend == "nccl" else torch.device("cpu"), "task": task, "classes": classes,
           "target_stats": stats if standardized else None}
    x_val, y_val = parts["validation"]

    early_cfg, plateau_cfg = cfg.get("earlyStopping"), cfg.get("reduceOnPlateau")
    early = Plateau(early_cfg["monitor"], early_cfg["mode"], early_cfg["minDelta"]) if early_cfg else None
    plateau = Plateau(plateau_cfg["monitor"], plateau_cfg["mode"], plateau_cfg["minDelta"]) if plateau_cfg else None
    best_state, best_epoch, finished_early = None, 0, None
    checkpoint = None  # (epoch, weights) after the last epoch that ended with finite weights
    lr_scale, step, history, events = 1.0, 0, [], []
    step_log = open(args.log_steps, "w") if args.log_steps and WORLD.rank == 0 else None
    failed = None
    started = time.time()

    def penalty():
        total = 0
        for kernel, l1, l2 in model.penalized():
            if l1 > 0:
                total = total + l1 * kernel.abs().sum()
            if l2 > 0:
                total = total + l2 * (kernel * kernel).sum()
        if cfg["model"]["l1"] > 0:
            total = total + cfg["model"]["l1"] * model.output.weight.abs().sum()
        if cfg["model"]["l2"] > 0:
            total = total + cfg["model"]["l2"] * (model.output.weight ** 2).sum()
        return total

    say(f"training: {n} rows, batch {batch}{f' ({WORLD.size} ranks)' if WORLD.size > 1 else ''}, {per_epoch} steps × {epochs} epochs, "
        f"{cfg['optimizer']['name']} lr {base_lr}, {schedule['kind']} schedule, shuffle {shuffle}, on {device}")
    epoch = 0
    for epoch in range(1, epochs + 1):
        rows_of_epoch = order.next_epoch(epoch)
        model.train()
        loss_seen = torch.zeros((), device=device)
        for s in range(per_epoch):
            lr = learning_rate_at(step, base_lr, total_steps, schedule) * lr_scale
            for group in optimizer.param_groups:
                group["lr"] = lr
            first, last = s * k, min(batches, s * k + k)
            optimizer.zero_grad(set_to_none=True)
            step_loss = torch.zeros((), device=device)
            for b in range(first, last):
                rows = rows_of_epoch[b * batch: min(n, (b + 1) * batch)]  # the global batch, the same on every rank
                mine = torch.from_numpy(rows[WORLD.rank::WORLD.size]).to(x_dev.device)
                xb, yb = x_dev[mine].to(device), y_dev[mine].to(device)
                # Σ w over the global batch: each rank's share of Σ w·ℓ / Σ w, scaled by the ranks DDP averages over.
                weight_total = float(class_w[y_all[torch.from_numpy(rows)].long()].sum()) if class_w is not None else float(len(rows))
                sync = b == last - 1 or WORLD.size == 1
                with (net.no_sync() if not sync else _nothing()):
                    losses = example_losses(task, net(xb), yb)
                    data = (losses * class_w_dev[yb.long()]).sum() if class_w_dev is not None else losses.sum()
                    loss = data * (WORLD.size / weight_total) + penalty()
                    loss.backward()
                step_loss += loss.detach()
            count = last - first
            grads = [p.grad for p in params if p.grad is not None]
            if count > 1:
                for g in grads:
                    g.div_(count)
            if cfg["clipValue"] is not None:
                for g in grads:
                    g.clamp_(-cfg["clipValue"], cfg["clipValue"])
            if cfg["clipNorm"] is not None:
                norm = torch.sqrt(sum((g.float() ** 2).sum() for g in grads))
                scale = torch.clamp(cfg["clipNorm"] / (norm + 1e-12), max=1.0)
                for g in grads:
                    g.mul_(scale)
            optimizer.step()
            step += 1
            step_loss = step_loss / count
            loss_seen += step_loss
            if args.log_steps:  # every rank joins the reduction; rank 0 writes
                mean_loss = all_reduce_no_grad(step_loss.reshape(1).to(ctx["comm_device"])) / WORLD.size if WORLD.size > 1 else step_loss
                if step_log:
                    step_log.write(json.dumps({"step": step, "epoch": epoch, "lr": lr, "loss": float(mean_loss.sum())}) + "\n")
            if step % 50 == 0 or s == per_epoch - 1:
                # The NaN guard (a sync with the device; every 50 steps, not every step).
                check = all_reduce_no_grad(loss_seen.reshape(1).to(ctx["comm_device"])) if WORLD.size > 1 else loss_seen
                if not math.isfinite(float(check.sum())):
                    failed = (f"The loss became {float(check.sum())} by step {step} (learning rate {lr:.3g}). Try a lower learning rate, "
                              "add warmup steps or gradient clipping, or check the data for extreme values.")
                    break
                loss_seen.zero_()
        if failed:
            break
        record = {"epoch": epoch, "step": step, "train": evaluate(model, *train_eval, ctx, False),
                  "validation": evaluate(model, x_val, y_val, ctx, False), "lr": lr, "seconds": round(time.time() - started, 3)}
        history.append(record)
        checkpoint = (epoch, copy.deepcopy(model.state_dict()))
        say(f"epoch {epoch}/{epochs}  train: {fmt(record['train'])}  validation: {fmt(record['validation'])}")
        if plateau:  # ReduceLrOnPlateau, before early stopping (Tickwork's callback order)
            value = monitor_value(record, plateau_cfg["monitor"])
            if value is not None and not plateau.update(value) and plateau.wait >= plateau_cfg["patience"]:
                current = base_lr * lr_scale
                nxt = max(plateau_cfg["minLr"], current * plateau_cfg["factor"])
                if nxt < current:
                    lr_scale = nxt / base_lr
                    plateau.wait = 0
                    events.append({"step": step, "epoch": epoch, "kind": "lr-reduced", "message": f"learning rate reduced to {nxt:.3g}: "
                                   f"{' '.join(plateau_cfg['monitor'].split('.'))} plateaued for {plateau_cfg['patience']} epochs"})
        if early:
            value = monitor_value(record, early_cfg["monitor"])
            if value is not None:
                if early.update(value):
                    best_epoch = epoch
                    if early_cfg["restoreBestWeights"]:
                        best_state = copy.deepcopy(model.state_dict())
                elif early.wait >= early_cfg["patience"]:
                    finished_early = (f"stopped early at epoch {epoch} because {' '.join(early_cfg['monitor'].split('.'))} stopped improving "
                                      f"(best {early.best:.4g} at epoch {best_epoch}{', weights restored from there' if early_cfg['restoreBestWeights'] else ''})")
                    events.append({"step": step, "epoch": epoch, "kind": "early-stop", "message": finished_early})
                    break
    if step_log:
        step_log.close()
    if failed:
        if checkpoint is None:
            fail(failed)
        model.load_state_dict(checkpoint[1])  # as Tickwork: a failed run keeps the model of its last good epoch
        failed += f" The model from epoch {checkpoint[0]} (the last checkpoint) is kept."
    if finished_early and best_state is not None:
        model.load_state_dict(best_state)
    if standardized:
        fold_target_scaling(model, stats)
    final = {"device": device, "comm_device": ctx["comm_device"], "task": task, "classes": classes, "target_stats": stats}
    metrics = {
        "train": evaluate(model, x_train, y_train, final, True),
        "validation": evaluate(model, x_val, y_val, final, True),
        "test": evaluate(model, *parts["test"], final, True) if len(parts["test"][1]) else None,
    }
    status = "failed" if failed else "completed"
    message = failed or finished_early or f"completed {epochs} epoch(s), {step} steps"
    # The settings of the run that happened, for OUT's run-config.json (a RunConfig needs epochs >= 1).
    ran = {"batchSize": batch, "epochs": epochs if epochs > 0 else cfg["epochs"]}
    return model, {"status": status, "message": message, "steps": step, "epochs": epoch if epochs else 0, "history": history, "config": ran,
                   "events": events, "metrics": metrics, "seconds": time.time() - started, "shuffle": shuffle, "batch": batch}


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def fmt(metrics):
    return "—" if not metrics else "  ".join(f"{k} {v:.4f}" for k, v in metrics.items())


# ============================================================================ 11. writing OUT
# A Tickwork export folder: model.json + weights.bin (tfjs Layers, Tickwork's weight names), model.onnx,
# preprocessing.json, run-config.json (with `trainedBy`), metrics.json, history.jsonl, split.json,
# README.md. Written to a temporary sibling and renamed into place; an existing folder is replaced
# only when it is empty or itself a Tickwork export.

class ScoringModel(nn.Module):
    """What model.onnx computes, as Tickwork's own model.onnx: raw columns imputed and scaled in the graph
    when every input is numeric (else the encoded vector); binary outputs [P(first label), P(second)]."""

    def __init__(self, model, prep):
        super().__init__()
        self.model, self.task = model, prep["task"]
        self.raw = all(f["kind"] == "numeric" for f in prep["features"])
        if self.raw:
            self.register_buffer("fill", torch.tensor([f["fill"] for f in prep["features"]], dtype=torch.float32))
            self.register_buffer("center", torch.tensor([f["center"] for f in prep["features"]], dtype=torch.float32))
            self.register_buffer("scale", torch.tensor([f["scale"] for f in prep["features"]], dtype=torch.float32))

    def forward(self, features):
        x = features
        if self.raw:
            x = (torch.where(torch.isnan(x), self.fill, x) - self.center) / self.scale
        out = self.model(x)
        return torch.cat([1 - out, out], dim=1) if self.task == "binary" else out


def replaceable(path):
    if not path.exists():
        return True
    if not path.is_dir():
        fail(f"--out {path} is a file; give a folder (a new one, or an earlier Tickwork export to replace).")
    if not any(path.iterdir()):
        return True
    try:
        return json.loads((path / "preprocessing.json").read_text(encoding="utf-8")).get("format") == "tickwork-preprocessing"
    except (OSError, ValueError, AttributeError):
        return False


def model_card(prep, config, metrics, trained_by):
    line = lambda m: "—" if not m else ", ".join(f"{k} {v:.4f}" for k, v in m.items())
    return "\n".join([
        f"# Tickwork model — predicts `{prep['target']}` ({prep['task']})",
        "",
        f"Trained with PyTorch {trained_by['torch']} by Tickwork's training recipe (train.py) on `{trained_by['data']['file']}` "
        f"({trained_by['data']['rows']['train']} training rows), {trained_by['device']}, {trained_by['worldSize']} rank(s): {trained_by['message']}.",
        "",
        "## Metrics",
        "",
        f"- train: {line(metrics['train'])}",
        f"- validation: {line(metrics['validation'])}",
        f"- test: {line(metrics['test'])}",
        "",
        "## Scoring",
        "",
        "```sh",
        "npx tickwork predict --model . --data new-rows.csv --out scored.csv",
        "```",
        "",
        "`model.json` + `weights.bin` are a TensorFlow.js Layers model, `model.onnx` an ONNX model; both take the inputs "
        "`preprocessing.json` describes (its `onnx` entry says which). `history.jsonl` has the metrics of every epoch, "
        "`run-config.json` the run's settings and, under `trainedBy`, where and how it was trained.",
        "",
    ])


def write_out(out, recipe, model, result, trained_by, split_record):
    out = Path(out).resolve()
    if not replaceable(out):
        fail(f"{out} already exists and is not a Tickwork export. Choose an empty or new folder so nothing of yours is overwritten.")
    out.parent.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}-{int(time.time() * 1000) % 100000}"
    tmp, old = out.parent / f".{out.name}.tmp-{tag}", out.parent / f".{out.name}.old-{tag}"
    dump = lambda value: json.dumps(value, indent=2) + "\n"
    try:
        tmp.mkdir()
        weights = model.tickwork_weights()
        manifest = [w for g in recipe.model_json["weightsManifest"] for w in g["weights"]]
        entries, blobs = [], []
        for w in manifest:
            value = weights[w["name"]]
            entries.append({"name": w["name"], "shape": list(value.shape), "dtype": "float32"})
            blobs.append(value.astype("<f4").tobytes())
        model_json = {**recipe.model_json, "generatedBy": f"Tickwork PyTorch recipe {RECIPE_VERSION} (torch {torch.__version__})", "convertedBy": None,
                      "weightsManifest": [{"paths": ["weights.bin"], "weights": entries}]}
        (tmp / "model.json").write_text(dump(model_json), encoding="utf-8")
        (tmp / "weights.bin").write_bytes(b"".join(blobs))
        try:
            scoring = ScoringModel(copy.deepcopy(model).cpu().eval(), recipe.prep).eval()
            width = len(recipe.prep["inputs"]) if scoring.raw else len(recipe.prep["encoded"])
            output_name = "prediction" if recipe.task == "regression" else "probabilities"
            # The TorchScript exporter (PyTorch 2.x defaults to it up to 2.8 and still has it with dynamo=False).
            legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
            torch.onnx.export(scoring, torch.zeros(1, width), str(tmp / "model.onnx"), input_names=["features"], output_names=[output_name],
                              dynamic_axes={"features": {0: "batch"}, output_name: {0: "batch"}}, opset_version=13, **legacy)
        except Exception as err:  # noqa: BLE001 — the rest of the export is still complete and usable
            print(f"train.py: warning: model.onnx not written ({type(err).__name__}: {err})", file=sys.stderr)
        shutil.copyfile(recipe.folder / "preprocessing.json", tmp / "preprocessing.json")
        config = {**recipe.config, **result["config"], "trainedBy": trained_by}
        (tmp / "run-config.json").write_text(dump(config), encoding="utf-8")
        (tmp / "metrics.json").write_text(dump(result["metrics"]), encoding="utf-8")
        (tmp / "history.jsonl").write_text("".join(json.dumps(r) + "\n" for r in result["history"]), encoding="utf-8")
        if split_record is not None:
            (tmp / "split.json").write_text("{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in split_record.items()) + "\n}\n", encoding="utf-8")
        (tmp / "README.md").write_text(model_card(recipe.prep, recipe.config, result["metrics"], trained_by), encoding="utf-8")
        replaced = False
        if out.exists():
            out.rename(old)
            replaced = True
        tmp.rename(out)
        if replaced:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        fail(f"Cannot write {out}: {err}. Choose a folder you can write to.")
    return out


# ============================================================================ 12. main

def parse_args(argv):
    ap = argparse.ArgumentParser(prog="train.py", description="Reproduce a Tickwork run with PyTorch; write a Tickwork export folder.")
    ap.add_argument("--data", required=True, help="the data file (CSV/TSV): the run's file, or a bigger one with the same columns")
    ap.add_argument("--out", required=True, help="the Tickwork export folder to write")
    ap.add_argument("--test", help="evaluate on this file instead of the test rows of the split")
    ap.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="auto: CUDA when available (default)")
    ap.add_argument("--init", choices=["none", "tickwork"], default="none", help="tickwork: start from the Tickwork model's weights (model.json + weights.bin)")
    ap.add_argument("--epochs", type=int, help="override the run's epochs (0: only evaluate, e.g. with --init tickwork)")
    ap.add_argument("--batch-size", type=int, help="override the run's global batch size")
    ap.add_argument("--split", choices=["auto", "run", "fresh"], default="auto",
                    help="run: the run's rows (split.json); fresh: split this file anew with the run's seed and shares; "
                         "auto: run when the file is the run's file (same sha256, or the same number of rows)")
    ap.add_argument("--shuffle", choices=["auto", "tickwork", "torch"], default="auto",
                    help="batch order: Tickwork's seeded shuffle (exact batches), or torch.randperm (fast for huge tables); auto: tickwork up to 4M rows")
    ap.add_argument("--reader", choices=["auto", "csv", "pandas"], default="auto", help="the CSV reader (auto: pandas when installed)")
    ap.add_argument("--missing", help='cells read as missing, comma-separated (default: the run\'s, else: empty NA N/A NaN null None ? -)')
    ap.add_argument("--recipe", default=str(HERE), help="the folder with run-config.json etc. (default: this script's folder)")
    ap.add_argument("--log-steps", help="write the learning rate and loss of every step to this JSON Lines file (rank 0)")
    args = ap.parse_args(argv)
    if args.epochs is not None and args.epochs < 0:
        ap.error("--epochs must be >= 0")
    if args.batch_size is not None and args.batch_size < 1:
        ap.error("--batch-size must be >= 1")
    return args


def choose_rows(recipe, args, data_path, missing):
    """Which data records form train / validation / test: the run's (split.json), or a fresh split of this file."""
    split = recipe.split
    mode = args.split
    if mode == "run" and split is None:
        fail("--split run: this recipe has no split.json (the model came from an older export); use --split fresh, which splits with the run's seed and shares.")
    records_of = lambda part: (np.asarray(split["lines"][part], dtype=np.int64) - 2) if split.get("lines") else np.asarray(split[part], dtype=np.int64)
    if mode == "auto" and split is None:
        say("note: the recipe has no split.json (an older export): splitting the data with the run's seed and shares, as Tickwork split it.")
    if mode == "auto" and split is not None:
        mode = "run" if sha256_of(data_path) == split["sha256"] else "check"
    if mode == "run":
        wanted = np.concatenate([records_of(p) for p in ("train", "validation", "test")])
        data = encode_file(data_path, recipe.prep, missing, args.reader, wanted=wanted)
        return data, {p: data.rows_of(records_of(p)) for p in ("train", "validation", "test")}, "run"
    data = encode_file(data_path, recipe.prep, missing, args.reader)
    if mode == "check":
        same_size = data.file.records == split["fileRows"] and split["fileRows"] == split["tableRows"]
        if same_size:
            if not str(split["source"]).startswith("bundled:"):
                say(f"note: {Path(data_path).name} is not byte-for-byte the run's file (sha256 differs) but has its {split['fileRows']} rows: using the run's split.")
            return data, {p: data.rows_of(records_of(p)) for p in ("train", "validation", "test")}, "run"
        say(f"note: {Path(data_path).name} has {data.file.records} rows, the run's file {split['fileRows']}: splitting it anew with the run's seed and shares (--split fresh).")
    s = recipe.config["split"]
    if s.get("fold"):
        fold = s["fold"]
        which = "the final model" if fold["index"] is None else f"fold {fold['index'] + 1}"
        fail(f"cannot split {Path(data_path).name} anew for this run: it is {which} of a {fold['k']}-fold cross-validation, and the recipe "
             "re-splits only train / validation / test. Give the run's own data file (its split.json then applies).")
    test_share = 0 if args.test or recipe.config.get("testSource") else s["test"]
    strata = data.y.astype(np.int64) if recipe.labels and s["stratify"] else None
    positions = np.arange(len(data.y))
    fresh = split_rows(positions, s["validation"], test_share, recipe.config["seed"], strata, exact=len(positions) <= EXACT_SHUFFLE_ROWS)
    return data, {p: np.asarray(fresh[p], dtype=np.int64) for p in ("train", "validation", "test")}, "fresh"


def main(argv):
    args = parse_args(argv)
    recipe = Recipe(args.recipe)
    device = init_world(args.device)
    started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    tokens = args.missing.split(",") if args.missing is not None else (recipe.split or {}).get("missingTokens")
    missing = MissingTokens(tokens)
    data, rows, split_mode = choose_rows(recipe, args, args.data, missing)
    test_source = args.test or None
    parts = {p: data.take(rows[p]) for p in ("train", "validation")}
    if args.test:
        test = encode_file(args.test, recipe.prep, missing, args.reader)
        parts["test"] = (test.x, test.y)
    else:
        parts["test"] = data.take(rows["test"])
        if recipe.config.get("testSource") and len(rows["test"]) == 0:
            say(f"note: the run was tested on {recipe.config['testSource']}; pass --test FILE to evaluate on it.")
    if len(parts["train"][1]) == 0:
        fail(f"{Path(args.data).name}: no training rows (every row lacks the target \"{recipe.prep['target']}\"?).")
    say(f"data: {Path(args.data).name}, {data.file.records} rows ({data.file.delimiter!r}-delimited, read with {'pandas' if data.file.use_pandas else 'csv'}); "
        f"split: {split_mode} — {len(rows['train'])} train, {len(rows['validation'])} validation, {len(parts['test'][1])} test")

    model, result = train(recipe, parts, args, device)
    if WORLD.size > 1:  # every rank has finished; rank 0 writes OUT, the others are done
        import torch.distributed as dist
        dist.barrier()
        dist.destroy_process_group()

    if WORLD.rank == 0:
        split_record = None
        if sum(len(rows[p]) for p in rows) <= 20_000_000:
            split_record = {"format": "tickwork-split", "version": 1, "source": str(Path(args.data).resolve()), "sha256": sha256_of(args.data),
                            "delimiter": data.file.delimiter, "tableRows": data.file.records, "fileRows": data.file.records,
                            "missingTokens": tokens, **{p: data.records[rows[p]].tolist() for p in ("train", "validation", "test")}, "lines": None}
        gpu = f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""
        # OUT's run-config.json names the data this run read; the Tickwork run's dataset is kept under trainedBy.fromRun.
        data_block = {"name": Path(args.data).name, "source": str(Path(args.data).resolve()),
                      "sha256": split_record["sha256"] if split_record else sha256_of(args.data), "rows": data.file.records}
        result["config"].update({"dataset": data_block, "testSource": str(Path(test_source).resolve()) if test_source else None})
        trained_by = {
            "tool": "pytorch", "recipe": RECIPE_VERSION,
            "fromRun": {"dataset": recipe.config["dataset"], "epochs": recipe.config["epochs"], "batchSize": recipe.config["batchSize"]},
            "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
            "host": platform.node(), "device": f"{device}{gpu}", "worldSize": WORLD.size, "distributedBackend": WORLD.backend,
            "status": result["status"], "message": result["message"], "steps": result["steps"], "epochs": result["epochs"],
            "batchSize": result["batch"], "init": args.init if args.init != "none" else None, "split": split_mode, "shuffle": result["shuffle"],
            "startedAt": started_at, "finishedAt": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "seconds": round(result["seconds"], 3),
            "events": result["events"],
            "data": {"file": data_block["source"], "sha256": data_block["sha256"],
                     "rows": {"file": data.file.records, "train": len(rows["train"]), "validation": len(rows["validation"]), "test": len(parts["test"][1])},
                     "test": str(Path(test_source).resolve()) if test_source else None},
        }
        out = write_out(args.out, recipe, model, result, trained_by, split_record)
        say(f"{result['status']}: {result['message']}")
        for part in ("train", "validation", "test"):
            if result["metrics"][part]:
                say(f"  {part:<10} {fmt(result['metrics'][part])}")
        say(f"Tickwork export written to {out}")
    return 1 if result["status"] == "failed" else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except RecipeError as err:
        print(f"train.py: {err}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("train.py: interrupted; nothing was written.", file=sys.stderr)
        sys.exit(130)
