import { existsSync } from "node:fs";
import { join } from "node:path";
import { window, workspace, type ExtensionContext } from "vscode";
import { LanguageClient, TransportKind, type ServerOptions } from "vscode-languageclient/node";

/*
 * The whole extension: start the project's own `oq lsp` (so the editor checks with the oq
 * version, schema and settings the project's `oq check` uses) and restart it when `oq.path`
 * changes. Everything else (diagnostics, fixes, hover, formatting, completion, colours) is the
 * server's.
 */

let client: LanguageClient | undefined;

/** `oq.path`, else the first workspace folder's node_modules/.bin/oq, else `oq` on the PATH. */
function oqCommand(): string {
  const configured = workspace.getConfiguration("oq").get<string>("path");
  if (configured) return configured;
  for (const folder of workspace.workspaceFolders ?? []) {
    const local = join(
      folder.uri.fsPath,
      "node_modules",
      ".bin",
      process.platform === "win32" ? "oq.cmd" : "oq",
    );
    if (existsSync(local)) return local;
  }
  return "oq";
}

async function start(): Promise<void> {
  const command = oqCommand();
  const cwd = workspace.workspaceFolders?.[0]?.uri.fsPath;
  // TransportKind.stdio: the client adds --stdio, which `oq lsp` accepts.
  const server: ServerOptions = { command, args: ["lsp"], transport: TransportKind.stdio, options: { cwd } };
  // The server itself asks to watch oq.config.json and schema files (dynamic registration).
  client = new LanguageClient("oq", "oq", server, { documentSelector: [{ language: "oq" }] });
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    void window.showErrorMessage(
      `oq: could not start '${command} lsp' (${String(error)}). Install oq in the workspace (npm install oq) or set the oq.path setting.`,
    );
  }
}

export async function activate(context: ExtensionContext): Promise<void> {
  context.subscriptions.push(
    workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration("oq.path")) return;
      await client?.stop();
      await start();
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
