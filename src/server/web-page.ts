import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { NodeHandler } from "../adapters/node/one-port-server.ts";

const webDir = resolve(import.meta.dirname, "../../web");

interface Page {
  html: string;
  script: string;
}

/**
 * Serves the chat page of `web/` at `/` and its script at `/app.js`, bundled
 * by esbuild in memory when the server starts, so the page never lags its
 * sources; anything else goes to `fallback`, by default a 404.
 */
export function webPageHandler(fallback: NodeHandler = notFound): NodeHandler {
  const page = buildPage();
  page.catch(() => {}); // reported on the first request for the page
  return (req, res) => {
    const path = req.url?.split("?")[0];
    const kind = path === "/" || path === "/index.html" ? "html" : path === "/app.js" ? "script" : undefined;
    if (!kind || (req.method !== "GET" && req.method !== "HEAD")) return fallback(req, res);
    page.then(
      (built) => send(res, { status: 200, type: kind === "html" ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8", body: built[kind] }),
      (reason: unknown) => send(res, { status: 503, type: "text/plain", body: `the page could not be built: ${String(reason)}\n` }),
    );
  };
}

async function buildPage(): Promise<Page> {
  // esbuild is a dev dependency: imported only when the page is served.
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [resolve(webDir, "main.ts")],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    logLevel: "silent",
  });
  return { html: await readFile(resolve(webDir, "index.html"), "utf8"), script: result.outputFiles[0]!.text };
}

function send(res: Parameters<NodeHandler>[1], reply: { status: number; type: string; body: string }): void {
  res.writeHead(reply.status, { "content-type": reply.type, "cache-control": "no-cache" });
  res.end(reply.body);
}

function notFound(_req: Parameters<NodeHandler>[0], res: Parameters<NodeHandler>[1]): void {
  send(res, { status: 404, type: "text/plain", body: "not found\n" });
}
