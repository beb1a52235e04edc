/*
 * Advice that points outside the query, at a setting of whoever compiles it (a parameter's
 * value, the field schema, the plan's report limit), is described here without a host; each
 * host words it. The command line says `--param domain=...`, the REPL `.param domain=...`: a
 * diagnostic built from these words is right in the shell that shows it, by construction.
 */

export interface SettingWords {
  /** How to bind `$name` (OQ270), e.g. `--param domain=...`. */
  bindParam(name: string): string;
  /** How to give the list's custom fields (OQ212), as a clause after "custom list fields need a field schema: ". */
  fieldSchema: string;
  /** How to allow a plan more reports (OQ242), after "to allow more, ". */
  raiseMaxReports: string;
}

/** The command line's and the library's words: the default. */
export const commandLineSettingWords: SettingWords = {
  bindParam: (name) => `--param ${name}=...  (or the option params: { ${name}: ... })`,
  fieldSchema: "pass --schema FILE (oq fields pull writes one), set OQ_SCHEMA, or name it in oq.config.json",
  raiseMaxReports: "raise the limit (oq plan/run --max-reports N; the library's limits.maxReports)",
};
