"""Parquet tables of pairs: every Pair field (dicts as JSON text) plus a few string columns."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from curation.records import Pair

SCALARS = {str: pa.string(), float: pa.float64(), int: pa.int64(), bool: pa.bool_()}


def arrow_type(annotation) -> pa.DataType:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return arrow_type(next(a for a in args if a is not type(None)))
    if origin is typing.Literal:
        return pa.string()
    if origin in (list, tuple):
        return pa.list_(arrow_type(args[0]))
    if origin is dict:
        return pa.string()  # JSON text: the keys differ between runs
    return SCALARS[annotation]


def json_text_fields() -> set[str]:
    return {name for name, info in Pair.model_fields.items() if typing.get_origin(info.annotation) is dict}


def pair_schema(extra_columns: tuple[str, ...]) -> pa.Schema:
    fields = [pa.field(name, arrow_type(info.annotation)) for name, info in Pair.model_fields.items()]
    return pa.schema([*fields, *(pa.field(name, pa.string()) for name in extra_columns)])


def pair_row(pair: Pair, **extra: str) -> dict:
    row = pair.model_dump(mode="json")
    return row | {k: json.dumps(v, sort_keys=True) for k, v in row.items() if isinstance(v, dict)} | extra


def write_pairs(path: Path, rows: list[dict], extra_columns: tuple[str, ...]) -> None:
    pq.write_table(pa.Table.from_pylist(rows, schema=pair_schema(extra_columns)), path)


def read_rows(source: BinaryIO, columns: list[str] | None = None) -> list[dict]:
    """The rows `write_pairs` wrote, with the JSON text of dict fields decoded again.

    Read from bytes in memory, on this thread: Arrow reading from a Python file object can still be
    tearing down when the process exits, which then aborts (`terminate called without an active
    exception`, exit 134; apache/arrow#50482). From the file on Arrow's thread pool `curate dataset
    diff` died a third of the time; from the file on this thread, 5 of 210 processes still did; from
    bytes, none of 200. The whole file is read even for a few columns: read_table holds it all anyway."""
    decode = json_text_fields()
    rows = pq.read_table(pa.BufferReader(source.read()), columns=columns, use_threads=False).to_pylist()
    return [{k: json.loads(v) if k in decode and isinstance(v, str) else v for k, v in row.items()} for row in rows]
