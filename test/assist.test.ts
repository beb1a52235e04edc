import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { completionsAt } from "../src/assist/completionItems.js";
import { hoverAt } from "../src/assist/hover.js";
import { classifyTokens } from "../src/assist/tokenClasses.js";

/*
 * The language service (src/assist/) serves hosts without Node (a browser page) as well as the
 * REPL and `oq lsp`: it imports only from src/, and works in UTF-16 offsets.
 */

const assistDir = new URL("../src/assist/", import.meta.url).pathname;

describe("src/assist", () => {
  it("imports nothing but other files of src/ (no node:, no packages)", () => {
    const outside = readdirSync(assistDir).flatMap((file) =>
      [...readFileSync(join(assistDir, file), "utf8").matchAll(/from\s+"([^"]+)"/g)]
        .map((match) => match[1]!)
        .filter((target) => !target.startsWith("."))
        .map((target) => `${file}: ${target}`),
    );
    expect(outside).toEqual([]);
  });

  it("counts offsets in UTF-16 code units, after an emoji too", () => {
    const text = 'email = "😀" and opens >= 3';
    expect(classifyTokens(text).map((token) => text.slice(token.start, token.start + token.length))).toEqual([
      "email",
      "=",
      '"😀"',
      "and",
      "opens",
      ">=",
      "3",
    ]);
    const hover = hoverAt(text, text.indexOf("opens"), {});
    expect(text.slice(hover!.start, hover!.end)).toBe("opens");
    const completion = completionsAt(`${text} and ema`, text.length + 8, undefined);
    expect(completion.items.map((item) => item.label)).toContain("email");
    expect(completion.start).toBe(text.length + 5);
  });
});
