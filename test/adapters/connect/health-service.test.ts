import { describe, expect, it, vi } from "vitest";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { startTokenwireServer, useTokenwireServer } from "../../support/tokenwire-test-server.ts";

const test = useTokenwireServer();

interface HealthClient extends grpc.Client {
  Check(request: { service: string }, callback: (error: grpc.ServiceError | null, response?: { status: string }) => void): void;
  Watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>;
}

// The .proto that grpc_health_probe and grpc-js's own health checking are built on, not the server's generated code.
function healthClient(baseUrl: string): HealthClient {
  const path = new URL("../../../node_modules/grpc-health-check/proto/health/v1/health.proto", import.meta.url).pathname;
  const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(path, { enums: String })) as never as {
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  return new loaded.grpc.health.v1.Health(new URL(baseUrl).host, grpc.credentials.createInsecure()) as unknown as HealthClient;
}

function check(client: HealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) => client.Check({ service }, (error, response) => (error ? reject(error) : resolve(response!.status))));
}

describe("healthRoutes()", () => {
  it.each(["", "tokenwire.v1.TokenService", "openai.Chatgpt"])("should report %j as serving", async (service) => {
    const client = healthClient(test.current.baseUrl);
    expect(await check(client, service)).toBe("SERVING");
    client.close();
  });

  it("should answer not_found for a service it does not know", async () => {
    const client = healthClient(test.current.baseUrl);
    await expect(check(client, "no.Such")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    client.close();
  });

  it("should tell a watcher serving, then not serving when shutdown begins, then end with unavailable", async () => {
    const own = await startTokenwireServer();
    const client = healthClient(own.baseUrl);
    const watch = client.Watch({ service: "" });
    const statuses: string[] = [];
    const ended = new Promise<grpc.ServiceError>((resolve) => watch.on("error", resolve));
    watch.on("data", ({ status }) => {
      statuses.push(status);
      if (status === "SERVING") void own.close(0);
    });
    expect(await ended).toMatchObject({ code: grpc.status.UNAVAILABLE, details: "the server is shutting down" });
    expect(statuses).toEqual(["SERVING", "NOT_SERVING"]);
    client.close();
  });

  it("should refuse a Watch past maxHealthWatches with resource_exhausted, and take one again once a watch ends", async () => {
    const own = await startTokenwireServer({ maxHealthWatches: 3 });
    const client = healthClient(own.baseUrl);
    const watches = await Promise.all([0, 1, 2].map(() => watching(client)));
    expect(await refusal(client.Watch({ service: "" }))).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, details: "the server is at its limit of 3 health watches" });
    watches[0]!.cancel();
    const again = await vi.waitFor(() => watching(client), { timeout: 5000, interval: 20 });
    [...watches, again].forEach((watch) => watch.cancel());
    client.close();
    await own.close();
  });
});

/** A Watch that has told its first status, or the error that refused it. */
function watching(client: HealthClient): Promise<grpc.ClientReadableStream<{ status: string }>> {
  const watch = client.Watch({ service: "" });
  watch.on("error", () => {}); // a cancel, or the refusal below
  return new Promise((resolve, reject) => {
    watch.once("data", () => resolve(watch));
    watch.once("error", reject);
  });
}

function refusal(watch: grpc.ClientReadableStream<unknown>): Promise<grpc.ServiceError> {
  return new Promise((resolve) => watch.once("error", resolve));
}
