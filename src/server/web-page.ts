import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { NodeHandler } from "../adapters/node/one-port-server.ts";

const webDir = resolve(import.meta.dirname, "../../web");

/** The page's files by path, each with its content type. */
type Page = Map<string, { type: string; body: string }>;

const pagePaths = ["/", "/app.js", "/app.css"];

/**
 * Serves the chat page of `web/` at `/`, its script at `/app.js` and its
 * styles at `/app.css`, bundled by esbuild in memory when the server starts,
 * so the page never lags its sources; anything else goes to `fallback`, by
 * default a 404.
 */
export function webPageHandler(fallback: NodeHandler = notFound): NodeHandler {
  const page = buildPage();
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

async function buildPage(): Promise<Page> {
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
    ["/", { type: "text/html; charset=utf-8", body: await readFile(resolve(webDir, "index.html"), "utf8") }],
    ["/app.js", { type: "text/javascript; charset=utf-8", body: output("app.js") }],
    ["/app.css", { type: "text/css; charset=utf-8", body: output("app.css") }],
  ]);
}

function send(res: Parameters<NodeHandler>[1], reply: { status: number; type: string; body: string }): void {
  res.writeHead(reply.status, { "content-type": reply.type, "cache-control": "no-cache" });
  res.end(reply.body);
}

function notFound(_req: Parameters<NodeHandler>[0], res: Parameters<NodeHandler>[1]): void {
  send(res, { status: 404, type: "text/plain", body: "not found\n" });
}
