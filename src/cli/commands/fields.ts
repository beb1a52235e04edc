import type { Host } from "../../app/host.js";
import { relative } from "node:path";
import { builtinFields } from "../../check/fieldCatalog.js";
import { fieldTypes, type FieldType } from "../../language/vocabulary.js";
import { connect, type ConnectionFlags } from "../../app/connection.js";
import { exitCodes } from "../../app/exitCodes.js";
import { writeFileAtomically } from "../writeFile.js";
import { outputFile } from "../../app/outputPath.js";
import { terminalLine } from "../../app/terminalText.js";

const builtin = new Set(builtinFields.map((field) => field.name));

/** `oq fields pull`: GET /api/list_fields -> the field schema file the compiler reads. */
export async function pullFields(options: ConnectionFlags & { out: string }, host: Host): Promise<number> {
  // Checked before any call: a bad --out is a usage error.
  const path = options.out === "-" ? "-" : outputFile("--out", options.out, "fields.json");
  const client = await connect(options, host.env, host.cwd());
  const listed = await client.listFields();
  // Field names and types are the server's words: every line passes the client's door.
  const say = terminalLine(client.redaction);
  const fields: Record<string, FieldType> = {};
  for (const field of listed) {
    if (builtin.has(field.name)) continue;
    const type = field.type.toLowerCase();
    if ((fieldTypes as readonly string[]).includes(type)) fields[field.name] = type as FieldType;
    else
      host.stderr.write(
        say`oq: skipping ${field.name}: its type '${field.type}' is not one oq knows (${fieldTypes.join(", ")})\n`,
      );
  }
  const text = `${JSON.stringify({ fields }, null, 2)}\n`;
  // The schema file is data, as the server gave it (the compiler reads its names): bytes, not a message.
  if (path === "-") host.stdout.write(Buffer.from(text));
  else {
    try {
      writeFileAtomically(path, text);
    } catch (error) {
      host.stderr.write(
        say`oq: could not write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
      );
      return exitCodes.failed;
    }
    const shown = relative(host.cwd(), path) || path;
    host.stderr.write(
      say`wrote ${Object.keys(fields).length} custom fields to ${shown}; name it in oq.config.json ("schema": "${shown}") or pass --schema\n`,
    );
  }
  return exitCodes.ok;
}
