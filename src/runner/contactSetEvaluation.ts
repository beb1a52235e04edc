import type { ContactSet } from "../emit/planSchema.js";

/**
 * Compiles a plan's set expression into a function of a contact's membership (bit r set: the
 * contact is in report r's results) that answers the report the contact is taken from, or -1
 * when the contact is not in the set. The report taken: for a union, that of its first member
 * holding the contact; for an intersection, that of its first member; for a difference, that of
 * `from`. So the rows always come from a report whose results put the contact in the set.
 */
export function contactSetChooser(set: ContactSet): (membership: number) => number {
  switch (set.kind) {
    case "report": {
      const bit = 1 << set.report;
      const report = set.report;
      return (membership) => ((membership & bit) !== 0 ? report : -1);
    }
    case "union": {
      const members = set.of.map(contactSetChooser);
      return (membership) => {
        for (const member of members) {
          const report = member(membership);
          if (report >= 0) return report;
        }
        return -1;
      };
    }
    case "intersection": {
      const members = set.of.map(contactSetChooser);
      return (membership) => {
        let first = -1;
        for (const member of members) {
          const report = member(membership);
          if (report < 0) return -1;
          if (first < 0) first = report;
        }
        return first;
      };
    }
    case "difference": {
      const from = contactSetChooser(set.from);
      const minus = contactSetChooser(set.minus);
      return (membership) => (minus(membership) >= 0 ? -1 : from(membership));
    }
  }
}
