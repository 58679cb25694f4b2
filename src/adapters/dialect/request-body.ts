import type { NodeHandler } from "../node/one-port-server.ts";
import { checkedDepth, parseJson } from "./json-fields.ts";

type NodeRequest = Parameters<NodeHandler>[0];

/** A request body as read: its bytes, or the value a body parser that ran first (express.json(), Fastify's) left on the request. */
export type RequestBody = { bytes: Uint8Array } | { parsed: unknown };

/**
 * Reads a node request's body, up to `maxBytes`; undefined once it is larger.
 * Counted as it arrives, and left unread past the limit (paused, not
 * destroyed, so that the refusal can still be sent).
 */
export function readNodeBody(req: NodeRequest, maxBytes: number): Promise<RequestBody | undefined> {
  const parsed = (req as { body?: unknown }).body;
  if (parsed !== undefined) return Promise.resolve({ parsed });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (settled: () => void): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      req.off("error", onClose);
      settled();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.pause();
      settle(() => resolve(undefined));
    };
    const onEnd = (): void => settle(() => resolve({ bytes: Buffer.concat(chunks) }));
    // Closed or failed before its end: the client went away mid-body, and there is no one to answer.
    const onClose = (): void => settle(() => reject(new Error("the request closed before its body ended")));
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("close", onClose);
    req.once("error", onClose);
  });
}

/** Reads a fetch request's body, up to `maxBytes`; undefined once it is larger, and the rest is not read. */
export async function readFetchBody(request: Request, maxBytes: number): Promise<RequestBody | undefined> {
  if (!request.body) return { bytes: new Uint8Array() };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > maxBytes) {
      void reader.cancel();
      return undefined;
    }
    chunks.push(next.value);
  }
  return { bytes: Buffer.concat(chunks) };
}

/** A body's JSON: undefined for an empty body; one that is not JSON, or nests too deep, is an `invalid_argument`. */
export function jsonOf(body: RequestBody): unknown {
  if ("parsed" in body) return checkedDepth(body.parsed);
  return body.bytes.byteLength === 0 ? undefined : parseJson(new TextDecoder().decode(body.bytes));
}
