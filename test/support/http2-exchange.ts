import type { ClientHttp2Session, OutgoingHttpHeaders } from "node:http2";

/** What a server answered one HTTP/2 request: its status and its body as text. */
export interface Http2Answer {
  status: number;
  text: string;
}

/** Sends one POST on an HTTP/2 session and resolves with the answer once its stream ends. */
export function http2Exchange(session: ClientHttp2Session, path: string, request: { headers: OutgoingHttpHeaders; body: string }): Promise<Http2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "POST", ":path": path, ...request.headers });
    let text = "";
    let status = 0;
    stream.on("response", (head) => (status = Number(head[":status"])));
    stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
    stream.on("end", () => resolve({ status, text }));
    stream.on("error", reject);
    stream.end(request.body);
  });
}
