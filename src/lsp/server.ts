import { fileURLToPath } from "node:url";
import {
  CodeActionKind,
  CompletionItemKind,
  createConnection,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  SemanticTokensBuilder,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Diagnostic as LspDiagnostic,
  type Message,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { completionsAt } from "../assist/completionItems.js";
import { diagnose } from "../assist/diagnose.js";
import { hoverAt } from "../assist/hover.js";
import { quickFixes, type QuickFix } from "../assist/quickFixes.js";
import { classifyTokens, type TokenClass } from "../assist/tokenClasses.js";
import { format } from "../format/format.js";
import { diagnosticLinks } from "./docsLinks.js";
import { messageSizeLimit } from "./messageSizeLimit.js";
import { documentSettings, type DocumentSettings, type SettingsEnvironment } from "./settings.js";

/*
 * `oq lsp`: the language service (src/assist/) spoken over LSP. Positions: the service works in
 * UTF-16 offsets, as the diagnostics carry them, and TextDocument turns offsets into LSP
 * positions (line, UTF-16 character) and back; a diagnostic's code-point column is never used.
 * Whatever a client sends, the server answers or ignores it and keeps running: malformed
 * messages get JSON-RPC errors, a failing handler an error response.
 */

interface ServerHost extends SettingsEnvironment {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Called once the client has gone (exit notification, or input closed) with the status to exit with. */
  exit: (status: number) => void;
  /** For what the server logs beside the protocol. */
  log: (line: string) => void;
}

/** Semantic token types, indexed by the legend's order. */
const tokenTypes = ["keyword", "variable", "parameter", "string", "number", "operator"] as const;
const tokenTypeOf: Readonly<Record<TokenClass, (typeof tokenTypes)[number]>> = {
  keyword: "keyword",
  field: "variable",
  parameter: "parameter",
  string: "string",
  value: "number",
  operator: "operator",
};

/** What a check of one version of a document found, kept for code actions. */
interface Checked {
  version: number;
  entries: { diagnostic: LspDiagnostic; fixes: QuickFix[] }[];
}

/** The notification a malformed message is turned into once answered: `$/` ones are ignored. */
const ignored: Message & { method: string } = { jsonrpc: "2.0", method: "$/oq/ignored" };

function isMessage(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const message = value as Record<string, unknown>;
  if (message["jsonrpc"] !== "2.0") return false;
  if (typeof message["method"] === "string") return true;
  return "id" in message && ("result" in message || "error" in message);
}

/** What the protocol's order of requests depends on. */
interface SessionState {
  initializeSeen: boolean;
  shutdownRequested: boolean;
}

/**
 * A request the protocol refuses before any handler sees it: one after `shutdown` (only `exit`
 * may follow), a second `initialize` (vscode-languageserver answers it with an internal error),
 * or one whose params are no object (vscode-languageserver would fail inside with JavaScript's
 * words, as an internal error).
 */
function refusalOf(value: unknown, session: SessionState): { code: number; message: string } | undefined {
  const message = value as { id?: unknown; method?: unknown; params?: unknown };
  if (message.id === undefined || typeof message.method !== "string") return undefined;
  if (session.shutdownRequested)
    return { code: ErrorCodes.InvalidRequest, message: `the server is shut down: only 'exit' may follow` };
  if (message.method === "initialize") {
    if (session.initializeSeen)
      return {
        code: ErrorCodes.InvalidRequest,
        message: "the server is initialized already: 'initialize' is sent once",
      };
    session.initializeSeen = true;
  }
  if (message.method !== "shutdown" && (typeof message.params !== "object" || message.params === null))
    return { code: ErrorCodes.InvalidParams, message: `'${message.method}' takes its params as an object` };
  return undefined;
}

function idOf(value: unknown): number | string | null {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === "number" || typeof id === "string" ? id : null;
}

export function startServer(host: ServerHost): void {
  const writer = new StreamMessageWriter(host.output);
  // Read by the decoder, which sees a request before vscode-languageserver does.
  const session: SessionState = { initializeSeen: false, shutdownRequested: false };
  const reject = (id: number | string | null, code: number, message: string) =>
    void writer.write({ jsonrpc: "2.0", id, error: { code, message } } as Message);
  // JSON that is no JSON-RPC message is answered here; vscode-jsonrpc would only log it.
  // A message over the size limit is skipped as it arrives and answered here (messageSizeLimit.ts).
  const limited = host.input.pipe(
    messageSizeLimit((reason) => reject(null, ErrorCodes.ParseError, `refused ${reason}`)),
  );
  const reader = new StreamMessageReader(limited, {
    contentTypeDecoder: {
      name: "application/json",
      decode: (buffer: Uint8Array) => {
        let value: unknown;
        try {
          value = JSON.parse(new TextDecoder().decode(buffer));
        } catch (error) {
          reject(null, ErrorCodes.ParseError, `not JSON: ${(error as Error).message}`);
          return Promise.resolve(ignored);
        }
        if (isMessage(value)) {
          const refusal = refusalOf(value, session);
          if (!refusal) return Promise.resolve(value as Message);
          reject(idOf(value), refusal.code, refusal.message);
          return Promise.resolve(ignored);
        }
        reject(
          idOf(value),
          ErrorCodes.InvalidRequest,
          "not a JSON-RPC 2.0 request, notification or response",
        );
        return Promise.resolve(ignored);
      },
    },
  });
  // A header without a usable Content-Length: the message cannot be read, and has no id.
  reader.onError((error) => reject(null, ErrorCodes.ParseError, error.message));

  const connection = createConnection(reader, writer);
  const documents = new TextDocuments(TextDocument);
  const links = diagnosticLinks();
  const checked = new Map<string, Checked>();
  const pending = new Map<string, ReturnType<typeof setImmediate>>();
  let shutdown = false;
  let watchFiles = false;

  const pathOf = (uri: string): string | undefined => {
    try {
      return uri.startsWith("file:") ? fileURLToPath(uri) : undefined;
    } catch {
      return undefined;
    }
  };
  const settingsOf = (uri: string): Promise<DocumentSettings> => documentSettings(pathOf(uri), host);

  function toLsp(document: TextDocument, settings: DocumentSettings): Checked {
    const entries: Checked["entries"] = [];
    if (settings.problems.length > 0) {
      const start = document.positionAt(0);
      entries.push({
        diagnostic: {
          range: { start, end: start },
          severity: DiagnosticSeverity.Error,
          source: "oq",
          message: `oq's settings for this file could not be read (checked without them):\n${settings.problems.join("\n")}`,
        },
        fixes: [],
      });
    }
    for (const found of diagnose(document.getText(), settings.options)) {
      const href = links.get(found.code);
      entries.push({
        diagnostic: {
          range: {
            start: document.positionAt(found.span.start.offset),
            end: document.positionAt(found.span.end.offset),
          },
          severity: found.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
          code: found.code,
          ...(href ? { codeDescription: { href } } : {}),
          source: "oq",
          message: [found.message, ...found.hints.map((hint) => `help: ${hint}`)].join("\n"),
        },
        fixes: quickFixes(found),
      });
    }
    return { version: document.version, entries };
  }

  async function check(uri: string): Promise<void> {
    const document = documents.get(uri);
    if (!document) return;
    const settings = await settingsOf(uri);
    // A newer version came while the settings were read: its own check follows.
    if (documents.get(uri)?.version !== document.version) return;
    const result = toLsp(document, settings);
    checked.set(uri, result);
    await connection.sendDiagnostics({
      uri,
      version: document.version,
      diagnostics: result.entries.map((entry) => entry.diagnostic),
    });
  }

  /** Checks a document once the messages already received are handled (a burst of edits: once). */
  function schedule(uri: string): void {
    const earlier = pending.get(uri);
    if (earlier) clearImmediate(earlier);
    pending.set(
      uri,
      setImmediate(() => {
        pending.delete(uri);
        check(uri).catch((error: unknown) => host.log(`oq lsp: checking ${uri} failed: ${String(error)}`));
      }),
    );
  }

  connection.onInitialize((params) => {
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        hoverProvider: true,
        documentFormattingProvider: true,
        completionProvider: { triggerCharacters: [" ", "`"] },
        semanticTokensProvider: {
          legend: { tokenTypes: [...tokenTypes], tokenModifiers: [] },
          full: true,
        },
      },
      serverInfo: { name: "oq" },
    };
  });

  connection.onInitialized(() => {
    // Settings are read afresh at each check; a change to them re-checks what is open.
    if (watchFiles)
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: "**/oq.config.json" }, { globPattern: "**/*.json" }],
      });
  });
  connection.onDidChangeWatchedFiles(() => {
    for (const document of documents.all()) schedule(document.uri);
  });

  documents.onDidChangeContent((change) => schedule(change.document.uri));
  documents.onDidClose((event) => {
    checked.delete(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  connection.onCodeAction(async (params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    let found = checked.get(document.uri);
    if (found?.version !== document.version) {
      found = toLsp(document, await settingsOf(document.uri));
      checked.set(document.uri, found);
    }
    const start = document.offsetAt(params.range.start);
    const end = document.offsetAt(params.range.end);
    const actions: CodeAction[] = [];
    for (const { diagnostic, fixes } of found.entries) {
      const from = document.offsetAt(diagnostic.range.start);
      const to = document.offsetAt(diagnostic.range.end);
      // The diagnostics at the range asked about (touching counts: a cursor just after a word).
      if (to < start || from > end) continue;
      for (const fix of fixes) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: fix.isPreferred,
          edit: {
            changes: {
              [document.uri]: [
                {
                  range: {
                    start: document.positionAt(fix.edit.start),
                    end: document.positionAt(fix.edit.end),
                  },
                  newText: fix.edit.newText,
                },
              ],
            },
          },
        });
      }
    }
    return actions;
  });

  connection.onHover(async (params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return null;
    const settings = await settingsOf(document.uri);
    const hover = hoverAt(document.getText(), document.offsetAt(params.position), {
      ...settings.options,
      ...(settings.schemaName ? { schemaName: settings.schemaName } : {}),
    });
    if (!hover) return null;
    return {
      contents: { kind: "markdown", value: hover.contents },
      range: { start: document.positionAt(hover.start), end: document.positionAt(hover.end) },
    };
  });

  connection.onDocumentFormatting((params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    const text = document.getText();
    // `oq fmt`'s layout; nothing when the query has syntax or structure errors.
    const { formatted } = format(text);
    if (formatted === undefined || formatted === text) return [];
    return [
      { range: { start: document.positionAt(0), end: document.positionAt(text.length) }, newText: formatted },
    ];
  });

  connection.onCompletion(async (params) => {
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    const settings = await settingsOf(document.uri);
    const offset = document.offsetAt(params.position);
    const { items, start, end } = completionsAt(document.getText(), offset, settings.options.fields);
    const range = { start: document.positionAt(start), end: document.positionAt(end) };
    return items.map(({ label, isField }) => ({
      label,
      kind: isField ? CompletionItemKind.Field : CompletionItemKind.Keyword,
      textEdit: { range, newText: label },
    }));
  });

  connection.languages.semanticTokens.on((params) => {
    const document = documents.get(params.textDocument.uri);
    const builder = new SemanticTokensBuilder();
    if (!document) return builder.build();
    for (const token of classifyTokens(document.getText())) {
      const start = document.positionAt(token.start);
      const end = document.positionAt(token.start + token.length);
      // LSP tokens do not cross lines (a keyword of two words could).
      if (end.line !== start.line) continue;
      builder.push(
        start.line,
        start.character,
        token.length,
        tokenTypes.indexOf(tokenTypeOf[token.tokenClass]),
        0,
      );
    }
    return builder.build();
  });

  connection.onShutdown(() => {
    shutdown = true;
    session.shutdownRequested = true;
  });
  connection.onExit(() => host.exit(shutdown ? 0 : 1));
  // The client went away without `exit`.
  reader.onClose(() => host.exit(shutdown ? 0 : 1));

  documents.listen(connection);
  connection.listen();
}
