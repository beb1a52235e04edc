import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { terminalSafe } from "../src/app/terminalText.js";
import { Redaction, ServerText, type Redacted } from "../src/client/serverText.js";

/*
 * The door for the server's words holds by construction (docs/ARCHITECTURE.md, "One door for
 * the server's words"): a ServerText is no string, and nothing in src/ turns one into text but
 * a Redaction; and where oq holds a client, a report or a summary, whatever it prints was made
 * by the door (typed Redacted). The rules are checked with TypeScript's own types over all of
 * src/, and shown to catch each kind of leak in a file written to break them.
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
const src = join(root, "src");
const doorFile = join(src, "client/serverText.ts");

/** What the printing layers must print through the door, once one of these is in hand. */
const reportTypes = new Set([
  "OngageClient",
  "Redaction",
  "RunSummary",
  "PlanSummary",
  "RunProgress",
  "PlanProgress",
  "ReportInfo",
  "ListFieldInfo",
]);
/** Methods that print: streams', the progress line's, the REPL's output and session, the console's. */
const printing = new Set(["write", "log", "fail", "out", "err", "error", "warn", "info"]);
const printingLayers = ["app", "cli", "repl"].map((layer) => join(src, layer) + "/");

interface Finding {
  file: string;
  line: number;
  rule: string;
}

