// Runs Prisma's own validator and formatter (the npm package
// @prisma/prisma-schema-wasm) over many schemas in one Node process.
//
//   node prisma_check.js PACKAGE_DIR < request.json > results.json
//
// request.json: [[name, schemaText], ...]
// results.json: [{"name": ..., "error": null | "readable message", "formatted": "..."}, ...]
// where "error" is what `validate` threw (null when the schema is valid) and
// "formatted" is what `format` returned for the schema.
"use strict";

const fs = require("fs");
const path = require("path");

const wasm = require(path.resolve(process.argv[2]));
const request = JSON.parse(fs.readFileSync(0, "utf8"));
const formatParams = JSON.stringify({
  textDocument: { uri: "file:/dev/null" },
  options: { tabSize: 2, insertSpaces: true },
});

function readable(thrown) {
  const text = thrown && thrown.message !== undefined ? thrown.message : String(thrown);
  try {
    const parsed = JSON.parse(text);
    return parsed.message || text;
  } catch (_) {
    return text;
  }
}

const results = request.map(([name, text]) => {
  let error = null;
  try {
    wasm.validate(JSON.stringify({ prismaSchema: [[name, text]], noColor: true }));
  } catch (thrown) {
    error = readable(thrown);
  }
  let formatted = null;
  try {
    const pairs = JSON.parse(wasm.format(JSON.stringify([[name, text]]), formatParams));
    formatted = pairs[0][1];
  } catch (thrown) {
    error = error || "format failed: " + readable(thrown);
  }
  return { name, error, formatted };
});

process.stdout.write(JSON.stringify(results));
