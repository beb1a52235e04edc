import { describe, expect, it } from "vitest";

// The package's entry points, as users import them (the built files, through package.json's exports map).
describe("the package's exports", () => {
  it("oq: the compiler", async () => {
    const oq = await import("oq");
    expect(oq.compile("opens > 1").ok).toBe(true);
  });

  it("oq/client: the client and the runner", async () => {
    const client = await import("oq/client");
    expect(typeof client.OngageClient).toBe("function");
    expect(typeof client.runReport).toBe("function");
  });

  it("oq/sandbox: the sandbox", async () => {
    const sandbox = await import("oq/sandbox");
    const running = await sandbox.startSandbox({ port: 0, contacts: 10 });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await running.close();
  });
});