/** Every way src/ (and `extra` files) could print the server's words without the door. */
function doorLeaks(extra: Record<string, string> = {}): Finding[] {
  const config = ts.parseJsonConfigFileContent(
    ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile).config,
    ts.sys,
    root,
  );
  const host = ts.createCompilerHost(config.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) =>
    extra[name] !== undefined
      ? ts.createSourceFile(name, extra[name], version)
      : getSourceFile.call(host, name, version, ...rest);
  host.fileExists = (name) => extra[name] !== undefined || fileExists.call(host, name);
  host.readFile = (name) => extra[name] ?? readFile.call(host, name);
  const program = ts.createProgram(
    [...config.fileNames, ...Object.keys(extra)],
    { ...config.options, noEmit: true },
    host,
  );
  const checker = program.getTypeChecker();
  const findings: Finding[] = [];

  const declaredIn = (type: ts.Type, names: Set<string>, file?: string): boolean =>
    type.isUnion()
      ? type.types.some((member) => declaredIn(member, names, file))
      : (() => {
          const symbol = type.getSymbol() ?? type.aliasSymbol;
          if (!symbol || !names.has(symbol.getName())) return false;
          const declaration = symbol.getDeclarations()?.[0]?.getSourceFile().fileName;
          return declaration !== undefined && declaration.startsWith(src) && (!file || declaration === file);
        })();
  const serverText = new Set(["ServerText"]);
  const isServerText = (type: ts.Type) => declaredIn(type, serverText, doorFile);
  /** Whether a value of this type holds a ServerText anywhere (what JSON.stringify would reach). */
  const holdsServerText = (type: ts.Type, depth = 0): boolean => {
    if (isServerText(type)) return true;
    if (depth > 4) return false;
    if (type.isUnion()) return type.types.some((member) => holdsServerText(member, depth + 1));
    if (checker.isArrayType(type) || checker.isTupleType(type))
      return checker
        .getTypeArguments(type as ts.TypeReference)
        .some((item) => holdsServerText(item, depth + 1));
    if (!(type.flags & ts.TypeFlags.Object)) return false;
    return checker
      .getPropertiesOfType(type)
      .some((property) => holdsServerText(checker.getTypeOfSymbol(property), depth + 1));
  };
  const redactedType = (() => {
    const door = program.getSourceFile(doorFile)!;
    const symbol = checker.getSymbolAtLocation(door)!;
    return checker.getDeclaredTypeOfSymbol(
      checker.getExportsOfModule(symbol).find((s) => s.name === "Redacted")!,
    );
  })();
  /** A door's tag (its lines are Redacted): `redaction.line`, `say` from terminalLine. */
  const isDoorTag = (tag: ts.Expression) => {
    const signature = checker.getSignaturesOfType(checker.getTypeAtLocation(tag), ts.SignatureKind.Call)[0];
    return signature !== undefined && checker.isTypeAssignableTo(signature.getReturnType(), redactedType);
  };

  for (const file of program.getSourceFiles()) {
    const name = file.fileName;
    if (!name.startsWith(src) || file.isDeclarationFile || name === doorFile) continue;
    const found = (node: ts.Node, rule: string) =>
      findings.push({
        file: relative(root, name),
        line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1,
        rule,
      });
    const inPrintingLayer = printingLayers.some((layer) => name.startsWith(layer));

    /** Whether a client, a report or a summary (or the door itself) is in hand where `node` is. */
    const reportsInHand = (node: ts.Node): boolean => {
      for (let scope: ts.Node | undefined = node.parent; scope; scope = scope.parent) {
        if (!ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) continue;
        const held: ts.Node[] = ts.isFunctionLike(scope) ? [...scope.parameters] : [];
        const collect = (child: ts.Node): void => {
          if (ts.isVariableDeclaration(child) && child.getStart(file) < node.getStart(file)) held.push(child);
          if (!ts.isFunctionLike(child)) ts.forEachChild(child, collect);
        };
        const body = ts.isSourceFile(scope) ? scope : (scope as ts.FunctionLikeDeclaration).body;
        if (body) ts.forEachChild(body, collect);
        if (held.some((declaration) => declaredIn(checker.getTypeAtLocation(declaration), reportTypes)))
          return true;
      }
      return false;
    };

    const visit = (node: ts.Node): void => {
      // Rule 1: a ServerText is never made text but by the door.
      if (
        ts.isTemplateExpression(node) &&
        !(ts.isTaggedTemplateExpression(node.parent) && isDoorTag(node.parent.tag))
      )
        for (const span of node.templateSpans)
          if (isServerText(checker.getTypeAtLocation(span.expression)))
            found(span.expression, "ServerText in a template");
      if (
        ts.isBinaryExpression(node) &&
        (node.operatorToken.kind === ts.SyntaxKind.PlusToken ||
          node.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) &&
        [node.left, node.right].some((side) => isServerText(checker.getTypeAtLocation(side)))
      )
        found(node, "ServerText joined with +");
      if (ts.isCallExpression(node)) {
        const callee = node.expression.getText(file);
        if (
          ["String", "JSON.stringify", "terminalSafeJson"].includes(callee) &&
          node.arguments.some((argument) => holdsServerText(checker.getTypeAtLocation(argument)))
        )
          found(node, `ServerText given to ${callee}`);
        // Rule 2: where reports are in hand, what is printed was made by the door.
        const method = ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : undefined;
        if (
          inPrintingLayer &&
          method !== undefined &&
          printing.has(method) &&
          node.arguments.some((argument) => {
            // Text (bytes are data: a CSV, a schema file) that the door did not make.
            const type = checker.getTypeAtLocation(argument);
            const text = [type, ...(type.isUnion() ? type.types : [])].some(
              (member) => (member.flags & ts.TypeFlags.StringLike) !== 0,
            );
            return text && !checker.isTypeAssignableTo(type, redactedType);
          }) &&
          reportsInHand(node)
        )
          found(node, `printed without the door (.${method})`);
      }
      // Rule 3: only the door makes a Redacted.
      if (
        (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) &&
        node.type.getText(file) === "Redacted"
      )
        found(node, "a Redacted made outside the door");
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return findings;
}

describe("nothing in src/ prints the server's words but through the door", () => {
  const fixture = join(src, "app/doorLeaksFixture.ts");
  let leaks: Finding[] = [];
  beforeAll(() => {
    leaks = doorLeaks({
      [fixture]: `import type { OngageClient } from "../client/client.js";
import { ServerText, type Redacted } from "../client/serverText.js";
import type { RunSummary } from "../runner/runReport.js";
import { terminalLine, terminalSafeJson } from "./terminalText.js";

export function leaks(client: OngageClient, summary: RunSummary, text: ServerText, stream: NodeJS.WritableStream): void {
  const say = terminalLine(client.redaction);
  stream.write(\`report \${summary.reportId}\\n\`);
  const said = \`status: \${text}\`;
  stream.write(say\`report \${text}\` + "\\n");
  stream.write(terminalSafeJson({ text }));
  const raw = "x" as Redacted;
  stream.write(say\`\${said} \${raw} \${summary.error ?? ""}\\n\`);
}

export function withoutReports(stream: NodeJS.WritableStream, words: string): void {
  stream.write(\`\${words}\\n\`);
}
`,
    });
  });

  it("src/ holds to the rules", () => {
    expect(leaks.filter((leak) => leak.file !== relative(root, fixture))).toEqual([]);
  });

  it("the rules catch each kind of leak (a file written to break them)", () => {
    const file = relative(root, fixture);
    expect(leaks.filter((leak) => leak.file === file)).toEqual([
      { file, line: 8, rule: "printed without the door (.write)" },
      { file, line: 9, rule: "ServerText in a template" },
      { file, line: 10, rule: "printed without the door (.write)" },
      { file, line: 11, rule: "printed without the door (.write)" },
      { file, line: 11, rule: "ServerText given to terminalSafeJson" },
      { file, line: 12, rule: "a Redacted made outside the door" },
    ]);
  });
});
