import { compileSettingsFor, type CompileFlags } from "../../app/compileSettings.js";
import { useColor } from "../useColor.js";

/** `oq repl`: the interactive shell (src/repl/). */
export async function replCommand(flags: CompileFlags & { sandbox?: boolean }): Promise<number> {
  const settings = await compileSettingsFor(flags, process.env)("-");
  const { repl } = await import("../../repl/repl.js");
  return repl({
    settings,
    sandbox: flags.sandbox ?? false,
    color: useColor(flags),
    input: process.stdin,
    env: process.env,
    schemaFlag: flags.schema,
  });
}
