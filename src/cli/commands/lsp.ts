import type { Host } from "../../app/host.js";
/** `oq lsp`: the language server on standard input and output (src/lsp/). */
export async function lspCommand(host: Host): Promise<number> {
  const { startServer } = await import("../../lsp/server.js");
  // Standard output carries the protocol: a stray console.log would corrupt it.
  console.log = console.error;
  console.info = console.error;
  return new Promise<number>(() => {
    startServer({
      input: host.stdin,
      output: host.stdout,
      env: host.env,
      cwd: host.cwd(),
      exit: (status) => host.exit(status),
      log: (line) => host.stderr.write(`${line}\n`),
    });
  });
}
