// Run caniemail (doiuse-email) and html-validate over rendered notices in one node process.
// Usage: node tools/judge.mjs FILE.html...   Prints one JSON object: {file: {doiuse, htmlvalidate}}.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { doIUseEmail } from "@jsx-email/doiuse-email";
import { HtmlValidate, StaticConfigLoader } from "html-validate";

const here = dirname(fileURLToPath(import.meta.url));
const CLIENTS = ["gmail.*", "outlook.*", "apple-mail.*", "yahoo.*"];
const config = JSON.parse(readFileSync(join(here, "htmlvalidate.json"), "utf8"));
const validator = new HtmlValidate(new StaticConfigLoader(config));

const out = {};
for (const file of process.argv.slice(2)) {
  const html = readFileSync(file, "utf8");
  const caniemail = doIUseEmail(html, { emailClients: CLIENTS });
  const report = await validator.validateString(html, file);
  const messages = report.results.flatMap((r) => r.messages).map((m) => ({
    rule: m.ruleId, severity: m.severity === 2 ? "error" : "warning",
    line: m.line, column: m.column, message: m.message,
  }));
  out[file] = {
    doiuse: { errors: caniemail.errors ?? [], warnings: caniemail.warnings ?? [], notes: caniemail.notes ?? [] },
    htmlvalidate: messages,
  };
}
process.stdout.write(JSON.stringify(out));
