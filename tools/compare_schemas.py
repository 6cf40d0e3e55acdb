#!/usr/bin/env python3
"""Compares the schema the SQLite migrations build with a PostgreSQL database's.

    tools/compare_schemas.py DATABASE [--apply] [--sqlite-migrations DIR] [--pg-migrations DIR]

DATABASE is a PostgreSQL URL (postgresql://...) or conninfo string, or a bare database name, which
is reached at $PGHOST (default 127.0.0.1) as $PGUSER (default postgres). With --apply, the
PostgreSQL migrations' up.sql files are first applied to it in order (it should be empty).

The SQLite side is built in memory from the SQLite migrations with Python's own sqlite3 module, so
no sqlite3 binary is needed; the PostgreSQL side is read through psql, so no driver is needed.
`src/db/schema.rs` is read too: it is what both backends must agree with on column types.

Compared, table by table: column names, order, nullability and defaults; each PostgreSQL column's
type against the one Diesel maps schema.rs's type to; primary keys; unique constraints; foreign keys
and their ON DELETE / ON UPDATE actions; CHECK constraints; explicit indexes by name (key columns,
direction, NULL placement on nullable columns, uniqueness, partial predicate); triggers. Known,
deliberate differences are listed as notes, not failures. Exits 1 when anything else differs.
"""

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIGRATION_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-\d{6}_\w+$")

# Diesel's SQL types and the PostgreSQL types it maps them to.
DIESEL_TO_PG = {
    "Integer": "integer",
    "BigInt": "bigint",
    "SmallInt": "smallint",
    "Text": "text",
    "Timestamp": "timestamp without time zone",
    "Bool": "boolean",
    "Double": "double precision",
    "Float": "real",
    "Binary": "bytea",
    "Date": "date",
}

# What PostgreSQL has on purpose and SQLite has not (or has in another form); shown as notes.
PG_ONLY_COLUMNS = {("articles_fts", "document"): "tsvector generated from title, excerpt and body"}
PG_ONLY_INDEXES = {("articles_fts", "articles_fts_document"): "GIN over document (FTS5 keeps its own)"}
# FTS5 virtual tables have no keys or constraints of their own; the PostgreSQL table does.
VIRTUAL_TABLE_NOTE = "FTS5 virtual table in SQLite: only column names and order are compared"

# SQLite's own tables, Diesel's bookkeeping and FTS5's shadow tables are not ours.
SQLITE_IGNORED = re.compile(r"^(sqlite_|__diesel_|articles_fts_)")


def migration_dirs(path):
    return sorted(d for d in Path(path).iterdir() if d.is_dir() and MIGRATION_NAME.match(d.name))


def default_sqlite_migrations():
    moved = ROOT / "migrations" / "sqlite"
    return moved if moved.is_dir() else ROOT / "migrations"


# ---------------------------------------------------------------------------------------------
# PostgreSQL, through psql


def conninfo(database):
    if "://" in database or "=" in database:
        return database
    host = os.environ.get("PGHOST", "127.0.0.1")
    user = os.environ.get("PGUSER", "postgres")
    return f"host={host} user={user} dbname={database}"


def psql(database, *args, stdin=None):
    cmd = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", conninfo(database), *args]
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"psql failed: {' '.join(args)[:200]}\n{done.stderr}")
    return done.stdout


def pg_json(database, query):
    out = psql(database, "-c", f"SELECT coalesce(json_agg(q), '[]') FROM ({query}) q")
    return json.loads(out)


def apply_pg(database, migrations):
    for d in migration_dirs(migrations):
        psql(database, "--single-transaction", "-f", str(d / "up.sql"))


PG_TABLES = """
SELECT c.oid::int AS oid, c.relname AS name
FROM pg_class c
WHERE c.relnamespace = to_regnamespace(current_schema()) AND c.relkind IN ('r', 'p')
  AND c.relname NOT LIKE '\\_\\_diesel\\_%'
"""
PG_COLUMNS = """
SELECT a.attrelid::int AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity AS identity,
       a.attgenerated AS generated,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""
PG_CONSTRAINTS = """
SELECT c.conrelid::int AS oid, c.conname AS name, c.contype AS type,
       pg_get_constraintdef(c.oid) AS def,
       ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols,
       c.confrelid::regclass::text AS ref,
       ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS refcols,
       c.confdeltype AS on_delete, c.confupdtype AS on_update, c.conindid::int AS index
