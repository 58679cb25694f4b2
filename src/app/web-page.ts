import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { NodeHandler } from "../adapters/node/one-port-server.ts";

const webDir = resolve(import.meta.dirname, "../../web");
// Beside dist/server/, where `npm run build` bundles the page: dist/web/, which the package ships.
const builtPageDir = resolve(import.meta.dirname, "../web");

/** The page's files by path, each with its content type. */
export type Page = Map<string, { type: string; body: string }>;

/** The page's files, by the path each is served at and the name it is built to. */
export const pageFiles = { "/": "index.html", "/app.js": "app.js", "/app.css": "app.css" } as const;
const pagePaths = Object.keys(pageFiles);
const types = { "/": "text/html; charset=utf-8", "/app.js": "text/javascript; charset=utf-8", "/app.css": "text/css; charset=utf-8" };

/**
 * Serves the chat page of `web/` at `/`, its script at `/app.js` and its
 * styles at `/app.css`; anything else goes to `fallback`, by default a 404. A
 * checkout bundles `web/` with esbuild in memory when the server starts, so
 * the page never lags its sources; an installed package, which has neither
 * `web/` nor esbuild, serves the page its build bundled into `dist/web/`.
 * Every reply carries {@link pagePolicy} as its `Content-Security-Policy`,
 * with `nosniff` and no referrer. `page` is where the files come from: by
 * default {@link loadPage}.
 */
export function webPageHandler(fallback: NodeHandler = notFound, page: Promise<Page> = loadPage()): NodeHandler {
  page.catch(() => {}); // reported on the first request for the page
  return (req, res) => {
    const path = req.url?.split("?")[0] ?? "";
    const file = path === "/index.html" ? "/" : path;
    if (!pagePaths.includes(file) || (req.method !== "GET" && req.method !== "HEAD")) return fallback(req, res);
    page.then(
      (built) => send(res, { status: 200, ...built.get(file)! }),
      (reason: unknown) => send(res, { status: 503, type: "text/plain", body: `the page could not be built: ${String(reason)}\n` }),
    );
  };
}

/** The page's files: bundled from `web/` in a checkout, read from `dist/web/` in an installed package. */
export function loadPage(): Promise<Page> {
  return existsSync(resolve(webDir, "main.ts")) ? bundlePage() : readBuiltPage();
}

/** Bundles the page from `web/` with esbuild (a dev dependency), in memory. */
export async function bundlePage(): Promise<Page> {
  // esbuild is a dev dependency: imported only when the page is served.
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [
      { in: resolve(webDir, "main.ts"), out: "app" },
      { in: resolve(webDir, "styles.css"), out: "app" },
    ],
    outdir: webDir, // names the outputs; nothing is written
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    logLevel: "silent",
  });
  const output = (name: string) => result.outputFiles.find((file) => basename(file.path) === name)!.text;
  return new Map([
    ["/", { type: types["/"], body: await readFile(resolve(webDir, "index.html"), "utf8") }],
    ["/app.js", { type: types["/app.js"], body: output("app.js") }],
    ["/app.css", { type: types["/app.css"], body: output("app.css") }],
  ]);
}

async function readBuiltPage(): Promise<Page> {
  const read = async ([path, name]: [string, string]) => [path, { type: types[path as keyof typeof types], body: await readFile(resolve(builtPageDir, name), "utf8") }] as const;
  return new Map(await Promise.all(Object.entries(pageFiles).map(read)));
}

/**
 * What the page may load and who may frame it. The page calls only the server
 * that serves it, and a model's reply is data: scripts, styles and calls stay
 * on this origin, images too (and `data:` icons), so markdown a model writes
 * cannot make the browser fetch another address, and no other site may frame
 * the page to overlay its key prompt.
 */
export const pagePolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = { "content-security-policy": pagePolicy, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };

function send(res: Parameters<NodeHandler>[1], reply: { status: number; type: string; body: string }): void {
  res.writeHead(reply.status, { "content-type": reply.type, "cache-control": "no-cache", ...securityHeaders });
  res.end(reply.body);
}

function notFound(_req: Parameters<NodeHandler>[0], res: Parameters<NodeHandler>[1]): void {
  send(res, { status: 404, type: "text/plain", body: "not found\n" });
}
