// `npm run example -- <name>`: runs examples/<name>.ts as an embedder's code runs, importing `tokenwire`
// by name. In this checkout the name resolves to the package itself, whose exports point into dist/, so
// dist/ is built first whenever it is missing or older than the sources it is built from.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

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
await import(pathToFileURL(join(root, "examples", `${name}.ts`)).href);

// tsc rewrites every output on each build, so dist/index.js is as old as the build.
function buildIsStale(): boolean {
  const built = join(root, "dist/index.js");
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const inputs = ["src", "gen"].flatMap((dir) => readdirSync(join(root, dir), { recursive: true, encoding: "utf8" }).map((file) => join(root, dir, file)));
  return [...inputs, join(root, "tsconfig.json"), join(root, "tsconfig.build.json")].some((file) => statSync(file).mtimeMs > builtAt);
}
