// `npm run example -- <name>`: runs examples/<name>.ts as an embedder's code runs, importing `tokenwire`
// by name. In this checkout the name resolves to the package itself, whose exports point into dist/, so
// dist/ is built first whenever it is missing or older than the sources it is built from.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { errorFields } from "../src/adapters/node/error-fields.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const servers = ["node-http", "express", "fastify"];
// Examples that run once in process and exit.
const scripts = ["agent"];

const name = process.argv[2]?.replace(/^examples\//, "").replace(/\.ts$/, "");
if (name === "fetch") {
  console.error("examples/fetch.ts exports a fetch handler for Deno, Bun and Cloudflare Workers to serve; it does not listen by itself");
  process.exit(2);
}
if (!name || ![...servers, ...scripts].includes(name)) {
  console.error(`usage: npm run example -- <${[...servers, ...scripts].join("|")}>`);
  process.exit(2);
}

if (buildIsStale()) {
  console.error("building dist/ first (npm run build)");
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
}
// A failure is said in one line first, with the causes an error wraps (an "internal error" of a stream says nothing
// alone), then where it came from; also when it comes later, such as a port in use once the example listens.
const failed = (error: unknown) => {
  process.stderr.write(`examples/${name}.ts failed: ${causesOf(error)}\n${framesOf(error)}`);
  process.exit(1);
};
process.on("uncaughtException", failed);
await import(pathToFileURL(join(root, "examples", `${name}.ts`)).href).catch(failed);

// `internal error: Missing credentials. …`: each message of the chain, on one line.
function causesOf(error: unknown): string {
  const messages: string[] = [];
  for (let link = error; link !== undefined && messages.length < 5; link = link instanceof Error ? link.cause : undefined) {
    messages.push((link instanceof Error ? link.message : String(link)).replace(/\s*\n\s*/g, " "));
  }
  return messages.join(": ");
}

// The stack of the innermost cause, where the failure began, with paths relative to the project.
function framesOf(error: unknown): string {
  let innermost = error;
  while (innermost instanceof Error && innermost.cause instanceof Error) innermost = innermost.cause;
  const stack = errorFields(innermost).stack ?? "";
  return stack.split("\n").filter((line) => /^\s+at /.test(line)).map((line) => `${line}\n`).join("");
}

// tsc rewrites every output on each build, so dist/index.js is as old as the build.
function buildIsStale(): boolean {
  const built = join(root, "dist/index.js");
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const inputs = ["src", "gen"].flatMap((dir) => readdirSync(join(root, dir), { recursive: true, encoding: "utf8" }).map((file) => join(root, dir, file)));
  return [...inputs, join(root, "tsconfig.json"), join(root, "tsconfig.build.json")].some((file) => statSync(file).mtimeMs > builtAt);
}
