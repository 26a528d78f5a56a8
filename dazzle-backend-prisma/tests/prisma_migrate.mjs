// Turns Prisma schemas into real databases with Prisma's own migration engine
// (the npm package @prisma/schema-engine-wasm, which runs offline), many
// schemas per Node process.
//
//   node prisma_migrate.mjs NODE_MODULES PROVIDER < request.json > results.json
//
// request.json: [[name, schemaText], ...], every schema for PROVIDER.
// PROVIDER sqlite: the engine works through @prisma/adapter-libsql on an
//   in-memory database and returns the first migration's SQL (`diff` from
//   empty, `script: true`); the caller applies it (Python's sqlite3).
// PROVIDER postgresql: the engine works on PGlite (@electric-sql/pglite,
//   PostgreSQL compiled to WebAssembly) through a small driver adapter below;
//   the SQL is then applied in PGlite and its tables and foreign keys read
//   back from the catalog. Each schema starts from an empty database.
//
// results.json: [{"name", "sql", "error", "tables", "primaryKeys", "foreignKeys"}, ...]
// where "error" says what failed (null when all went through), and for
// postgresql "tables" lists the tables, "primaryKeys" maps each table to its
// key's columns and "foreignKeys" lists each foreign key as
// {"table", "columns", "refTable", "refColumns"}.
"use strict";

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [modules, provider] = process.argv.slice(2);
const requireHere = createRequire(path.join(path.resolve(modules), "resolve-from-here.js"));
const load = (name) => import(pathToFileURL(requireHere.resolve(name)).href);

// The engine's own entry point imports its .wasm as an ES module, which Node
// 20 does not do without a flag: instantiate the module as its entry does.
const engineDir = path.dirname(requireHere.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
const bindings = await import(pathToFileURL(path.join(engineDir, "schema_engine_bg.js")).href);
const instance = new WebAssembly.Instance(
  new WebAssembly.Module(fs.readFileSync(path.join(engineDir, "schema_engine_bg.wasm"))),
  { "./schema_engine_bg.js": bindings },
);
bindings.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start();
const { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } = await load("@prisma/driver-adapter-utils");

function readable(thrown) {
  return thrown && thrown.message !== undefined ? thrown.message : String(thrown);
}

async function firstMigration(name, text, factory) {
  const logs = [];
  const engine = await bindings.SchemaEngine.new(
    { datamodels: [[name, text]] },
    (line) => logs.push(line),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  try {
    const result = await engine.diff({
      from: { tag: "empty" },
      to: { tag: "schemaDatamodel", files: [{ path: name, content: text }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.stdout;
  } finally {
    engine.free();
  }
}

// -- PostgreSQL: a driver adapter over PGlite ---------------------------------

// PostgreSQL type OIDs the engine reads back as something else than text.
const BOOL = 16, INT8 = 20, INT2 = 21, INT4 = 23;

function columnType(oid) {
  if (oid === BOOL) return ColumnTypeEnum.Boolean;
  if (oid === INT2 || oid === INT4) return ColumnTypeEnum.Int32;
  if (oid === INT8) return ColumnTypeEnum.Int64;
  return ColumnTypeEnum.Text;
}

function pgliteAdapter(db) {
  const queryable = {
    provider: "postgres",
    adapterName: "dazzle-tests-pglite",
    async queryRaw(query) {
      const result = await db.query(query.sql, query.args, { rowMode: "array" });
      const types = result.fields.map((f) => columnType(f.dataTypeID));
      const rows = result.rows.map((row) =>
        row.map((value, i) =>
          value === null || types[i] === ColumnTypeEnum.Boolean || types[i] === ColumnTypeEnum.Int32
            ? value
            : String(value),
        ),
      );
      return { columnNames: result.fields.map((f) => f.name), columnTypes: types, rows };
    },
    async executeRaw(query) {
      const result = await db.query(query.sql, query.args);
      return result.affectedRows ?? 0;
    },
  };
  const adapter = {
    ...queryable,
    async executeScript(script) {
      await db.exec(script);
    },
    async startTransaction() {
      // a diff from an empty database to a schema opens none
      throw new Error("transactions are not supported by this test adapter");
    },
    getConnectionInfo() {
      return { schemaName: "public", supportsRelationJoins: true };
    },
    async dispose() {},
  };
  return {
    provider: "postgres",
    adapterName: adapter.adapterName,
    connect: async () => adapter,
    connectToShadowDb: async () => {
      throw new Error("a diff from empty needs no shadow database");
    },
  };
}

const TABLES = `
  SELECT table_name FROM information_schema.tables
  WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`;
// Keys and foreign keys from the catalog itself: information_schema's views of
// them join so much that they took minutes for a thousand tables in PGlite.
const COLUMNS = (keys, table) => `
  (SELECT array_agg(a.attname ORDER BY k.position)
   FROM unnest(${keys}) WITH ORDINALITY AS k(number, position)
   JOIN pg_attribute a ON a.attrelid = ${table} AND a.attnum = k.number)`;
const CONSTRAINTS = `
  SELECT c.contype, t.relname, ${COLUMNS("c.conkey", "c.conrelid")},
         r.relname, ${COLUMNS("c.confkey", "c.confrelid")}
  FROM pg_constraint c
  JOIN pg_class t ON t.oid = c.conrelid
  LEFT JOIN pg_class r ON r.oid = c.confrelid
  WHERE c.connamespace = 'public'::regnamespace AND c.contype IN ('p', 'f')
  ORDER BY t.relname, c.conname`;

async function postgresql(request) {
  const { PGlite } = await load("@electric-sql/pglite");
  const db = new PGlite();
  const factory = pgliteAdapter(db);
  const results = [];
  for (const [name, text] of request) {
    const result = { name, sql: null, error: null, tables: [], primaryKeys: {}, foreignKeys: [] };
    try {
      await db.exec("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
      result.sql = await firstMigration(name, text, factory);
      await db.exec(result.sql);
      result.tables = (await db.query(TABLES, [], { rowMode: "array" })).rows.map((r) => r[0]);
      for (const [kind, table, columns, refTable, refColumns] of (
        await db.query(CONSTRAINTS, [], { rowMode: "array" })
      ).rows) {
        if (kind === "p") result.primaryKeys[table] = columns;
        else result.foreignKeys.push({ table, columns, refTable, refColumns });
      }
    } catch (thrown) {
      result.error = readable(thrown);
    }
    results.push(result);
  }
  await db.close();
  return results;
}

// -- SQLite: @prisma/adapter-libsql --------------------------------------------

async function sqlite(request) {
  const { PrismaLibSql } = await load("@prisma/adapter-libsql");
  const results = [];
  for (const [name, text] of request) {
    const result = { name, sql: null, error: null, tables: [], primaryKeys: {}, foreignKeys: [] };
    try {
      result.sql = await firstMigration(name, text, new PrismaLibSql({ url: ":memory:" }));
    } catch (thrown) {
      result.error = readable(thrown);
    }
    results.push(result);
  }
  return results;
}

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const runners = { sqlite, postgresql };
if (!runners[provider]) {
  process.stderr.write(`unknown provider ${provider}: give sqlite or postgresql\n`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(await runners[provider](request)));
