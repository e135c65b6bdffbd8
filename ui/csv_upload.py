"""Reading a learner's CSV safely: encoding, delimiter, odd headers, non-numeric cells, huge files.

This is input handling, not math: it turns uploaded bytes into a float64 feature matrix and target, plus
plain-language messages for everything it had to fix or refuse. It never raises on a bad file; every
column name that reaches a message is escaped (shown as text, never as Markdown or HTML).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MAX_ROWS = 100_000       # rows kept for the analysis; bigger files are sampled (and the page says so)
NUMERIC_SHARE = 0.9      # a text column counts as numeric when this share of its non-blank cells parse
TOO_LARGE = 1e150        # beyond this, x**2 overflows float64 in the Hessian
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_MD = set("\\`*_{}[]()<>#+-.!|~$&\"'=:")


def shown(name: object, limit: int = 40) -> str:
    """A column name made safe for Markdown: control characters replaced, truncated, markup escaped."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", str(name))
    text = text if len(text) <= limit else text[:limit] + "…"
    return "".join("\\" + c if c in _MD else c for c in text) or "(blank)"


def plain(name: object, limit: int = 60) -> str:
    """A column name for widget labels (plain text there): control characters removed, truncated."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", str(name))
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass(frozen=True)
class Message:
    level: str   # "info" (expected, nothing lost) or "warning" (data was dropped or refused)
    text: str    # Markdown with every user-provided string escaped


@dataclass(frozen=True)
class CsvTable:
    """The numeric part of an uploaded CSV.

    frame: numeric columns only (float64; NaN marks a blank or unreadable cell), or None when the file
    cannot be used; messages: what was detected, fixed or refused, in reading order.
    """

    frame: pd.DataFrame | None
    messages: tuple[Message, ...]
    rows_in_file: int = 0
    encoding: str = ""
    delimiter: str = ","
    non_numeric: tuple[str, ...] = field(default_factory=tuple)


def read_csv(data: bytes, *, max_rows: int = MAX_ROWS, seed: int = 0) -> CsvTable:
    """Decode, sniff, parse and keep the numeric columns of an uploaded CSV (never raises)."""
    notes: list[Message] = []
    if not data or not data.strip():
        return CsvTable(None, (Message("info", "The file is empty: there is nothing to analyse."),))
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return CsvTable(None, (Message("warning", "This looks like a binary file, not a CSV text file."),))
    text, encoding = _decode(data, notes)
    sep = _sniff(text)
    if sep != ",":
        notes.append(Message("info", f"Detected the **{DELIMITER_NAMES[sep]}** as the column separator."))
    try:
        df = _parse(text, sep, notes)
    except Exception as exc:  # pandas raises many types on malformed text; all mean "not a usable CSV"
        reason = shown(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 120)
        return CsvTable(None, (*notes, Message("warning", f"Could not read this file as CSV ({reason}).")),
                        encoding=encoding, delimiter=sep)
    if df.shape[1] == 0 or (df.shape[0] == 0 and df.shape[1] > 0):
        what = "a header but no data rows" if df.shape[1] else "no columns"
        return CsvTable(None, (*notes, Message("info", f"The file has {what}: there is nothing to analyse.")),
                        encoding=encoding, delimiter=sep)
    rows_in_file = len(df)
    df = _sample(df, max_rows, seed, notes)
    numeric, non_numeric = _numeric_columns(df, notes)
    if numeric.shape[1] == 0:
        notes.append(Message("warning", "No numeric columns found: the analysis needs numbers (features "
                                        "and a target)."))
        return CsvTable(None, tuple(notes), rows_in_file, encoding, sep, non_numeric)
    return CsvTable(numeric, tuple(notes), rows_in_file, encoding, sep, non_numeric)


def _decode(data: bytes, notes: list[Message]) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        notes.append(Message("info", "The file starts with a byte-order mark (BOM); it was removed."))
        return data.decode("utf-8-sig", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        notes.append(Message("info", "The file is UTF-16 encoded; it was converted."))
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        notes.append(Message("info", "The file is not UTF-8; it was read as Windows-1252 (Latin-1), so "
                                     "accented letters in names may look different."))
        return data.decode("cp1252", errors="replace"), "cp1252"


def _sniff(text: str) -> str:
    """The candidate delimiter that splits the first lines into the same, largest number of fields."""
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    best, best_fields = ",", 1
    for sep in DELIMITERS:
        counts = [len(next(csv.reader([ln], delimiter=sep))) for ln in lines]
        if counts and min(counts) > best_fields and max(counts) == min(counts):
            best, best_fields = sep, counts[0]
    if best_fields == 1:  # ragged file: fall back to the separator most common in the header
        header = lines[0] if lines else ""
        best = max(DELIMITERS, key=header.count) if any(s in header for s in DELIMITERS) else ","
    return best


def _parse(text: str, sep: str, notes: list[Message]) -> pd.DataFrame:
    read = lambda **kw: pd.read_csv(io.StringIO(text), sep=sep, on_bad_lines="skip",  # noqa: E731
                                    skipinitialspace=True, **kw)
    df = read()
    if sep != "," and _count_numeric(read(decimal=",")) > _count_numeric(df):
        df = read(decimal=",")
        notes.append(Message("info", "Numbers use a **decimal comma** (1,5 = 1.5); read them that way."))
    names = [str(c) for c in df.columns]
    if names and all(_is_number(c) for c in names):
        df = read(header=None)
        df.columns = [f"column {i + 1}" for i in range(df.shape[1])]
        notes.append(Message("info", "The first row holds numbers, so it was read as data, not as column "
                                     "names; columns are called column 1, column 2, …"))
        return df
    _name_notes(text, sep, names, notes)
    df.columns = names
    lines = sum(1 for ln in text.splitlines()[1:] if ln.strip())
    if '"' not in text and len(df) < lines:  # quoted fields may span lines; then the count would be wrong
        notes.append(Message("warning", f"Skipped {lines - len(df):,} line(s) with more fields than the header "
                                        "has columns."))
    return df


def _name_notes(text: str, sep: str, names: list[str], notes: list[Message]) -> None:
    header = next(csv.reader([text.splitlines()[0]], delimiter=sep), [])
    raw = [h.strip() for h in header]
    dups = sorted({h for h in raw if raw.count(h) > 1 and h})
    if dups:
        notes.append(Message("info", "Duplicate column names were made unique by adding .1, .2, …: "
                                     + ", ".join(f"`{shown(d)}`" if "`" not in d else shown(d) for d in dups)))
    if any(not h for h in raw):
        notes.append(Message("info", "Some columns have no name; they are called Unnamed: k."))


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _count_numeric(df: pd.DataFrame) -> int:
    return sum(pd.api.types.is_numeric_dtype(df[c]) for c in df.columns)


def _sample(df: pd.DataFrame, max_rows: int, seed: int, notes: list[Message]) -> pd.DataFrame:
    if len(df) <= max_rows:
        return df
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(len(df), size=max_rows, replace=False))
    notes.append(Message("info", f"The file has {len(df):,} rows; a random sample of {max_rows:,} rows "
                                 f"(drawn with the page's seed {seed}) is analysed, which is plenty for "
                                 "means, variances and the Hessian."))
    return df.iloc[keep].reset_index(drop=True)


def _numeric_columns(df: pd.DataFrame, notes: list[Message]) -> tuple[pd.DataFrame, tuple[str, ...]]:
    kept, refused, patched = {}, [], []
    for name in df.columns:
        col = df[name]
        if pd.api.types.is_bool_dtype(col):
            refused.append(name)
            continue
        if pd.api.types.is_numeric_dtype(col):
            kept[name] = col.astype("float64")
            continue
        text = col.astype("string").str.strip()
        filled = text.notna() & (text != "")
        values = pd.to_numeric(text.where(filled), errors="coerce")
        ok = values.notna() | text.str.lower().isin(["nan", "inf", "-inf", "+inf"])
        if filled.sum() and (ok & filled).sum() >= NUMERIC_SHARE * filled.sum():
            kept[name] = values.astype("float64")
            bad = int((filled & ~ok).sum())
            if bad:
                patched.append((name, bad))
        else:
            refused.append(name)
    if refused:
        notes.append(Message("info", f"Ignored {len(refused)} non-numeric column(s): "
                                     + ", ".join(shown(n) for n in refused[:12])
                                     + (" …" if len(refused) > 12 else "")))
    for name, bad in patched:
        notes.append(Message("info", f"Column {shown(name)}: {bad} cell(s) are not numbers and are treated "
                                     "as blank."))
    return pd.DataFrame(kept, index=df.index), tuple(refused)


@dataclass(frozen=True)
class Prepared:
    """The chosen columns as float64 arrays, ready for ``core``: X (n, d), y (n,); None when unusable."""

    X: np.ndarray | None
    y: np.ndarray | None
    features: tuple[str, ...]
    target: str
    messages: tuple[Message, ...]


def prepare(frame: pd.DataFrame, features: list[str], target: str) -> Prepared:
    """Drop rows with blank/NaN/inf/huge values in the chosen columns and constant features; check sizes."""
    notes: list[Message] = []
    features = [f for f in features if f != target]

    def refuse(text: str) -> Prepared:
        return Prepared(None, None, tuple(features), target, (*notes, Message("info", text)))

    if not features:
        return refuse("Choose at least one feature column (different from the target).")
    values = frame[[*features, target]].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        good = np.all(np.isfinite(values) & (np.abs(values) < TOO_LARGE), axis=1)
    if (~good).sum():
        notes.append(Message("warning", f"Dropped {int((~good).sum()):,} of {len(values):,} rows with a blank, "
                                        f"NaN, infinite or astronomically large (beyond ±1e150) value in "
                                        "the chosen columns."))
    values = values[good]
    if len(values) < 2:
        return refuse(f"Only {len(values)} usable row(s) left: the analysis needs at least 2 rows.")
    X, y = values[:, :-1], values[:, -1]
    constant = np.ptp(X, axis=0) == 0
    if constant.any():
        notes.append(Message("info", "Constant feature(s) carry no information and were left out: "
                                     + ", ".join(shown(f) for f, c in zip(features, constant, strict=True)
                                                 if c)))
        X = X[:, ~constant]
        features = [f for f, c in zip(features, constant, strict=True) if not c]
    if X.shape[1] == 0:
        return refuse("Every chosen feature is constant: there is nothing to learn from.")
    if np.ptp(y) == 0:
        return refuse(f"The target {shown(target)} is constant: there is nothing to learn.")
    if len(y) <= X.shape[1] + 1:
        notes.append(Message("info", f"Only {len(y)} rows for {X.shape[1] + 1} weights: the Hessian is "
                                     "singular, so κ is infinite whatever the scaling."))
    return Prepared(X, y, tuple(features), target, tuple(notes))
