// Validates ss-server's OpenAPI document (OpenAPI 3.1 rules) and then every recorded real answer against the
// response schema the document declares for its path, method and status. Usage: node check.mjs DOC.json ANSWERS.json
// ANSWERS.json: [{ "path": "/api/v1/agents/{agentId}/host", "method": "get", "status": 400, "body": {...} }, ...]
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [docPath, answersPath] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(docPath, "utf8"));
const answers = JSON.parse(readFileSync(answersPath, "utf8"));
const problems = [];

try {
  await SwaggerParser.validate(structuredClone(doc));
} catch (e) {
  problems.push(`document: ${e.message}`);
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...doc, $id: "openapi.json" });
const pointer = parts => parts.map(p => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

for (const a of answers) {
  const operation = doc.paths?.[a.path]?.[a.method];
  if (!operation) { problems.push(`${a.method} ${a.path}: not in the document`); continue; }
  const response = operation.responses?.[String(a.status)];
  if (!response) { problems.push(`${a.method} ${a.path}: answered ${a.status}, which the document does not declare`); continue; }
  const schema = response.content?.["application/json"]?.schema;
  if (!schema) { problems.push(`${a.method} ${a.path} ${a.status}: no JSON schema declared`); continue; }
  const ref = `openapi.json#/${pointer(["paths", a.path, a.method, "responses", String(a.status), "content", "application/json", "schema"])}`;
  const validate = ajv.getSchema(ref);
  if (!validate(a.body)) {
    problems.push(`${a.method} ${a.path} ${a.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(a.body).slice(0, 300)}`);
  }
}

console.log(`checked the document and ${answers.length} answers; ${problems.length} problems`);
for (const p of problems) console.log("PROBLEM " + p);
process.exit(problems.length === 0 ? 0 : 1);
