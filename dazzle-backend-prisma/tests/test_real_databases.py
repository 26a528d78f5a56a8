"""Every SQLite and PostgreSQL schema of the cases (conftest.py) becomes a
real database, made by Prisma's own migration engine
(``@prisma/schema-engine-wasm``): it computes the first migration's SQL (a
diff from an empty database, as ``prisma migrate diff --script`` does), the
SQL is applied (SQLite through Python's sqlite3 with foreign keys on,
PostgreSQL in PGlite), and the database must hold a table per entity and a
foreign key per reference, each pointing at the referenced table's key. On
SQLite, where foreign keys are only enforced when asked, a row that refers to
nothing must also be refused, and each foreign key must see it.

The expectations come from the AppSpec alone, not from the schema: every
entity's table is named as in the DSL, and every ``ref`` is one foreign key.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from dazzle.core.ir import AppSpec, FieldTypeKind

SQLITE, POSTGRESQL = "sqlite", "postgresql"


def migrate_all(generated: dict, migration_engine) -> dict:
    """``{case: Migration}`` for every SQLite and PostgreSQL schema of
    ``generated``: one Node process per provider, the two side by side."""

    def migrate(provider: str) -> dict:
        schemas = {
            case: g.schema
            for case, g in generated.items()
            if g.schema is not None and case.rsplit(":", 2)[1] == provider
        }
        return migration_engine.migrate(provider, schemas)

    with ThreadPoolExecutor(max_workers=2) as pool:
        sqlite, postgresql = pool.map(migrate, (SQLITE, POSTGRESQL))
    return sqlite | postgresql


@pytest.fixture(scope="module")
def migrations(every_schema, migration_engine):
    return migrate_all(every_schema, migration_engine)


def expected_foreign_keys(appspec: AppSpec) -> Counter[tuple[str, str]]:
    """(table, referenced table) of each reference, as many as there are."""
    return Counter(
        (entity.name, f.type.ref_entity or "")
        for entity in appspec.entities
        for f in entity.fields
        if f.type.kind is FieldTypeKind.REF
    )


def sqlite_database(sql: str) -> tuple[set[str], dict[str, list[str]], list[dict[str, object]]]:
    """Apply ``sql`` to a new SQLite database with foreign keys on; its tables,
    key columns and foreign keys."""
    db = sqlite3.connect(
        ":memory:", isolation_level=None
    )  # autocommit: PRAGMA foreign_keys is a no-op inside a transaction
    try:
        db.execute("PRAGMA foreign_keys = ON")
        db.executescript(sql)
        assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        keys, foreign_keys = {}, []
        for table in sorted(tables):
            columns = db.execute(f'PRAGMA table_info("{table}")').fetchall()
            keys[table] = [c[1] for c in sorted((c for c in columns if c[5] > 0), key=lambda c: c[5])]
            by_id: dict[int, dict[str, object]] = {}
            for fk_id, _seq, ref_table, column, ref_column, *_ in db.execute(f'PRAGMA foreign_key_list("{table}")'):
                entry = by_id.setdefault(
                    fk_id, {"table": table, "columns": [], "refTable": ref_table, "refColumns": []}
                )
                entry["columns"].append(column)
                entry["refColumns"].append(ref_column)
            foreign_keys.extend(by_id.values())
            if by_id:
                check_enforced(db, table, columns, by_id)
        return tables, keys, foreign_keys
    finally:
        db.close()


def check_enforced(
    db: sqlite3.Connection, table: str, columns: list[tuple], foreign_keys: dict[int, dict[str, object]]
) -> None:
    """A row of ``table`` whose every foreign key points at nothing: refused
    with foreign keys on; let in with them off, then reported by
    ``foreign_key_check`` under every one of its foreign keys."""
    referring = {c for fk in foreign_keys.values() for c in fk["columns"]}
    row = {}
    for _cid, name, declared, not_null, default, _pk in columns:
        if name in referring:
            row[name] = -1  # no key of any table here is -1
        elif not_null and default is None and "AUTOINCREMENT" not in declared.upper():
            row[name] = _SAMPLE.get(declared.split("(")[0].upper(), "x")
    names = ", ".join(f'"{n}"' for n in row)
    insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in row)})'
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        db.execute(insert, tuple(row.values()))
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        db.execute(insert, tuple(row.values()))
        violated = {fk_id for _t, _rowid, _parent, fk_id in db.execute(f'PRAGMA foreign_key_check("{table}")')}
        assert violated == set(foreign_keys), (table, violated, foreign_keys)
        db.execute(f'DELETE FROM "{table}"')
    finally:
        db.execute("PRAGMA foreign_keys = ON")


#: A value of each SQLite column type Prisma writes, for columns that need one.
_SAMPLE: dict[str, object] = {
    "BIGINT": 1,
    "INTEGER": 1,
    "DECIMAL": 1,
    "REAL": 1.0,
    "BOOLEAN": True,
    "DATE": "2024-01-31",
    "DATETIME": "2024-01-31T00:00:00Z",
}


def test_first_migration_builds_the_database(every_schema, migrations, database_case):
    check_database(database_case, every_schema[database_case], migrations.get(database_case))


@pytest.mark.shared
def test_reference_examples_build_real_databases(shared_schemas, migration_engine):
    """The reference examples beside the repository, as SQLite and PostgreSQL
    databases, checked as the cases above are."""
    generated = {case: g for case, g in shared_schemas.items() if case.rsplit(":", 2)[1] in (SQLITE, POSTGRESQL)}
    migrations = migrate_all(generated, migration_engine)
    for case, g in generated.items():
        check_database(case, g, migrations.get(case))


def check_database(case: str, generated, migration) -> None:
    """The first migration of one case made a database holding a table per
    entity and a foreign key per reference, each to the referenced key."""
    assert generated.schema is not None, f"{case}: the backend refused the project: {generated.refusal}"
    assert migration.error is None, f"{case}: {migration.error}\n\nSQL:\n{migration.sql}"
    if case.rsplit(":", 2)[1] == SQLITE:
        tables, keys, foreign_keys = sqlite_database(migration.sql)
    else:
        tables, keys, foreign_keys = set(migration.tables), migration.primary_keys, migration.foreign_keys
    appspec = generated.appspec
    assert tables == {e.name for e in appspec.entities}, migration.sql
    found = Counter((fk["table"], fk["refTable"]) for fk in foreign_keys)
    assert found == expected_foreign_keys(appspec), migration.sql
    for fk in foreign_keys:
        assert len(fk["columns"]) == 1, fk
        assert fk["refColumns"] == keys[fk["refTable"]], (fk, keys[fk["refTable"]])


def test_every_entity_and_reference_is_checked(every_schema):
    """The cases hold self references, several refs to one entity, one-to-one
    refs and keys that are refs: the checks above see each kind."""
    refs = [
        (entity, f)
        for case, g in every_schema.items()
        if case.startswith("dsl:relations:sqlite:")
        for entity in g.appspec.entities
        for f in entity.fields
        if f.type.kind is FieldTypeKind.REF
    ]
    assert any(f.type.ref_entity == entity.name for entity, f in refs)
    assert any(f.pk for _, f in refs)
    assert any(f.unique for _, f in refs)
