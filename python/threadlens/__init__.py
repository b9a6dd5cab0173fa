"""threadlens for Python: score comments for incivility, attributes (INSULT,
IDENTITY_ATTACK, PROFANITY) and stance toward their parent, rebuild reply
trees from comment dumps, and write the moderation and debate report, with
the same models and code as the ``threadlens`` command line.

>>> import threadlens
>>> threadlens.score(["you are an idiot", "thanks, good point"])
>>> comments = threadlens.read("dump.jsonl")           # any format the CLI reads
>>> rows = threadlens.score_threads(comments)          # the rows `threadlens score` writes
>>> threadlens.report(comments, "report.html")         # the report `threadlens report` writes

Models are built into the package; ``models="DIR"`` (or the environment
variable ``THREADLENS_MODELS``) uses the models of a folder instead. They
are loaded once per choice and kept.
"""

from __future__ import annotations

import functools
import json
import math
import os
from typing import Any, Iterable, Optional

import pandas as pd

from . import _threadlens
from ._threadlens import Models, ThreadlensError

__all__ = [
    "Models",
    "ThreadlensError",
    "load_models",
    "read",
    "report",
    "score",
    "score_threads",
]
__version__ = _threadlens.__version__

_EXPLAIN = ("flagged", "all", "none")


@functools.lru_cache(maxsize=8)
def _cached(models, threshold, stance, attributes, explain, top, domains=True) -> Models:
    return Models(models, threshold, stance, attributes, explain, top, domains)


def load_models(
    models: Optional[str] = None,
    *,
    threshold: Optional[float] = None,
    stance: bool = True,
    attributes: bool = True,
    explain: str = "flagged",
    top: int = 5,
    domains: bool = True,
) -> Models:
    """The models a call scores with (cached per choice).

    ``models``: a folder with ``incivility.json``, ``stance.json`` and
    attribute heads (default: ``$THREADLENS_MODELS``, else the built-in
    models). ``threshold``: P(uncivil) at which a comment is flagged
    (default: the model's own). ``explain``: which comments get their top
    features (``flagged``, ``all`` or ``none``); ``top``: how many.
    ``domains``: comments that read like GitHub issue comments get their
    incivility from the GitHub model (the ``domain`` column says
    ``github``), as ``threadlens score`` does; ``False`` scores every
    comment with the pooled model (``--no-domains``).
    """
    if explain not in _EXPLAIN:
        raise ValueError(f"explain {explain!r}: expected flagged, all or none")
    if models is None:
        models = os.environ.get("THREADLENS_MODELS") or None
    if models is not None:
        models = os.fspath(models)
    return _cached(models, threshold, bool(stance), bool(attributes), explain, int(top), bool(domains))


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _cell(v: Any) -> Optional[str]:
    """A cell as text: ``None`` when missing; whole floats (ids in a column
    pandas made float because it has gaps) without their ``.0``."""
    if _missing(v):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "item"):  # numpy scalars
        return _cell(v.item())
    return str(v)


def _cells(values: Iterable[Any]) -> list:
    return [_cell(v) for v in values]


def _texts(values: Iterable[Any]) -> list:
    """Texts; a missing text is scored as an empty comment."""
    out = []
    for v in values:
        c = _cell(v)
        out.append("" if c is None else c)
    return out


def _frame(columns: dict, index=None) -> pd.DataFrame:
    diagnostics = columns.pop("diagnostics", None)
    records = columns.pop("records", None)
    df = pd.DataFrame(columns, index=index)
    if diagnostics is not None:
        df.attrs["diagnostics"] = diagnostics
        df.attrs["rejected"] = sum(d["records"] for d in diagnostics if d["rejected"])
    if records is not None:
        df.attrs["records"] = records
    return df


