import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { serverConfigFromEnv } from "../../src/config/server-config.ts";
import { codeBlocks, docText } from "../support/docs.ts";

/** How long a primary gives its workers past TOKENWIRE_SHUTDOWN_GRACE_MS before it kills them (docs/operations.md). */
const workersMarginSeconds = 15;

interface Container {
  ports: { name: string; containerPort: number }[];
  env: { name: string; value?: string }[];
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
  lifecycle: { preStop: { exec: { command: string[] } } };
}

/** The Deployment of docs/deploy/kubernetes.yaml: its pod's termination grace period and its one container. */
function deployment(): { terminationGracePeriodSeconds: number; container: Container } {
  const documents = parseAllDocuments(docText("docs/deploy/kubernetes.yaml")).map((document) => document.toJS() as { kind: string; spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } } } });
  const { spec } = documents.find(({ kind }) => kind === "Deployment")!.spec.template;
  expect(spec.containers).toHaveLength(1);
  return { terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds, container: spec.containers[0]! };
}

/** The `Environment=` settings and the other `Name=value` lines of docs/deploy/tokenwire.service. */
function unit(): { environment: Record<string, string>; settings: Record<string, string> } {
  const lines = docText("docs/deploy/tokenwire.service").split("\n").filter((line) => /^\w+=/.test(line));
  const settings = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
  const environment = Object.fromEntries(settings.Environment!.split(" ").map((pair) => pair.split("=") as [string, string]));
  return { environment, settings };
}

describe("docs/deploy/kubernetes.yaml", () => {
  const { terminationGracePeriodSeconds, container } = deployment();
  // Its environment as tokenwire reads it; the values from secrets are left out.
  const config = serverConfigFromEnv(Object.fromEntries(container.env.filter(({ value }) => value !== undefined).map(({ name, value }) => [name, value])));

  it("should probe readiness and liveness on /healthz, at the port tokenwire listens on", () => {
    const port = container.ports.find(({ name }) => name === container.readinessProbe.httpGet.port)?.containerPort;
    expect(port).toBe(config.port);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
  });

  it("should give the pod the preStop sleep, TOKENWIRE_SHUTDOWN_GRACE_MS and a margin before it is killed", () => {
    const [sleep, seconds] = container.lifecycle.preStop.exec.command;
    expect(sleep).toBe("sleep");
    expect(config.shutdownGraceMs).toBeGreaterThan(10_000);
    expect(terminationGracePeriodSeconds).toBeGreaterThan(Number(seconds) + config.shutdownGraceMs / 1000 + workersMarginSeconds);
  });
});

describe("docs/deploy/tokenwire.service", () => {
  const { environment, settings } = unit();
  const config = serverConfigFromEnv(environment);

  it("should run the installed package's tokenwire serve on loopback, behind nginx", () => {
    expect(settings.ExecStart).toBe(`${settings.WorkingDirectory}/node_modules/.bin/tokenwire serve`);
    expect([config.host, config.port]).toEqual(["127.0.0.1", 8080]);
    expect(docText("docs/deploy/nginx.conf")).toContain(`server ${config.host}:${config.port};`);
  });

  it("should stop with SIGTERM and wait TOKENWIRE_SHUTDOWN_GRACE_MS and a margin before SIGKILL", () => {
    expect(settings.KillSignal).toBe("SIGTERM");
    expect(config.shutdownGraceMs).toBeGreaterThan(10_000);
    expect(Number(settings.TimeoutStopSec)).toBeGreaterThan(config.shutdownGraceMs / 1000 + workersMarginSeconds);
  });
});

describe("docs/deploy.md", () => {
  it.each([
    ["nginx.conf", "nginx"],
    ["tokenwire.service", "ini"],
    ["kubernetes.yaml", "yaml"],
  ])("should show docs/deploy/%s whole, as the tests use it", (file, lang) => {
    expect(codeBlocks(docText("docs/deploy.md"), lang)).toContain(docText(`docs/deploy/${file}`));
  });
});