FROM pg_constraint c
WHERE c.conrelid <> 0
"""
PG_INDEXES = """
SELECT i.indrelid::int AS oid, i.indexrelid::int AS index, ic.relname AS name,
       i.indisunique AS uniq, am.amname AS method, i.indnkeyatts AS nkeys,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       ARRAY(SELECT CASE WHEN k.n = 0 THEN 'expr:' || pg_get_indexdef(i.indexrelid, k.i::int, true)
                         ELSE (SELECT attname FROM pg_attribute
                               WHERE attrelid = i.indrelid AND attnum = k.n) END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(n, i) ORDER BY k.i) AS cols,
       i.indoption::int2[] AS options
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
"""
PG_TRIGGERS = """
SELECT t.tgrelid::int AS oid, t.tgname AS name FROM pg_trigger t WHERE NOT t.tgisinternal
"""
PG_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def pg_schema(database):
    tables = {t["oid"]: t["name"] for t in pg_json(database, PG_TABLES)}
    schema = {
        name: {"columns": [], "pk": [], "unique": [], "fks": [], "checks": [], "indexes": {},
               "triggers": [], "constraint_includes": {}}
        for name in tables.values()
    }
    for c in pg_json(database, PG_COLUMNS):
        if c["oid"] in tables:
            schema[tables[c["oid"]]]["columns"].append(c)
    constraint_indexes = set()
    for c in pg_json(database, PG_CONSTRAINTS):
        if c["oid"] not in tables:
            continue
        t = schema[tables[c["oid"]]]
        if c["type"] == "p":
            t["pk"] = c["cols"]
            constraint_indexes.add(c["index"])
        elif c["type"] == "u":
            t["unique"].append(tuple(c["cols"]))
            constraint_indexes.add(c["index"])
        elif c["type"] == "f":
            t["fks"].append((tuple(c["cols"]), c["ref"], tuple(c["refcols"]),
                             PG_ACTIONS[c["on_delete"]], PG_ACTIONS[c["on_update"]]))
        elif c["type"] == "c":
            t["checks"].append(normalize_check(re.sub(r"^CHECK\s*", "", c["def"])))
    for i in pg_json(database, PG_INDEXES):
        if i["oid"] not in tables:
            continue
        if i["index"] in constraint_indexes:
            if i["cols"][i["nkeys"]:]:
                schema[tables[i["oid"]]]["constraint_includes"][i["name"]] = i["cols"][i["nkeys"]:]
            continue
        keys = []
        for col, option in zip(i["cols"][: i["nkeys"]], i["options"]):
            desc = bool(option & 1)
            nulls_first = bool(option & 2)
            keys.append((col, "DESC" if desc else "ASC", "NULLS FIRST" if nulls_first else "NULLS LAST"))
        schema[tables[i["oid"]]]["indexes"][i["name"]] = {
            "keys": keys,
            "unique": i["uniq"],
            "predicate": normalize_check(i["predicate"]) if i["predicate"] else None,
            "include": i["cols"][i["nkeys"]:],
            "method": i["method"],
        }
    for t in pg_json(database, PG_TRIGGERS):
        if t["oid"] in tables:
            schema[tables[t["oid"]]]["triggers"].append(t["name"])
    return schema


# ---------------------------------------------------------------------------------------------
# SQLite, built in memory from the migrations


def balanced(text, start):
    """The text inside the parenthesis that opens at text[start]."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1: i]
    raise ValueError(f"unbalanced: {text[start:start + 80]}")


def sqlite_checks(create_sql):
    sql = re.sub(r"--[^\n]*", "", create_sql)
    return [normalize_check(balanced(sql, m.end() - 1)) for m in re.finditer(r"\bCHECK\s*\(", sql, re.I)]


