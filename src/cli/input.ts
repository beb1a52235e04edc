import { readFileSync } from "node:fs";
import type { Host } from "../app/host.js";
import { UsageError } from "../app/usageError.js";

interface InputFile {
  /** The name diagnostics use: the path as given, or <stdin>. */
  name: string;
  text: string;
}

/** All of standard input, as text (empty once it has been read). */
async function readAll(stdin: Host["stdin"]): Promise<string> {
  if (stdin.readableEnded) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a query file, or standard input for "-". */
export async function readInput(path: string, host: Host): Promise<InputFile> {
  try {
    if (path === "-") return { name: "<stdin>", text: await readAll(host.stdin) };
    return { name: path, text: readFileSync(path, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (code ?? String(error));
    throw new UsageError(`cannot read ${path}: ${reason}`);
  }
}

/** Reads each file in turn (standard input once, for the first "-"), with the path as given. */
export async function readInputs(files: string[], host: Host): Promise<(InputFile & { file: string })[]> {
  const inputs = [];
  for (const file of files) inputs.push({ file, ...(await readInput(file, host)) });
  return inputs;
}
