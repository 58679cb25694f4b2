import type { IncomingMessage } from "node:http";

/** Reads a request's body to its end, as text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}
