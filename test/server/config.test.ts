import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_SCHEMA, ConfigError, configTableMarkdown, envVarOf, loadConfig } from "../../server/config";

describe("loadConfig", () => {
  it("GIVEN only --model-repository THEN every other option takes its documented default", () => {
    expect(loadConfig(["--model-repository", "/models"])).toEqual({
      modelRepository: "/models",
      httpPort: 8000,
      host: "0.0.0.0",
      executionProvider: "cpu",
      intraOpThreads: 0,
      maxBatchSize: 64,
      maxQueueDelayMicroseconds: 10000,
      maxQueueSize: 1024,
      queueTimeoutMs: 10000,
      instances: 1,
      instanceThread: "auto",
      intraOpSpinning: "auto",
      bodyLimitBytes: 67108864,
      largeBodiesBudgetBytes: 268435456,
      headersTimeoutSeconds: 10,
      requestTimeoutSeconds: 60,
      keepAliveTimeoutSeconds: 120,
      maxConnections: 4096,
      drainDelaySeconds: 5,
      shutdownTimeoutSeconds: 25,
      metricsPort: undefined,
      authTokenFile: undefined,
      authToken: undefined,
      accessLogSampleRate: 0.01,
      exitOnError: true,
      inferenceTimeoutMs: 30000,
      workerHeapMb: 1024,
      maxResponseBytes: 67108864,
      maxBytesElements: 1048576,
      logLevel: "info",
    });
  });

  it("turns a boolean option off with --no-<flag> or its variable, and refuses both spellings at once", () => {
    expect(loadConfig(["--model-repository", "/m", "--no-exit-on-error"]).exitOnError).toBe(false);
    expect(loadConfig(["--model-repository", "/m"], { ONNXFLEET_EXIT_ON_ERROR: "false" }).exitOnError).toBe(
      false,
    );
    expect(
      loadConfig(["--model-repository", "/m", "--exit-on-error"], { ONNXFLEET_EXIT_ON_ERROR: "false" })
        .exitOnError,
    ).toBe(true);
    expect(() => loadConfig(["--model-repository", "/m", "--exit-on-error", "--no-exit-on-error"])).toThrow(
      "set --exit-on-error or --no-exit-on-error, not both",
    );
  });

  it("reads every option from ONNXFLEET_* environment variables; flags win over the environment", () => {
    const env = {
      ONNXFLEET_MODEL_REPOSITORY: "/env-models",
      ONNXFLEET_HTTP_PORT: "9000",
      ONNXFLEET_HOST: "127.0.0.1",
      ONNXFLEET_EXECUTION_PROVIDER: "cuda",
      ONNXFLEET_INTRA_OP_THREADS: "2",
      ONNXFLEET_MAX_BATCH_SIZE: "16",
      ONNXFLEET_MAX_QUEUE_DELAY_MICROSECONDS: "500",
      ONNXFLEET_MAX_QUEUE_SIZE: "100",
      ONNXFLEET_QUEUE_TIMEOUT_MS: "0",
      ONNXFLEET_INSTANCES: "2",
      ONNXFLEET_INSTANCE_THREAD: "main",
      ONNXFLEET_INTRA_OP_SPINNING: "off",
      ONNXFLEET_BODY_LIMIT_BYTES: "2048",
      ONNXFLEET_LARGE_BODIES_BUDGET_BYTES: "4096",
      ONNXFLEET_HEADERS_TIMEOUT_SECONDS: "3",
      ONNXFLEET_REQUEST_TIMEOUT_SECONDS: "30",
      ONNXFLEET_KEEP_ALIVE_TIMEOUT_SECONDS: "30",
      ONNXFLEET_MAX_CONNECTIONS: "100",
      ONNXFLEET_DRAIN_DELAY_SECONDS: "2",
      ONNXFLEET_SHUTDOWN_TIMEOUT_SECONDS: "20",
      ONNXFLEET_METRICS_PORT: "9090",
      ONNXFLEET_AUTH_TOKEN: "env-token-0123456789",
      ONNXFLEET_ACCESS_LOG_SAMPLE_RATE: "0.5",
      ONNXFLEET_EXIT_ON_ERROR: "false",
      ONNXFLEET_INFERENCE_TIMEOUT_MS: "5000",
      ONNXFLEET_WORKER_HEAP_MB: "256",
      ONNXFLEET_MAX_RESPONSE_BYTES: "4096",
      ONNXFLEET_MAX_BYTES_ELEMENTS: "100",
      ONNXFLEET_LOG_LEVEL: "debug",
    };
    expect(loadConfig([], env)).toEqual({
      modelRepository: "/env-models",
      httpPort: 9000,
      host: "127.0.0.1",
      executionProvider: "cuda",
      intraOpThreads: 2,
      maxBatchSize: 16,
      maxQueueDelayMicroseconds: 500,
      maxQueueSize: 100,
      queueTimeoutMs: 0,
      instances: 2,
      instanceThread: "main",
      intraOpSpinning: "off",
      bodyLimitBytes: 2048,
      largeBodiesBudgetBytes: 4096,
      headersTimeoutSeconds: 3,
      requestTimeoutSeconds: 30,
      keepAliveTimeoutSeconds: 30,
      maxConnections: 100,
      drainDelaySeconds: 2,
      shutdownTimeoutSeconds: 20,
      metricsPort: 9090,
      authTokenFile: undefined,
      authToken: "env-token-0123456789",
      accessLogSampleRate: 0.5,
      exitOnError: false,
      inferenceTimeoutMs: 5000,
      workerHeapMb: 256,
      maxResponseBytes: 4096,
      maxBytesElements: 100,
      logLevel: "debug",
    });
    expect(loadConfig(["--http-port=8080", "--execution-provider", "cpu"], env)).toMatchObject({
      modelRepository: "/env-models",
      httpPort: 8080,
      executionProvider: "cpu",
    });
  });

  it.each([
    [
      ["--model-repository", "/m", "--grpc-port", "1"],
      /Unknown option '--grpc-port'.*Known flags: --model-repository, --http-port/,
    ],
    [["--model-repository", "/m", "extra"], /Unexpected argument 'extra'/],
    [[], /--model-repository \(or ONNXFLEET_MODEL_REPOSITORY\) is required/],
    [["--model-repository", "/m", "--http-port", "80.5"], /--http-port must be an integer, got "80.5"/],
    [
      ["--model-repository", "/m", "--http-port", "70000"],
      /--http-port must be between 0 and 65535, got 70000/,
    ],
    [
      ["--model-repository", "/m", "--execution-provider", "tpu"],
      /--execution-provider must be one of cpu, cuda, webgpu, got "tpu"/,
    ],
    [["--model-repository", ""], /--model-repository must not be empty/],
    [
      ["--model-repository", "/m", "--body-limit-bytes", "4096", "--large-bodies-budget-bytes", "2048"],
      /--large-bodies-budget-bytes \(2048\) must be at least --body-limit-bytes \(4096\)/,
    ],
  ])("refuses %j", (argv, message) => {
    expect(() => loadConfig(argv, {})).toThrow(ConfigError);
    expect(() => loadConfig(argv, {})).toThrow(message);
  });

  it("names the environment variable when its value is bad", () => {
    expect(() => loadConfig(["--model-repository", "/m"], { ONNXFLEET_INTRA_OP_THREADS: "many" })).toThrow(
      'ONNXFLEET_INTRA_OP_THREADS must be an integer, got "many"',
    );
  });

  it("derives every environment variable from its flag", () => {
    for (const spec of Object.values(CONFIG_SCHEMA)) {
      expect(envVarOf(spec.flag)).toMatch(/^ONNXFLEET_[A-Z0-9_]+$/);
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });

  it("docs/server.md holds the generated configuration table (cell padding aside)", () => {
    // biome pads Markdown table cells; compare cell contents only.
    const normalize = (text: string) =>
      text
        .split("\n")
        .map((line) =>
          line
            .split(/(?<!\\)\|/)
            .map((cell) => cell.trim().replace(/^-+$/, "---"))
            .join("|"),
        )
        .join("\n");
    const doc = readFileSync(new URL("../../docs/server.md", import.meta.url), "utf8");
    expect(normalize(doc)).toContain(normalize(configTableMarkdown()));
  });
});
