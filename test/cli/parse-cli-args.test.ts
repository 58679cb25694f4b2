import { describe, expect, it } from "vitest";
import { parseCliArgs, UsageError } from "../../src/cli/parse-cli-args.ts";

describe("parseCliArgs()", () => {
  it("should default to Connect on 127.0.0.1:8080 with the prompt's words joined", () => {
    expect(parseCliArgs(["ask", "why", "is", "the", "sky", "blue?"])).toEqual({
      command: "ask",
      options: { prompt: "why is the sky blue?", protocol: "connect", url: "http://127.0.0.1:8080", events: false, resumable: false },
    });
  });

  it("should take the URL from TOKENWIRE_URL, and --url over it", () => {
    const env = { TOKENWIRE_URL: "http://10.0.0.1:9000" };
    expect(parseCliArgs(["ask", "hi"], env)).toMatchObject({ options: { url: "http://10.0.0.1:9000" } });
    expect(parseCliArgs(["ask", "-u", "https://example.test", "hi"], env)).toMatchObject({ options: { url: "https://example.test" } });
  });

  it("should read every option", () => {
    const argv = ["ask", "-p", "grpc-web", "-m", "gpt-x", "-t", "0.7", "--max-tokens", "100", "--events", "hi"];
    expect(parseCliArgs(argv)).toMatchObject({ options: { protocol: "grpc-web", model: "gpt-x", temperature: 0.7, maxTokens: 100, events: true } });
    expect(parseCliArgs(["ask", "--sep", "|", "hi"])).toMatchObject({ options: { sep: "|" } });
    expect(parseCliArgs(["ask", "--resumable", "hi"])).toMatchObject({ command: "ask", options: { resumable: true } });
  });

  it("should read --resume with --after, as a sequence that no float would round", () => {
    expect(parseCliArgs(["ask", "--resume", "s-1", "--after", "18446744073709551615", "--events", "-p", "grpc"])).toEqual({
      command: "resume",
      options: { streamId: "s-1", afterSequence: 18446744073709551615n, events: true, protocol: "grpc", url: "http://127.0.0.1:8080" },
    });
    expect(parseCliArgs(["ask", "--resume", "s-1"])).toMatchObject({ options: { afterSequence: 0n, events: false } });
  });

  it("should read stop with its stream id and the server", () => {
    expect(parseCliArgs(["stop", "s-1", "-u", "http://10.0.0.1:9000"])).toEqual({
      command: "stop",
      options: { streamId: "s-1", protocol: "connect", url: "http://10.0.0.1:9000" },
    });
  });

  it("should take the API key from TOKENWIRE_API_KEY, and --api-key over it, for ask and stop alike", () => {
    const env = { TOKENWIRE_API_KEY: " tw-from-env\n" };
    expect(parseCliArgs(["ask", "hi"], env)).toMatchObject({ options: { apiKey: "tw-from-env" } });
    expect(parseCliArgs(["stop", "s-1", "--api-key", "tw-flag"], env)).toMatchObject({ options: { apiKey: "tw-flag" } });
    expect(parseCliArgs(["ask", "hi"], { TOKENWIRE_API_KEY: "" })).toMatchObject({ options: { apiKey: undefined } });
    expect(parseCliArgs(["ask", "hi"])).toMatchObject({ options: { apiKey: undefined } });
  });

  it.each([[[]], [["help"]], [["--help"]], [["ask", "-h"]]])("should ask for help with %j", (argv) => {
    expect(parseCliArgs(argv)).toEqual({ command: "help" });
  });

  it.each([
    [["say", "hi"], /unknown command "say"/],
    [["ask"], /needs a prompt/],
    [["ask", "--protocol", "http3", "hi"], /--protocol must be one of connect, grpc, grpc-web/],
    [["ask", "--url", "ftp://x", "hi"], /--url must be an http/],
    [["ask", "-t", "warm", "hi"], /--temperature takes a number/],
    [["ask", "--max-tokens", "", "hi"], /--max-tokens takes a number/],
    [["ask", "--sep", "|", "--events", "hi"], /do not go together/],
    [["ask", "--sep", "|", "--max-tokens", "5", "hi"], /no --max-tokens/],
    [["ask", "--colour", "hi"], /colour/],
    [["ask", "--sep", "|", "--resumable", "hi"], /no resumable streams/],
    [["ask", "--after", "3", "hi"], /--after goes with --resume/],
    [["ask", "--resume", "s-1", "hi"], /takes no prompt/],
    [["ask", "--resume", "s-1", "-m", "gpt-x"], /takes no --model/],
    [["ask", "--resume", "s-1", "--resumable"], /takes no --resumable/],
    [["ask", "--resume", " "], /needs a stream id/],
    [["ask", "--resume", "s-1", "--after=-1"], /--after takes a sequence number/],
    [["ask", "--resume", "s-1", "--after", "1.5"], /--after takes a sequence number/],
    [["ask", "--resume", "s-1", "--after", "18446744073709551616"], /--after takes a sequence number/],
    [["stop"], /stop takes one stream id/],
    [["stop", "s-1", "s-2"], /stop takes one stream id/],
    [["stop", "s-1", "--events"], /no --events/],
    [["ask", "--api-key", " ", "hi"], /--api-key needs a key/],
    [["ask", "--api-key", "tw\tkey", "hi"], /--api-key holds a space, a control or a non-ASCII character/],
  ])("should refuse %j with a UsageError", (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
