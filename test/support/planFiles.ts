import fs from "node:fs";
import fsp, { type FileHandle } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { constants } from "node:os";
import { basename, dirname } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

/*
 * Watches, and can spoil, the files of a plan's temporary folder (`oq-plan-*`): each report's
 * CSV as it is downloaded there (`.report-N.csv.*.part`) and as the merge reads it
 * (`report-N.csv`), the partition files the merge spills rows to (`partition-N.bin`), and the
 * removal of the folder. Node's built-in modules give their named exports the values of their
 * object's properties on syncBuiltinESMExports, so src/'s `import { open } from
 * "node:fs/promises"` calls the watched one. Other files pass straight through.
 */

const inPlanFolder = /[/\\]oq-plan-[^/\\]+[/\\]([^/\\]+)$/;
const mergeFile = /^(?:report-\d+\.csv|partition-\d+\.bin)$/;
const download = /^\.report-\d+\.csv\.[^/\\]+\.part$/;

export interface PlanFiles {
  /**
   * What happened, in order: "read report-N.csv" as the merge opens a report's CSV; "open",
   * "write", "close" of a partition file; "ENOSPC" for a write refused; "rm" when the folder's
   * removal began.
   */
  readonly events: string[];
  /** The plan's temporary folder, once a file was written or opened in it. */
  readonly folder: string | undefined;
  restore(): void;
}

interface PlanFileFaults {
  /** Told as the merge opens a file, with its event ("read report-0.csv" first: the merge has begun). */
  onOpen?: (event: string) => void;
  /** Every file the merge opens after its first waits this long first (real ms): a slow disk. */
  slowOpenMs?: number;
  /** Writes to the merge's partition files fail as on a full disk (ENOSPC). */
  fullSpill?: boolean;
  /** Writes of the reports' downloads fail as on a full disk (ENOSPC). */
  fullDownloads?: boolean;
}

/** A full disk's answer to a write. */
function noSpace(): NodeJS.ErrnoException {
  return Object.assign(new Error("ENOSPC: no space left on device, write"), {
    errno: -constants.errno.ENOSPC,
    code: "ENOSPC",
    syscall: "write",
  });
}

/** Watches the temporary folders of the plans run until `restore`. */
export function watchPlanFiles(faults: PlanFileFaults = {}): PlanFiles {
  const original = { open: fsp.open, rm: fsp.rm, openSync: fs.openSync, writeSync: fs.writeSync };
  /** The downloads' temporary files, by descriptor, while `fullDownloads` spoils their writes. */
  const downloads = new Set<number>();
  const events: string[] = [];
  let folder: string | undefined;
  const open = async (...args: Parameters<typeof fsp.open>): Promise<FileHandle> => {
    const path = String(args[0]);
    const name = inPlanFolder.exec(path)?.[1];
    if (name === undefined || !mergeFile.test(name)) return original.open(...args);
    const partition = name.startsWith("partition-");
    const event = partition ? "open" : `read ${name}`;
    if (folder !== undefined && faults.slowOpenMs) await delay(faults.slowOpenMs);
    folder ??= dirname(path);
    events.push(event);
    faults.onOpen?.(event);
    const handle = await original.open(...args);
    if (!partition) return handle;
    const write = handle.write.bind(handle) as (...rest: unknown[]) => Promise<unknown>;
    const close = handle.close.bind(handle);
    Object.assign(handle, {
      write: async (...rest: unknown[]) => {
        events.push(faults.fullSpill ? "ENOSPC" : "write");
        if (faults.fullSpill) throw noSpace();
        return write(...rest);
      },
      close: async () => {
        await close();
        events.push("close");
      },
    });
    return handle;
  };
  // A download is written with openSync and writeSync (csvOutput.ts).
  const openSync = (...args: Parameters<typeof fs.openSync>): number => {
    const fd = original.openSync(...args);
    const path = String(args[0]);
    if (faults.fullDownloads && download.test(basename(path)) && inPlanFolder.test(path)) {
      folder ??= dirname(path);
      downloads.add(fd);
    }
    return fd;
  };
  const writeSync = ((fd: number, ...rest: unknown[]) => {
    if (!downloads.has(fd)) return (original.writeSync as (...all: unknown[]) => number)(fd, ...rest);
    events.push("ENOSPC");
    throw noSpace();
  }) as typeof fs.writeSync;
  const rm = async (...args: Parameters<typeof fsp.rm>): Promise<void> => {
    if (folder !== undefined && String(args[0]) === folder) events.push("rm");
    return original.rm(...args);
  };
  Object.assign(fsp, { open, rm });
  Object.assign(fs, { openSync, writeSync });
  syncBuiltinESMExports();
  return {
    events,
    get folder() {
      return folder;
    },
    restore() {
      Object.assign(fsp, { open: original.open, rm: original.rm });
      Object.assign(fs, { openSync: original.openSync, writeSync: original.writeSync });
      syncBuiltinESMExports();
    },
  };
}
