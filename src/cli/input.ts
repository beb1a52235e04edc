import { readFileSync } from "node:fs";
import { UsageError } from "../app/usageError.js";

interface InputFile {
  /** The name diagnostics use: the path as given, or <stdin>. */
  name: string;
  text: string;
}

/** Reads a query file, or standard input for "-". */
export function readInput(path: string): InputFile {
  try {
    if (path === "-") return { name: "<stdin>", text: readFileSync(0, "utf8") };
    return { name: path, text: readFileSync(path, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (code ?? String(error));
    throw new UsageError(`cannot read ${path}: ${reason}`);
  }
}
