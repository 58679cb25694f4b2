#!/usr/bin/env node
// The `tokenwire` command. A checkout runs the TypeScript source directly (Node 22.18 and later), so
// it never runs a dist/ older than its sources; an installed package, which ships no src/, runs the
// build (Node does not strip types under node_modules; tsconfig.build.json compiles src/ into dist/).
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
const entry = existsSync(source) ? source : new URL("../dist/cli/main.js", import.meta.url);
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
// Exit now: an idle HTTP/2 connection kept for reuse would otherwise hold the process open.
process.exit(code);
