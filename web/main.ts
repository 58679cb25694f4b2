// The chat page's script: streams tokenwire.v1.TokenService over Connect or gRPC-Web from the browser.
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { TokenService } from "../gen/tokenwire/v1/token_service_pb.js";

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = element<HTMLFormElement>("chat");
const send = element<HTMLButtonElement>("send");
const stop = element<HTMLButtonElement>("stop");
const output = element<HTMLDivElement>("output");

// `?server=http://host:port` points a page served elsewhere at a tokenwire server (which must allow its origin).
const baseUrl = new URLSearchParams(location.search).get("server") ?? location.origin;
let controller: AbortController | undefined;

function transportFor(name: string): Transport {
  return name === "grpc-web" ? createGrpcWebTransport({ baseUrl }) : createConnectTransport({ baseUrl });
}

function show(fields: { status?: string; ttft?: string; rate?: string }): void {
  for (const [id, text] of Object.entries(fields)) element(id).textContent = text;
}

async function stream(): Promise<void> {
  controller = new AbortController();
  const started = performance.now();
  let first: number | undefined;
  output.textContent = "";
  show({ status: "streaming", ttft: "–", rate: "–" });
  const client = createClient(TokenService, transportFor(element<HTMLSelectElement>("transport").value));
  const generation = { input: { case: "prompt" as const, value: element<HTMLTextAreaElement>("prompt").value }, model: element<HTMLInputElement>("model").value };
  for await (const response of client.streamTokens({ generation }, { signal: controller.signal })) {
    if (response.event.case !== "delta") continue;
    const now = performance.now();
    first ??= now;
    output.textContent += response.event.value.text;
    // A delta's sequence number is the count of tokens so far, merged deltas included.
    const seconds = (now - first) / 1000;
    show({ ttft: `${Math.round(first - started)} ms`, rate: seconds > 0 ? `${(Number(response.sequence) / seconds).toFixed(1)} tokens/s` : "–" });
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  send.disabled = true;
  stop.disabled = false;
  stream()
    .then(() => show({ status: "done" }))
    .catch((reason: unknown) => {
      const error = ConnectError.from(reason);
      show({ status: error.code === Code.Canceled ? "stopped" : `error: ${error.rawMessage}` });
    })
    .finally(() => {
      send.disabled = false;
      stop.disabled = true;
    });
});

// Aborting the call closes its HTTP request, which cancels the model's upstream request on the server.
stop.addEventListener("click", () => controller?.abort());
