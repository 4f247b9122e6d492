"""`pairs.parquet`: one row per pair with every Pair field, its split and its shard."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path

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
        return pa.string()  # stored as JSON text: its keys differ between runs
    return SCALARS[annotation]


def manifest_schema() -> pa.Schema:
    fields = [pa.field(name, arrow_type(info.annotation)) for name, info in Pair.model_fields.items()]
    return pa.schema([*fields, pa.field("split", pa.string()), pa.field("shard", pa.string())])


def manifest_row(pair: Pair, split: str, shard: str) -> dict:
    row = pair.model_dump(mode="json")
    row |= {name: json.dumps(value, sort_keys=True) for name, value in row.items() if isinstance(value, dict)}
    return row | {"split": split, "shard": shard}


def write_manifest(path: Path, rows: list[dict]) -> None:
    pq.write_table(pa.Table.from_pylist(rows, schema=manifest_schema()), path)
