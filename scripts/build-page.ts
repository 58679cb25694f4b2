// `npm run build`'s second step: bundles the chat page into dist/web/, which the package ships, so that an
// installed tokenwire serves the page without web/'s sources or esbuild.
// It prints nothing: npm pack --json, which runs it, answers on stdout.
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { bundlePage, pageFiles } from "../src/app/web-page.ts";

// Where dist/server/web-page.js looks for it.
const builtPageDir = resolve(import.meta.dirname, "../dist/web");

const page = await bundlePage();
await mkdir(builtPageDir, { recursive: true });
for (const [path, name] of Object.entries(pageFiles)) await writeFile(join(builtPageDir, name), page.get(path)!.body);
