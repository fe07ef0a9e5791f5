import { describe, expect, it } from "vitest";
import { ConfigError, helpText, loadConfig } from "../../server/config";

const BASE = ["--model-repository", "/m"];

describe("hardening options", () => {
  it("takes drain, timeout, metrics and auth options from flags", () => {
    const config = loadConfig([
      ...BASE,
      "--drain-delay-seconds",
      "0",
      "--shutdown-timeout-seconds",
      "3",
      "--headers-timeout-seconds",
      "2",
      "--request-timeout-seconds",
      "9",
      "--metrics-port",
      "9100",
      "--auth-token-file",
      "/run/secrets/token",
    ]);
    expect(config).toMatchObject({
      drainDelaySeconds: 0,
      shutdownTimeoutSeconds: 3,
      headersTimeoutSeconds: 2,
      requestTimeoutSeconds: 9,
      metricsPort: 9100,
      authTokenFile: "/run/secrets/token",
      authToken: undefined,
    });
  });

  it.each([
    [
      ["--drain-delay-seconds", "10", "--shutdown-timeout-seconds", "10"],
      /--shutdown-timeout-seconds \(10\) must be greater than --drain-delay-seconds \(10\)/,
    ],
    [["--drain-delay-seconds", "30"], /--shutdown-timeout-seconds \(25\) must be greater than/],
    [
      ["--http-port", "9000", "--metrics-port", "9000"],
      /--metrics-port \(9000\) must differ from --http-port/,
    ],
    [["--auth-token-file", "/t", "--auth-token", "x"], /either --auth-token-file or --auth-token/],
    [
      ["--headers-timeout-seconds", "30", "--request-timeout-seconds", "20"],
      /--headers-timeout-seconds \(30\) must not exceed --request-timeout-seconds \(20\)/,
    ],
    [["--metrics-port=70000"], /--metrics-port must be between 0 and 65535/],
    [["--headers-timeout-seconds", "0"], /--headers-timeout-seconds must be between 1 and 600/],
  ])("refuses %j", (flags, message) => {
    expect(() => loadConfig([...BASE, ...flags], {})).toThrow(ConfigError);
    expect(() => loadConfig([...BASE, ...flags], {})).toThrow(message);
  });

  it("lists the optional options as optional in --help", () => {
    expect(helpText()).toMatch(/--metrics-port INTEGER\n.*\(ONNXFLEET_METRICS_PORT; optional\)/);
  });
});
