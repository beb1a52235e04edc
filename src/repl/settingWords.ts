import type { SettingWords } from "../diagnostics/settingWords.js";

/**
 * How advice names a setting inside the REPL: its dot commands, not the command line's flags
 * (diagnostics/settingWords.ts describes the settings; each shell words them).
 */
export const replSettingWords: SettingWords = {
  bindParam: (name) => `.param ${name}=...  (.param ${name}:=JSON for a number or a list)`,
  fieldSchema: ".schema FILE (oq fields pull writes one)",
  raiseMaxReports: "run it outside the REPL with oq plan/run --max-reports N",
};