def score(
    texts: Iterable[Any],
    parents: Optional[Iterable[Any]] = None,
    *,
    models: Optional[str] = None,
    threshold: Optional[float] = None,
    explain: str = "flagged",
    top: int = 5,
    domains: bool = True,
) -> pd.DataFrame:
    """Score texts, each on its own (or toward its parent text).

    Returns one row per text, in order (with the index of ``texts`` when it
    is a pandas Series): ``incivility`` (P(uncivil)), ``uncivil`` (at or over
    the threshold), ``domain`` (``github`` where the GitHub model gave
    ``incivility``; ``domains=False``: never), one column per attribute head (``insult``,
    ``identity_attack``, ``profanity``), and, for texts with a parent,
    ``stance`` (agree, disagree, query or comment) with ``p_agree`` ...
    ``p_comment``; ``reasons`` and ``stance_reasons`` list the features
    behind flagged scores as ``(feature, log-odds)`` pairs. A missing text
    is scored as an empty comment. The GIL is released while scoring, on
    all cores.
    """
    m = load_models(models, threshold=threshold, explain=explain, top=top, domains=domains)
    index = texts.index if isinstance(texts, pd.Series) else None
    texts = _texts(texts)
    if parents is not None:
        parents = _cells(parents)
    return _frame(m.score_texts(texts, parents), index=index)


def read(path: str, format: str = "auto") -> pd.DataFrame:
    """Read a dump (a file or a folder, compressed or not, in any format the
    command line reads: pages, Reddit/Hacker News/ConvoKit/tweet JSON lines,
    JSON documents, CSV/TSV, WordPress WXR) and rebuild its reply trees.

    Returns one row per comment, in tree order: ``thread``, ``id``,
    ``parent``, ``depth`` (0 for roots), ``kind`` (root, comment,
    pingback), ``author``, ``created`` (Unix seconds), ``text`` and
    ``source`` (``file:line``) and ``flags`` (``deleted``,
    ``missing_ancestors``, ``orphan``, ...). Roots the builder had to make up for
    replies whose thread root is missing are not rows; their ids stay in
    ``parent``. ``df.attrs["diagnostics"]`` lists what was rejected or
    repaired (kind, source, message), ``df.attrs["rejected"]`` counts the
    records left out and ``df.attrs["records"]`` the records read.
    """
    cols = _threadlens.read(os.fspath(path), format)
    df = _frame(cols)
    df["created"] = df["created"].astype("Int64")
    return df


_ABSENT = object()


def _table(df: pd.DataFrame, name: str, id, parent, thread, text, author, created) -> dict:
    if not isinstance(df, pd.DataFrame):
        raise TypeError("expected a pandas DataFrame of comments")

    def column(col, default, required=False):
        if col is _ABSENT:
            col = default
            if col not in df.columns:
                if required:
                    raise KeyError(f"no {col!r} column (name it with {default}=...)")
                return None
        elif col is None:
            return None
        if col not in df.columns:
            raise KeyError(f"no {col!r} column in the data frame")
        return df[col]

    ids = column(id, "id", required=True)
    texts = column(text, "text", required=True)
    out = {
        "name": name,
        "ids": _cells(ids),
        "texts": _texts(texts),
    }
    for key, col, default in [
        ("parents", parent, "parent"),
        ("threads", thread, "thread"),
        ("authors", author, "author"),
        ("created", created, "created"),
        ("kinds", _ABSENT, "kind"),
    ]:
        values = column(col, default)
        out[key] = None if values is None else _cells(values)
    flags = column(_ABSENT, "flags")
    out["flags"] = None if flags is None else [_flag_names(f) for f in flags]
    out["lost"] = _lost(out["ids"], out["parents"], column(_ABSENT, "depth"))
    return out


def _flag_names(v: Any) -> Optional[str]:
    if isinstance(v, str):
        return v
    try:
        return ",".join(map(str, v))
    except TypeError:
        return None


