import { secondsPerDay, secondsPerHour } from "../language/vocabulary.js";
import type { EvaluationContact } from "../evaluate/contact.js";
import { pick, random01 } from "./random.js";

/*
 * The sandbox's contact list: deterministic for a seed and an anchor time, generated one contact
 * at a time. Every kind of criterion has contacts on both sides of it: several email domains,
 * all four statuses, empty and filled custom fields, segment members and non-members, and
 * mailings each contact was or was not sent, opened and clicked. docs/sandbox.md describes it.
 */

const sandboxDomains = [
  "gmail.com",
  "yahoo.com",
  "hotmail.com",
  "acme.com",
  "globex.com",
  "example.org",
] as const;
const sandboxFirstNames = [
  "Ann",
  "Bob",
  "Carla",
  "Dan",
  "Eve",
  "Farid",
  "Gus",
  "Hana",
  "Ivan",
  "Jo",
] as const;
const sandboxCities = ["Paris", "Berlin", "London", "Madrid", "Rome", "Tel Aviv"] as const;

/** The list's custom fields, as `GET /api/list_fields` reports them (and as examples/fields.json has them). */
export const sandboxCustomFields = {
  first_name: "string",
  city: "string",
  age: "numeric",
  birthday: "date",
  customer_id: "id",
} as const;

interface SegmentDefinition {
  id: string;
  name: string;
  contains: (contact: ContactRecord) => boolean;
}

/** A few segments with simple, documented membership rules. */
export const sandboxSegments: readonly SegmentDefinition[] = [
  { id: "1", name: "gmail users", contains: (c) => c.email.endsWith("@gmail.com") },
  { id: "2", name: "40 and over", contains: (c) => c.age !== null && c.age >= 40 },
  { id: "3", name: "every third contact", contains: (c) => c.index % 3 === 0 },
  { id: "4", name: "Paris or Berlin", contains: (c) => c.city === "Paris" || c.city === "Berlin" },
  {
    id: "77",
    name: "VIP",
    contains: (c) => (c.age !== null && c.age >= 50) || c.email.endsWith("@acme.com"),
  },
  { id: "1234567890", name: "every other contact", contains: (c) => c.index % 2 === 0 },
];

interface Mailing {
  id: string;
  /** Unix seconds. */
  sentAt: number;
}

type ActivityKind = "sent" | "open" | "click";

interface ActivityEvent {
  mailingId: string;
  kind: ActivityKind;
  /** Unix seconds. */
  at: number;
  /** When the mailing went out (Unix seconds), for the average time to open or click. */
  mailingSentAt: number;
}

export interface ContactRecord {
  index: number;
  id: number;
  email: string;
  ocx_status: "active" | "unsubscribed" | "bounced" | "complaint";
  ocx_created_date: number;
  ocx_unsubscribe_date: number | null;
  ocx_resubscribe_date: number | null;
  ocx_bounce_date: number | null;
  ocx_complaint_date: number | null;
  ocx_import_id: number;
  first_name: string;
  city: string;
  age: number | null;
  birthday: number | null;
  customer_id: number | null;
  events: ActivityEvent[];
}

/**
 * A list of at most this many contacts keeps them once made (a few MB); a larger one makes each
 * contact again when asked, so that a sandbox of millions stays small.
 */
const keptContactsAtMost = 20_000;
/** The windows a list that keeps its contacts remembers them over (what criteria see). */
const rememberedWindows = 4;

/** The contacts a sandbox generates unless told otherwise: `oq sandbox`'s and the playground's. */
export const sandboxDefaults = { contacts: 2000, seed: 1 } as const;

interface ContactListOptions {
  contacts: number;
  seed: number;
  /** The data's "now" (Unix seconds): created dates and mailings lie before it. */
  anchor: number;
}

export class ContactList {
  readonly mailings: Mailing[];

  constructor(readonly options: ContactListOptions) {
    this.#kept = options.contacts <= keptContactsAtMost ? [] : undefined;
    // Mailings 1-4 and 1001-1006, spread over the 120 days before the anchor.
    const ids = ["1", "2", "3", "4", "1001", "1002", "1003", "1004", "1005", "1006"];
    this.mailings = ids.map((id, k) => ({
      id,
      sentAt: options.anchor - Math.round((k + 0.5) * 12 * secondsPerDay) + 9 * secondsPerHour,
    }));
  }

  get size(): number {
    return this.options.contacts;
  }