def sqlite_schema(migrations):
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for d in migration_dirs(migrations):
        conn.executescript((d / "up.sql").read_text())
    schema = {}
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
    for name, sql in rows:
        if SQLITE_IGNORED.match(name):
            continue
        virtual = sql.upper().startswith("CREATE VIRTUAL TABLE")
        info = conn.execute(f"PRAGMA table_info('{name}')").fetchall()
        columns = [{"name": c[1], "type": c[2], "notnull": bool(c[3]), "dflt": c[4], "pk": c[5]} for c in info]
        if virtual:
            # FTS5's rowid is implicit, not a column of its own.
            columns.insert(0, {"name": "rowid", "type": "INTEGER", "notnull": True, "dflt": None, "pk": 1})
        pk_columns = sorted((c for c in columns if c["pk"]), key=lambda c: c["pk"])
        pk = [c["name"] for c in pk_columns]
        # A lone INTEGER PRIMARY KEY is the rowid: SQLite picks it when none is given, never NULL.
        rowid_alias = (len(pk_columns) == 1 and not virtual and pk_columns[0]["type"].upper() == "INTEGER"
                       and "WITHOUT ROWID" not in sql.upper())
        if rowid_alias:
            pk_columns[0]["notnull"] = True
        table = {"virtual": virtual, "columns": columns, "pk": pk, "unique": [], "fks": [],
                 "checks": sqlite_checks(sql), "indexes": {}, "triggers": [],
                 "autoincrement": "AUTOINCREMENT" in sql.upper(), "rowid_alias": rowid_alias}
        nullable = {c["name"] for c in columns if not c["notnull"]}
        for _, index, unique, origin, partial in conn.execute(f"PRAGMA index_list('{name}')"):
            xinfo = conn.execute(f"PRAGMA index_xinfo('{index}')").fetchall()
            keys = [x for x in xinfo if x[5]]
            if origin == "u":
                table["unique"].append(tuple(x[2] for x in keys))
            if origin != "c":
                continue
            index_sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
            where = re.search(r"\bWHERE\b(.*)$", index_sql, re.I | re.S)
            table["indexes"][index] = {
                # SQLite takes NULL for the smallest value: first ascending, last descending.
                "keys": [(x[2] if x[1] >= 0 else "expr", "DESC" if x[3] else "ASC",
                          "NULLS LAST" if x[3] else "NULLS FIRST") for x in keys],
                "collations": [x[4] for x in keys],
                "unique": bool(unique),
                "predicate": normalize_check(where.group(1)) if partial and where else None,
                "nullable": nullable,
            }
        # One row per column of a foreign key; a multi-column key shares its id.
        grouped = {}
        for fid, _, ref, frm, to, on_update, on_delete, _ in conn.execute(f"PRAGMA foreign_key_list('{name}')"):
            g = grouped.setdefault(fid, [[], ref, [], on_delete, on_update])
            g[0].append(frm)
            g[2].append(to)
        table["fks"] = [(tuple(g[0]), g[1], tuple(g[2]), g[3], g[4]) for g in grouped.values()]
        table["triggers"] = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (name,))]
        schema[name] = table
    return schema


# ---------------------------------------------------------------------------------------------
# schema.rs


def diesel_tables(path):
    tables, current = {}, None
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        m = re.match(r"^(\w+) \(.*\) \{$", line)
        if m:
            current = m.group(1)
            tables[current] = {}
        elif current and " -> " in line:
            column, sql_type = line.rstrip(",").split(" -> ")
            nullable = sql_type.startswith("Nullable<")
            tables[current][column] = (re.sub(r"^Nullable<(.*)>$", r"\1", sql_type), nullable)
        elif line == "}":
            current = None
    return tables


# ---------------------------------------------------------------------------------------------
# Comparison


def normalize_check(expr):
    """One spelling for both: `x = ANY (ARRAY['a'::text, ...])` is `x IN ('a', ...)`, casts and
    redundant parentheses go, whitespace is single."""
    e = re.sub(r"::[a-z ]+(\[\])?", "", expr)
    e = re.sub(r"=\s*ANY\s*\(\s*ARRAY\[([^\]]*)\]\s*\)", r"IN (\1)", e)
    e = re.sub(r"\s+", " ", e).strip()
    while e.startswith("(") and balanced(e, 0) == e[1:-1]:
        e = e[1:-1].strip()
    e = re.sub(r"\(\s+", "(", e)
    e = re.sub(r"\s+\)", ")", e)
    return e


def normalize_default(value):
    if value is None:
        return None
    return re.sub(r"::[a-z ]+$", "", value.strip())


