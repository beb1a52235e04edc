import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/*
 * The compiling commands' standard output and error (src/cli/syncOutput.ts): fs.writeSync to
 * the file descriptor, or, when the descriptor cannot take a write now, Node's stream, with
 * nothing lost or reordered. What a closed pipe does is in cli.e2e.test.ts ("a reader that
 * closes stdout early"), through the built command.
 */

const syncOutput = fileURLToPath(new URL("../dist/lib/cli/syncOutput.js", import.meta.url));

/**
 * Runs `script` (an ES module with `hostWritingSync` and `writeSync` in scope) in a Node process
 * whose stdout is a pipe this process reads only after `holdMs`, and gives what it wrote.
 */
function run(
  script: string,
  holdMs: number,
): Promise<{ stdout: Buffer; stderr: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { hostWritingSync } from ${JSON.stringify(syncOutput)}; import { writeSync } from "node:fs";\n${script}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), holdMs);
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ stdout: Buffer.concat(out), stderr, status }));
  });
}

/**
 * A script that writes 64 lines of 16 KB (a 1 MB output whose order can be checked) through
 * hostWritingSync's stdout, after `prelude`, then writes to stderr whether it made Node's stream.
 */
const writeLines = (prelude: string) => `${prelude}
  const made = [];
  const host = hostWritingSync(Object.create(process, { stdout: { get() { made.push("stdout"); return process.stdout; } } }));
  for (let line = 0; line < 64; line++) host.stdout.write(String(line % 10).repeat(16383) + "\\n");
  writeSync(2, JSON.stringify(made));`;

function linesInOrder(stdout: Buffer): boolean {
  const lines = stdout.toString().split("\n").slice(0, -1);
  return lines.length === 64 && lines.every((line, i) => line === String(i % 10).repeat(16383));
}

describe("the compiling commands' output, written synchronously", () => {
  it("writes everything, in order, to a pipe its reader drains late (writeSync blocks)", async () => {
    const result = await run(writeLines(""), 300);
    expect(result.status).toBe(0);
    expect(linesInOrder(result.stdout)).toBe(true);
    // Node's stream was never made.
    expect(result.stderr).toBe("[]");
  });

  it("goes on through Node's stream, in order, when the pipe is non-blocking and full (EAGAIN)", async () => {
    // Making process.stdout of a pipe turns the descriptor non-blocking (libuv), as a descriptor
    // shared with another Node process may be: writeSync then fails with EAGAIN once the pipe is full.
    const result = await run(writeLines("process.stdout;"), 300);
    expect(result.status).toBe(0);
    expect(linesInOrder(result.stdout)).toBe(true);
    // The fault happened: the descriptor refused a write and the stream took over.
    expect(result.stderr).toBe('["stdout"]');
  });

  it("ends the process at once when all is written (endSoon), and only then", async () => {
    // What bin/oq.js does when a compiling command has finished; an immediate after it runs only
    // if the process did not end at once.
    const ending = (prelude: string) =>
      `${writeLines(prelude)}\nhost.endSoon(); setImmediate(() => writeSync(2, " went on"));`;
    const blocking = await run(ending(""), 300);
    expect(blocking.status).toBe(0);
    expect(linesInOrder(blocking.stdout)).toBe(true);
    expect(blocking.stderr).toBe("[]");
    // Non-blocking and full: the stream still held what it had to write, so the process went on
    // until it was written, in order.
    const queued = await run(ending("process.stdout;"), 300);
    expect(queued.status).toBe(0);
    expect(linesInOrder(queued.stdout)).toBe(true);
    expect(queued.stderr).toBe('["stdout"] went on');
  });
});
