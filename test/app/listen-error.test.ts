import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/config-error.ts";
import { listenError } from "../../src/app/listen-error.ts";

describe("listenError()", () => {
  const at = { host: "0.0.0.0", port: 80 };

  it("should say that a port below 1024 needs privileges", () => {
    const error = Object.assign(new Error("listen EACCES: permission denied 0.0.0.0:80"), { code: "EACCES" });
    expect(listenError(error, at)).toEqual(new ConfigError("this user may not listen on port 80 (ports below 1024 need privileges): set PORT to 1024 or above, such as 8080"));
  });

  it("should leave an error that no setting causes as it is", () => {
    const error = Object.assign(new Error("listen EMFILE"), { code: "EMFILE" });
    expect(listenError(error, at)).toBe(error);
  });
});
