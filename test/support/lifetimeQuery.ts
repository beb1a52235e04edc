/** The query of the tests of a report's lifetime (recovery, signals, deadlines): a long title, as users write. */
export const lifetimeQuery =
  'title "Weekly gmail openers for the marketing team"\nin segment 1234567890\nduring 120d\nselect email, ocx_status, opens, last_open_date\n';
