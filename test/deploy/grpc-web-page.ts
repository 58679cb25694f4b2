// The script of the page the deployment test opens in Chromium: StreamTokens over connect-web's gRPC-Web
// transport, to the origin the page came from, as a browser app behind the proxy calls tokenwire.
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";

/** What the page offers the test, and the test the page. */
export interface GrpcWebPageWindow {
  /** Streams a prompt from a model, handing each text delta to `onToken`; resolves with how the call ended. */
  streamTokens(model: string): Promise<string>;
  /** Cancels the call in flight. */
  cancelStream(): void;
  /** The test's, exposed to the page. */
  onToken(text: string): Promise<void>;
}

const page = window as unknown as GrpcWebPageWindow;
const client = createClient(TokenService, createGrpcWebTransport({ baseUrl: location.origin }));
let controller = new AbortController();

page.streamTokens = async (model) => {
  controller = new AbortController();
  try {
    const request = { generation: { input: { case: "prompt" as const, value: "hi" }, model } };
    for await (const { event } of client.streamTokens(request, { signal: controller.signal })) {
      if (event.case === "delta") await page.onToken(event.value.text);
    }
    return "ok";
  } catch (error) {
    return String((error as { code?: unknown }).code ?? error);
  }
};
page.cancelStream = () => controller.abort();
