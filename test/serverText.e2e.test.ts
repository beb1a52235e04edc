import { afterEach, describe, expect, it } from "vitest";
import { runOqAsync, scratch } from "./support/cli.js";
import { fakeEnv, fakeOngage, type FakeOngage } from "./support/fakeOngage.js";

/*
 * Whatever a server sends reaches the terminal escaped or not at all, and its answers are
 * described as what they are (docs/running.md, "Output").
 */

let fakes: FakeOngage[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  fakes = [];
});

describe("text from the server on the terminal", () => {
  it("a report id with control characters is escaped in the summary line and in --json", async () => {
    const id = "77\u001b[2J\u001b]0;owned\u0007";
    const fake = await fakeOngage(id);
    fakes.push(fake);
    const dir = scratch({ "q.oq": "in segment 3\n" });
    const run = await runOqAsync(["run", "q.oq", "--out", "q.csv", "--poll-interval", "20ms"], { cwd: dir, env: fakeEnv(fake) });
    expect(run.status).toBe(0);
    expect(fake.requests).toContain(`DELETE /api/contact_activity/${id}`);
    expect(run.stderr).toContain("✓ q.oq: report 77\\x1b[2J\\x1b]0;owned\\x07 (deleted)");
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    const json = await runOqAsync(["run", "q.oq", "--json", "--poll-interval", "20ms"], { cwd: dir, env: fakeEnv(fake) });
    expect(json.stdout + json.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });
});
