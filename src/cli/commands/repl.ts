import type { Host } from "../../app/host.js";
import { compileSettingsFor, type CompileFlags } from "../../app/compileSettings.js";
import { useColor } from "../useColor.js";

/** `oq repl`: the interactive shell (src/repl/). */
export async function replCommand(flags: CompileFlags & { sandbox?: boolean }, host: Host): Promise<number> {
  const settings = await compileSettingsFor(flags, host)("-");
  const { repl } = await import("../../repl/repl.js");
  return repl({
    settings,
    sandbox: flags.sandbox ?? false,
    color: useColor(flags, host),
    host,
    schemaFlag: flags.schema,
  });
}
