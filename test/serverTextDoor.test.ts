import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, expectTypeOf, it } from "vitest";
// @ts-expect-error: a plain JavaScript script, without types
import { findDoorLeaks } from "../scripts/serverTextDoor.mjs";
import { terminalSafe } from "../src/app/terminalText.js";
import { Redaction, ServerText, type Redacted } from "../src/client/serverText.js";

/*
 * The door for the server's words holds by construction (docs/ARCHITECTURE.md, "One door for
 * the server's words"): a ServerText is no string, and nothing in src/ turns one into text but
 * a Redaction; and where oq holds a client, a report or a summary, whatever it prints was made
 * by the door (typed Redacted). `npm run typecheck` holds all of src/ to these rules
 * (scripts/serverTextDoor.mjs); here they are shown to catch each kind of leak.
 */

describe("a ServerText is no string", () => {
  const text = ServerText.from("correct-horse-battery-staple");

  it("does not type-check where a string goes", () => {
    expectTypeOf(text).not.toMatchTypeOf<string>();
    const typeErrorsOnly = () => {
      // @ts-expect-error a ServerText is no string
      const said: string = text;
      // @ts-expect-error a stream takes no ServerText
      process.stderr.write(text);
      // @ts-expect-error the terminal's escaping takes strings only
      terminalSafe(text);
      // @ts-expect-error only the door makes a Redacted
      const redacted: Redacted = "correct-horse";
      return [said, redacted];
    };
    expect(typeof typeErrorsOnly).toBe("function");
  });

  it("refuses, at run time too, to become text any other way than through a Redaction", () => {
    expect(() => `${text}`).toThrow(TypeError);
    expect(() => String(text)).toThrow(TypeError);
    expect(() => "said: " + (text as unknown as string)).toThrow(TypeError);
    expect(() => JSON.stringify({ text })).toThrow(TypeError);
    const redaction = new Redaction(["correct-horse", "correct-horse-battery-staple"]);
    expect(text.redactedBy(redaction)).toBe("***");
    expect(redaction.line`report ${text} (${ServerText.from("Failed")})`).toBe("report *** (Failed)");
    expect(redaction.json({ id: "correct-horse", title: text, rows: 3 }, JSON.stringify)).toBe(
      '{"id":"***","title":"***","rows":3}',
    );
  });
});

const root = resolve(import.meta.dirname, "..");

/**
 * The door's rules (scripts/serverTextDoor.mjs; `npm run typecheck` holds all of src/ to them)
 * on a program of `files` (paths under src/, written here) and what they import.
 */
function leaksIn(files: Record<string, string>): { file: string; line: number; rule: string }[] {
  const config = ts.parseJsonConfigFileContent(
    ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile).config,
    ts.sys,
    root,
  );
  const written = Object.fromEntries(Object.entries(files).map(([path, text]) => [join(root, path), text]));
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) =>
    written[name] !== undefined
      ? ts.createSourceFile(name, written[name], version)
      : getSourceFile.call(host, name, version, ...rest);
  host.fileExists = (name) => written[name] !== undefined || fileExists.call(host, name);
  host.readFile = (name) => written[name] ?? readFile.call(host, name);
  // Without Node's types, which cost seconds to read and which no rule needs.
  const program = ts.createProgram(
    Object.keys(written),
    { ...config.options, types: [], noEmit: true },
    host,
  );
  return findDoorLeaks(program, root);
}

describe("the door's rules catch each kind of leak", () => {
  it("in a file written to break them, and nowhere else", () => {
    const file = "src/app/doorLeaks.ts";
    const leaks = leaksIn({
      [file]: `import { ServerText, type Redacted, type Redaction } from "../client/serverText.js";
import { terminalLine, terminalSafeJson } from "./terminalText.js";

// The runtime's types by their names, as the rules know them (kept small: the real ones pull in half of src/).
interface OngageClient { redaction: Redaction }
interface RunSummary { reportId?: string; error?: string; rows: number }
interface Stream { write(chunk: string | Uint8Array): boolean }

export function leaks(client: OngageClient, summary: RunSummary, text: ServerText, stream: Stream): void {
  const say = terminalLine(client.redaction);
  stream.write(\`report \${summary.reportId}\\n\`);
  const said = \`status: \${text}\`;
  stream.write(say\`report \${text}\` + "\\n");
  stream.write(terminalSafeJson({ text }));
  const raw = "x" as Redacted;
  stream.write(say\`\${said} \${raw} \${summary.error ?? ""}\\n\`);
  stream.write(new Uint8Array([summary.rows]));
}

export function withoutReports(stream: Stream, words: string): void {
  stream.write(\`\${words}\\n\`);
}
`,
    });
    expect(leaks).toEqual([
      { file, line: 11, rule: "printed without the door (.write)" },
      { file, line: 12, rule: "ServerText in a template" },
      { file, line: 13, rule: "printed without the door (.write)" },
      { file, line: 14, rule: "printed without the door (.write)" },
      { file, line: 14, rule: "ServerText given to terminalSafeJson" },
      { file, line: 15, rule: "a Redacted made outside the door" },
    ]);
  });
});
