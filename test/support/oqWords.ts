/**
 * Words and symbols of oq, some near-misses (foreign operators, odd quotes, comments) and a few
 * values: the one vocabulary the property tests build random token sequences and mutations
 * from.
 */
export const oqWords = [
  "email", "opens", "ends", "starts", "begins", "with", "contains", "not", "and", "or", "(", ")", "[", "]", ",", "=", "!=", "<", "<=", ">", ">=",
  "is", "empty", "between", "in", "segment", "campaign", "opened", "sent", "during", "last", "30d", "2w", "ago", "select", "users", "active",
  "title", "favorite", "where", '"gmail.com"', '"a\\"b"', "3", "-2", "1.5", "2024-01-31", "2024-01-31T10:00Z", "case", "sensitive",
  "insensitive", "#", "#c\n", "\n", '"', "`", "`f`", "``", "'", "'x'", "&&", "==", "<>", "!", "1e5", "`title`",
  "3mo", "3 months", "days", "1Y", "2 Weeks", "today", "Yesterday", "now", "-", "*", "//c\n", "--", "é", "limit",
];
