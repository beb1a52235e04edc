// The door for the server's words, held by construction (docs/ARCHITECTURE.md, "One door for
// the server's words"), checked with TypeScript's own types: `npm run typecheck` runs it on the
// program it type-checks (scripts/unusedExports.mjs), and test/serverTextDoor.test.ts shows that
// it catches each kind of leak. The rules, over the files of src/ where a ServerText can be (the
// client's layer and those above it, docs/layers.json):
//   1. a ServerText is never made text but by the door: not in a template (but a door's tag),
//      not joined with +, not given to String(), JSON.stringify or terminalSafeJson;
//   2. in app/, cli/ and repl/, where a client, a report or a summary is in hand (a parameter
//      or a variable declared before), whatever is printed (write, log, fail, out, err, and
//      the console's) is a Redacted, which only the door makes (bytes are data: a CSV);
//   3. nothing but the door makes a Redacted (`as Redacted`).
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/** What the printing layers print only through the door, once one of these is in hand. */
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

/** The leaks in `program`'s files of `root`/src/: `{ file, line, rule }`, file relative to `root`. */
export function findDoorLeaks(program, root) {
  const src = join(root, "src");
  const doorFile = join(src, "client/serverText.ts");
  const layers = JSON.parse(readFileSync(join(root, "docs/layers.json"), "utf8")).layers.map(
    (layer) => layer.files,
  );
  // A layer below the client's cannot import it (test/layers.test.ts): no ServerText there.
  const scanned = layers
    .slice(layers.findIndex((files) => files.includes("client")))
    .flat()
    .map((name) => join(src, name) + (name.endsWith(".ts") ? "" : "/"));
  const printingLayers = ["app", "cli", "repl"].map((layer) => join(src, layer) + "/");
  const checker = program.getTypeChecker();
  const door = program.getSourceFile(doorFile);
  if (!door) throw new Error(`${doorFile} is not in the program`);
  const redactedType = checker.getDeclaredTypeOfSymbol(
    checker
      .getExportsOfModule(checker.getSymbolAtLocation(door))
      .find((symbol) => symbol.name === "Redacted"),
  );

  /** Whether the type is (or, a union, holds) one named in `names` and declared in src/ (in `file`, if given). */
  const declaredIn = (type, names, file) =>
    type.isUnion()
      ? type.types.some((member) => declaredIn(member, names, file))
      : (() => {
          const symbol = type.getSymbol() ?? type.aliasSymbol;
          if (!symbol || !names.has(symbol.getName())) return false;
          const declaration = symbol.getDeclarations()?.[0]?.getSourceFile().fileName;
          return declaration !== undefined && declaration.startsWith(src) && (!file || declaration === file);
        })();
  const serverText = new Set(["ServerText"]);
  const isServerText = (type) => declaredIn(type, serverText, doorFile);
  /** Whether a value of this type holds a ServerText anywhere (what JSON.stringify would reach). */
  const holdsServerText = (type, depth = 0) => {
    if (isServerText(type)) return true;
    if (depth > 4) return false;
    if (type.isUnion()) return type.types.some((member) => holdsServerText(member, depth + 1));
    if (checker.isArrayType(type) || checker.isTupleType(type))
      return checker.getTypeArguments(type).some((item) => holdsServerText(item, depth + 1));
    if (!(type.flags & ts.TypeFlags.Object)) return false;
    return checker
      .getPropertiesOfType(type)
      .some((property) => holdsServerText(checker.getTypeOfSymbol(property), depth + 1));
  };
  /** A door's tag (its lines are Redacted): `redaction.line`, `say` from terminalLine. */
  const isDoorTag = (tag) => {
    const [signature] = checker.getSignaturesOfType(checker.getTypeAtLocation(tag), ts.SignatureKind.Call);
    return signature !== undefined && checker.isTypeAssignableTo(signature.getReturnType(), redactedType);
  };
  /** Text (bytes are data: a CSV, a schema file) that the door did not make. */
  const undooredText = (type) =>
    [type, ...(type.isUnion() ? type.types : [])].some(
      (member) => (member.flags & ts.TypeFlags.StringLike) !== 0,
    ) && !checker.isTypeAssignableTo(type, redactedType);

  const findings = [];
  for (const file of program.getSourceFiles()) {
    const name = file.fileName;
    if (file.isDeclarationFile || name === doorFile || !scanned.some((path) => name.startsWith(path)))
      continue;
    const found = (node, rule) =>
      findings.push({
        file: relative(root, name),
        line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1,
        rule,
      });
    const inPrintingLayer = printingLayers.some((layer) => name.startsWith(layer));

    /** Whether a client, a report or a summary (or the door) is in hand where `node` is. */
    const reportsInHand = (node) => {
      for (let scope = node.parent; scope; scope = scope.parent) {
        if (!ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) continue;
        const held = ts.isFunctionLike(scope) ? [...scope.parameters] : [];
        const collect = (child) => {
          if (ts.isVariableDeclaration(child) && child.getStart(file) < node.getStart(file)) held.push(child);
          if (!ts.isFunctionLike(child)) ts.forEachChild(child, collect);
        };
        const body = ts.isSourceFile(scope) ? scope : scope.body;
        if (body) ts.forEachChild(body, collect);
        if (held.some((declaration) => declaredIn(checker.getTypeAtLocation(declaration), reportTypes)))
          return true;
      }
      return false;
    };

    const visit = (node) => {
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
        const method = ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : undefined;
        if (
          inPrintingLayer &&
          method !== undefined &&
          printing.has(method) &&
          node.arguments.some((argument) => undooredText(checker.getTypeAtLocation(argument))) &&
          reportsInHand(node)
        )
          found(node, `printed without the door (.${method})`);
      }
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