def _lost(ids: list, parents: Optional[list], depths) -> Optional[list]:
    """Levels lost above each row, from a ``depth`` column (as :func:`read`
    gives it): a page reply whose ancestors the page did not show sits
    deeper than its parent's children. Rows whose parent is not in the
    frame lose none."""
    if parents is None or depths is None:
        return None
    depth = {}
    values = []
    for i, d in zip(ids, depths):
        d = None if _missing(d) else int(d)
        values.append(d)
        if i is not None and d is not None:
            depth.setdefault(i.strip(), d)
    lost = []
    for p, d in zip(parents, values):
        pd_ = depth.get(p.strip()) if p is not None else None
        lost.append(max(0, d - pd_ - 1) if d is not None and pd_ is not None else 0)
    return lost


def score_threads(
    df: pd.DataFrame,
    *,
    id: Any = _ABSENT,
    parent: Any = _ABSENT,
    thread: Any = _ABSENT,
    text: Any = _ABSENT,
    author: Any = _ABSENT,
    created: Any = _ABSENT,
    models: Optional[str] = None,
    threshold: Optional[float] = None,
    explain: str = "flagged",
    top: int = 5,
    name: str = "frame",
    domains: bool = True,
) -> pd.DataFrame:
    """Score the comments of a data frame in their threads: the rows
    ``threadlens score`` writes for the same comments as a CSV file.

    Columns are found by name: ``id`` and ``text`` (required), ``parent``,
    ``thread``, ``author``, ``created`` (optional; pass another name, or
    ``None`` to ignore a column), and ``kind``, ``flags`` and ``depth`` when
    present, as :func:`read` gives them (``root`` and ``pingback`` rows keep
    their kind, ``deleted`` comments their flag, and a page reply whose
    ancestors the page lost its depth). The data frame :func:`read` returns fits
    as it is. Rows are cells as text, trimmed; an empty parent is a
    top-level comment; a row with no parent whose thread is its own id is
    the thread's root; a row without an id is left out and listed in
    ``attrs["diagnostics"]`` (source ``frame:N``, N the row's position from
    1).

    Returns one row per comment in tree order: the :func:`read` columns but
    ``text``, then the :func:`score` columns (stance toward the parent,
    with top-level comments toward their thread's root; a root with replies
    gets its stance toward what it asserts by rule, ``query`` if its first
    line asks, else ``agree``, without probabilities).
    """
    m = load_models(models, threshold=threshold, explain=explain, top=top, domains=domains)
    table = _table(df, name, id, parent, thread, text, author, created)
    out = _frame(m.score_table(table))
    out["created"] = out["created"].astype("Int64")
    return out


def report(
    df: pd.DataFrame,
    path: str,
    *,
    format: Optional[str] = None,
    id: Any = _ABSENT,
    parent: Any = _ABSENT,
    thread: Any = _ABSENT,
    text: Any = _ABSENT,
    author: Any = _ABSENT,
    created: Any = _ABSENT,
    models: Optional[str] = None,
    threshold: Optional[float] = None,
    queue: int = 200,
    threads: int = 200,
    trees: int = 25,
    queue_sort: Optional[str] = None,
    name: str = "frame",
    domains: bool = True,
) -> dict:
    """Write the moderation and debate-dynamics report of a data frame's
    threads to ``path`` (HTML, Markdown or JSON, by ``format`` or the
    extension), as ``threadlens report`` writes it for the same comments.

    Columns as in :func:`score_threads`. ``queue_sort`` makes the queue that of
    an attribute head (``insult``, ...): the comments at or over its own
    threshold, highest first, instead of those flagged uncivil. Returns the report's JSON as a
    dict (corpus numbers, threads, depth table, queue), with the
    diagnostics under ``"diagnostics"``.
    """
    path = os.fspath(path)
    if format is None:
        format = os.path.splitext(path)[1].lstrip(".").lower()
    format = {"htm": "html", "markdown": "md"}.get(format.lower(), format.lower())
    m = load_models(models, threshold=threshold, domains=domains)
    table = _table(df, name, id, parent, thread, text, author, created)
    done = m.report_table(table, path, format, queue, threads, trees, queue_sort)
    out = json.loads(done["json"])
    out["diagnostics"] = done["diagnostics"]
    return out