def compare(lite, pg, diesel):
    diffs, notes = [], []

    def diff(table, text):
        diffs.append(f"{table}: {text}")

    def note(table, text):
        notes.append(f"{table}: {text}")

    for table in sorted(set(lite) - set(pg)):
        diff(table, "only in SQLite")
    for table in sorted(set(pg) - set(lite)):
        diff(table, "only in PostgreSQL")
    for table in sorted(set(diesel) - set(pg)):
        diff(table, "in schema.rs but not in PostgreSQL")
    for name in sorted(set(lite) & set(pg)):
        s, p = lite[name], pg[name]
        declared = diesel.get(name, {})
        pg_cols = [c for c in p["columns"] if (name, c["name"]) not in PG_ONLY_COLUMNS]
        for c in p["columns"]:
            if (name, c["name"]) in PG_ONLY_COLUMNS:
                note(name, f"PostgreSQL-only column {c['name']}: {PG_ONLY_COLUMNS[(name, c['name'])]}")
        s_names, p_names = [c["name"] for c in s["columns"]], [c["name"] for c in pg_cols]
        if s_names != p_names:
            diff(name, f"columns differ:\n    sqlite {s_names}\n    pg     {p_names}")
        pg_by_name = {c["name"]: c for c in p["columns"]}
        for column, (sql_type, nullable) in declared.items():
            c = pg_by_name.get(column)
            if c is None:
                diff(name, f"schema.rs column {column} missing in PostgreSQL")
                continue
            want = DIESEL_TO_PG.get(sql_type)
            if want != c["type"]:
                diff(name, f"{column}: PostgreSQL {c['type']}, schema.rs {sql_type} wants {want}")
            if nullable == c["notnull"]:
                diff(name, f"{column}: PostgreSQL {'NOT NULL' if c['notnull'] else 'nullable'}, "
                           f"schema.rs {'Nullable' if nullable else 'not null'}")
        for column in set(pg_by_name) - set(declared) - {c for t, c in PG_ONLY_COLUMNS if t == name}:
            diff(name, f"column {column} not declared in schema.rs")
        for c in pg_cols:
            if c["collation"]:
                note(name, f"{c['name']} COLLATE \"{c['collation']}\" (byte order, as SQLite's BINARY)")
        if s["virtual"]:
            note(name, VIRTUAL_TABLE_NOTE)
            for fk in p["fks"]:
                note(name, f"PostgreSQL-only foreign key {fk[0]} -> {fk[1]}{fk[2]} ON DELETE {fk[3]}")
            for index in p["indexes"]:
                if (name, index) in PG_ONLY_INDEXES:
                    note(name, f"PostgreSQL-only index {index}: {PG_ONLY_INDEXES[(name, index)]}")
                else:
                    diff(name, f"index {index} only in PostgreSQL")
            continue

        s_by_name = {c["name"]: c for c in s["columns"]}
        for c in pg_cols:
            sc = s_by_name.get(c["name"])
            if sc is None:
                continue
            if bool(sc["notnull"]) != c["notnull"]:
                diff(name, f"{c['name']}: nullability sqlite notnull={sc['notnull']} pg notnull={c['notnull']}")
            if normalize_default(sc["dflt"]) != normalize_default(c["dflt"]):
                diff(name, f"{c['name']}: default sqlite {sc['dflt']!r} pg {c['dflt']!r}")
            if c["generated"]:
                diff(name, f"{c['name']}: generated in PostgreSQL only")
            if c["identity"]:
                if not (s["rowid_alias"] and s["pk"] == [c["name"]]):
                    diff(name, f"{c['name']}: identity in PostgreSQL but not SQLite's rowid")
                else:
                    kind = "AUTOINCREMENT" if s["autoincrement"] else "rowid alias, no AUTOINCREMENT"
                    note(name, f"{c['name']}: identity BY DEFAULT (SQLite: {kind})")
            elif s["rowid_alias"] and s["pk"] == [c["name"]]:
                note(name, f"{c['name']}: plain key (SQLite rowid alias; the CHECK pins it)"
                     if s["checks"] else f"{c['name']}: SQLite picks ids, PostgreSQL does not")
        if s["pk"] != p["pk"]:
            diff(name, f"primary key sqlite {s['pk']} pg {p['pk']}")
        if sorted(s["unique"]) != sorted(p["unique"]):
            diff(name, f"unique sqlite {sorted(s['unique'])} pg {sorted(p['unique'])}")
        if sorted(s["fks"]) != sorted(p["fks"]):
            diff(name, f"foreign keys\n    sqlite {sorted(s['fks'])}\n    pg     {sorted(p['fks'])}")
        if sorted(s["checks"]) != sorted(p["checks"]):
            diff(name, f"checks\n    sqlite {sorted(s['checks'])}\n    pg     {sorted(p['checks'])}")
        if sorted(s["triggers"]) != sorted(p["triggers"]):
            diff(name, f"triggers sqlite {s['triggers']} pg {p['triggers']}")
        for index in sorted(set(s["indexes"]) | set(p["indexes"])):
            si, pi = s["indexes"].get(index), p["indexes"].get(index)
            if pi is None:
                diff(name, f"index {index} only in SQLite")
                continue
            if si is None:
                if (name, index) in PG_ONLY_INDEXES:
                    note(name, f"PostgreSQL-only index {index}: {PG_ONLY_INDEXES[(name, index)]}")
                else:
                    diff(name, f"index {index} only in PostgreSQL")
                continue
            # NULL placement matters only where NULL can occur.
            def key(k, nullable=si["nullable"]):
                return (k[0], k[1], k[2] if k[0] in nullable else "")
            if [key(k) for k in si["keys"]] != [key(k) for k in pi["keys"]]:
                diff(name, f"index {index} keys\n    sqlite {si['keys']}\n    pg     {pi['keys']}")
            if si["unique"] != pi["unique"]:
                diff(name, f"index {index}: unique sqlite {si['unique']} pg {pi['unique']}")
            if si["predicate"] != pi["predicate"]:
                diff(name, f"index {index} predicate sqlite {si['predicate']!r} pg {pi['predicate']!r}")
            if any(c != "BINARY" for c in si["collations"]):
                diff(name, f"index {index}: SQLite collations {si['collations']} need a PostgreSQL equivalent")
            if pi["method"] != "btree":
                diff(name, f"index {index}: PostgreSQL {pi['method']}, SQLite b-tree")
        includes = {**p["constraint_includes"], **{i: pi["include"] for i, pi in p["indexes"].items()}}
        for index, columns in includes.items():
            if columns:
                note(name, f"index {index} also carries {columns} (INCLUDE, not part of the key)")
    return diffs, notes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database", help="PostgreSQL URL, conninfo or database name")
    parser.add_argument("--apply", action="store_true", help="apply the PostgreSQL up.sql files first")
    parser.add_argument("--sqlite-migrations", default=default_sqlite_migrations())
    parser.add_argument("--pg-migrations", default=ROOT / "migrations" / "postgres")
    parser.add_argument("--schema-rs", default=ROOT / "src" / "db" / "schema.rs")
    args = parser.parse_args()

    lite_versions = [d.name for d in migration_dirs(args.sqlite_migrations)]
    pg_versions = [d.name for d in migration_dirs(args.pg_migrations)]
    if args.apply:
        apply_pg(args.database, args.pg_migrations)
    lite = sqlite_schema(args.sqlite_migrations)
    pg = pg_schema(args.database)
    diffs, notes = compare(lite, pg, diesel_tables(args.schema_rs))
    if lite_versions != pg_versions:
        diffs.insert(0, f"migration directories differ:\n    sqlite {lite_versions}\n    pg     {pg_versions}")
    for d in migration_dirs(args.pg_migrations):
        if not (d / "down.sql").is_file():
            diffs.insert(0, f"{d.name}: no down.sql")

    columns = sum(len(t["columns"]) for t in pg.values())
    indexes = sum(len(t["indexes"]) for t in pg.values())
    print(f"migrations: {len(lite_versions)} SQLite, {len(pg_versions)} PostgreSQL")
    print(f"tables: {len(lite)} SQLite, {len(pg)} PostgreSQL; PostgreSQL columns: {columns}, "
          f"explicit indexes: {indexes}")
    print(f"\nnotes ({len(notes)}):")
    for n in notes:
        print(f"  {n}")
    print(f"\ndifferences ({len(diffs)}):")
    for d in diffs:
        print(f"  {d}")
    print("\nschemas match" if not diffs else "\nschemas differ")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