  /**
   * A contact as criteria see it over a report's window (evaluationContact): the same object
   * each time (do not change it). A list that keeps its contacts remembers this too, for the
   * last few windows: each report reads every contact again, mostly over the same window (the
   * playground's on every keystroke; the tests' hundreds of reports).
   */
  seenIn(contact: ContactRecord, window: Window): EvaluationContact {
    if (!this.#kept) return evaluationContact(contact, window);
    const key = `${window.from} ${window.to}`;
    let seen = this.#seen.get(key);
    if (!seen) {
      if (this.#seen.size >= rememberedWindows) this.#seen.delete(this.#seen.keys().next().value!);
      this.#seen.set(key, (seen = []));
    }
    return (seen[contact.index] ??= evaluationContact(contact, window));
  }

  /** Small lists (the tests', a demo's) keep their contacts: each report reads them all again. */
  readonly #kept: ContactRecord[] | undefined;
  /** What criteria see of the kept contacts, by window ("from to"), oldest first. */
  readonly #seen = new Map<string, EvaluationContact[]>();

  /** The contact at `index`: the same record each time (do not change it). */
  contact(index: number): ContactRecord {
    const kept = this.#kept?.[index];
    if (kept) return kept;
    const contact = this.#generate(index);
    if (this.#kept) this.#kept[index] = contact;
    return contact;
  }

  #generate(index: number): ContactRecord {
    const { seed, anchor } = this.options;
    const r = (k: number) => random01(seed, index, k);
    const first = pick(sandboxFirstNames, r(1));
    const domain = pick(sandboxDomains, r(2));
    const statusRoll = r(3);
    const ocx_status =
      statusRoll < 0.8
        ? "active"
        : statusRoll < 0.9
          ? "unsubscribed"
          : statusRoll < 0.96
            ? "bounced"
            : "complaint";
    const created = anchor - Math.floor(r(4) * 720 * secondsPerDay);
    const sinceCreated = anchor - created;
    const between = (k: number) => created + Math.floor(r(k) * sinceCreated);
    const resubscribed = ocx_status === "active" && r(5) < 0.15;
    const contact: ContactRecord = {
      index,
      id: 100_000 + index,
      email: `${first.toLowerCase()}.${index}@${domain}`,
      ocx_status,
      ocx_created_date: created,
      ocx_unsubscribe_date: ocx_status === "unsubscribed" || resubscribed ? between(6) : null,
      ocx_resubscribe_date: null,
      ocx_bounce_date: ocx_status === "bounced" ? between(7) : null,
      ocx_complaint_date: ocx_status === "complaint" ? between(8) : null,
      ocx_import_id: 1 + Math.floor(r(9) * 5),
      first_name: r(10) < 0.1 ? "" : first,
      city: r(11) < 0.15 ? "" : pick(sandboxCities, r(12)),
      age: r(13) < 0.1 ? null : 18 + Math.floor(r(14) * 63),
      birthday:
        r(15) < 0.2
          ? null
          : Date.UTC(1950 + Math.floor(r(16) * 55), Math.floor(r(17) * 12), 1 + Math.floor(r(18) * 28)) /
            1000,
      customer_id: r(19) < 0.3 ? null : 1 + Math.floor(r(20) * 9999),
      events: [],
    };
    if (resubscribed && contact.ocx_unsubscribe_date !== null) {
      contact.ocx_resubscribe_date =
        contact.ocx_unsubscribe_date + Math.floor(r(21) * (anchor - contact.ocx_unsubscribe_date));
    }
    this.mailings.forEach((mailing, m) => {
      const rm = (k: number) => random01(seed, index, 100 + m * 8 + k);
      if (mailing.sentAt < created || rm(0) > 0.75) return;
      if (
        contact.ocx_unsubscribe_date !== null &&
        contact.ocx_resubscribe_date === null &&
        contact.ocx_unsubscribe_date < mailing.sentAt
      )
        return;
      const event = (kind: ActivityKind, at: number) =>
        contact.events.push({ mailingId: mailing.id, kind, at, mailingSentAt: mailing.sentAt });
      event("sent", mailing.sentAt);
      if (ocx_status === "bounced" || rm(1) > 0.45) return;
      const opened = mailing.sentAt + 60 + Math.floor(rm(2) * 3 * secondsPerDay);
      event("open", opened);
      if (rm(3) < 0.25) event("open", opened + Math.floor(rm(4) * secondsPerDay));
      if (rm(5) < 0.35) event("click", opened + 30 + Math.floor(rm(6) * 600));
    });
    contact.events.sort((a, b) => a.at - b.at);
    return contact;
  }
}

export interface Window {
  from: number;
  to: number;
}

/** The activity aggregation fields of a contact over a report's window. */
function activityIn(contact: ContactRecord, window: Window) {
  let sent = 0;
  let opens = 0;
  let clicks = 0;
  let lastSent: number | null = null;
  let lastOpen: number | null = null;
  let lastClick: number | null = null;
  let openDelay = 0;
  let clickDelay = 0;
  for (const event of contact.events) {
    if (event.at < window.from || event.at > window.to) continue;
    const delay = event.at - event.mailingSentAt;
    if (event.kind === "sent") {
      sent++;
      lastSent = event.at;
    } else if (event.kind === "open") {
      opens++;
      openDelay += delay;
      lastOpen = event.at;
    } else {
      clicks++;
      clickDelay += delay;
      lastClick = event.at;
    }
  }
  return {
    sent,
    opens,
    clicks,
    last_sent_date: lastSent,
    last_open_date: lastOpen,
    last_click_date: lastClick,
    avg_open_time: opens > 0 ? Math.round(openDelay / opens) : null,
    avg_click_time: clicks > 0 ? Math.round(clickDelay / clicks) : null,
  };
}

/** A contact as criteria see it for a report window: list fields, activity, segments, mailings. */
export function evaluationContact(contact: ContactRecord, window: Window): EvaluationContact {
  const { events, index, ...fields } = contact;
  void events;
  void index;
  const { segments, mailings } = membershipsOf(contact);
  return { fields: { ...fields, ...activityIn(contact, window) }, segments, mailings };
}

/** What a contact belongs to whatever the window: made once per record (kept records are read again and again). */
const memberships = new WeakMap<ContactRecord, Pick<EvaluationContact, "segments" | "mailings">>();

function membershipsOf(contact: ContactRecord): Pick<EvaluationContact, "segments" | "mailings"> {
  let known = memberships.get(contact);
  if (known) return known;
  const segments = new Set(
    sandboxSegments.filter((segment) => segment.contains(contact)).map((segment) => segment.id),
  );
  const mailings = { sent: new Set<string>(), opened: new Set<string>(), clicked: new Set<string>() };
  for (const event of contact.events) {
    (event.kind === "sent" ? mailings.sent : event.kind === "open" ? mailings.opened : mailings.clicked).add(
      event.mailingId,
    );
  }
  memberships.set(contact, (known = { segments, mailings }));
  return known;
}
