/** `oq lsp`: the language server on standard input and output (src/lsp/). */
export async function lspCommand(): Promise<number> {
  const { startServer } = await import("../../lsp/server.js");
  // Standard output carries the protocol: a stray console.log would corrupt it.
  console.log = console.error;
  console.info = console.error;
  return new Promise<number>(() => {
    startServer({
      input: process.stdin,
      output: process.stdout,
      env: process.env,
      cwd: process.cwd(),
      exit: (status) => process.exit(status),
      log: (line) => process.stderr.write(`${line}\n`),
    });
  });
}
