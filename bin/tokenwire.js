#!/usr/bin/env node
// The `tokenwire` command. An installed package runs the build (Node does not strip types under
// node_modules; tsconfig.build.json compiles src/ into dist/); a checkout runs the TypeScript
// source directly (Node 22.18 and later).
import { existsSync } from "node:fs";

const built = new URL("../dist/cli/main.js", import.meta.url);
const entry = existsSync(built) ? built : new URL("../src/cli/main.ts", import.meta.url);
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
// Exit now: an idle HTTP/2 connection kept for reuse would otherwise hold the process open.
process.exit(code);
