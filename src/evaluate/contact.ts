/** A contact as the evaluator sees it: field values plus the memberships criteria can test. */
export interface EvaluationContact {
  /** Field values by name. Dates are Unix seconds; a missing or null value is empty. */
  fields: Readonly<Record<string, string | number | null | undefined>>;
  /** Ids of the segments the contact belongs to. */
  segments: ReadonlySet<string>;
  /** Ids of the mailings the contact was sent, opened and clicked. */
  mailings: {
    sent: ReadonlySet<string>;
    opened: ReadonlySet<string>;
    clicked: ReadonlySet<string>;
  };
}
