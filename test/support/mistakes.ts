/*
 * A corpus of the mistakes people new to oq make, for the test that every fix oq offers is right
 * when applied (test/fixGate.test.ts). Written from what analysts typed in a cold test: SQL and
 * spreadsheet habits, natural language, typos of fields and keywords, quotes of every kind,
 * dates as people write them. Each entry is one query with at least one mistake; the fields are
 * the built-in ones and those of test/golden/fields.json.
 */

export interface Mistake {
  /** What kind of habit it comes from, for the test's names. */
  habit: string;
  text: string;
}

/** Fields by type, as the golden schema and the built-in catalog have them. */
const textFields = ["email", "first_name", "city", "ocx_status"];
const numberFields = ["opens", "clicks", "sent", "age"];
const dateFields = ["last_open_date", "ocx_created_date", "birthday"];

const sqlHabits = (field: string): string[] => [
  `${field} LIKE '%gmail%'`,
  `${field} like "%gmail%"`,
  `${field} LIKE "gmail%"`,
  `${field} = '%@gmail.com'`,
  `${field} contains "*gmail*"`,
  `${field} ends "%gmail.com"`,
  `${field} starts "john_"`,
  `${field} <> "x"`,
  `${field} == "x"`,
  `${field} IS NULL`,
  `${field} is null`,
  `${field} IS NOT NULL`,
  `${field} NOT IN ("a", "b")`,
  `${field} IN ('a', 'b')`,
  `${field} in ("a", "b")`,
  `${field} != 'x'`,
  `${field} = "x" AND opens > 3 ORDER BY opens`,
  `${field} = "x" LIMIT 100`,
  `${field} = "x" select ${field} where opens > 1`,
  `SELECT ${field} WHERE ${field} = "x"`,
  `${field} = "x" && opens > 1`,
  `${field} = "x" || opens > 1`,
  `!(${field} = "x")`,
  `${field} ~ "x"`,
  `${field} = x`,
];

const numberHabits = (field: string): string[] => [
  `${field} >= '3'`,
  `${field} > "3"`,
  `${field} => 3`,
  `${field} =< 3`,
  `${field} > 3 order by ${field}`,
  `${field} > 3 order by ${field} desc limit 10`,
  `count(*) > 3`,
  `count(${field}) > 3`,
  `${field} > three`,
  `${field} > 1,000`,
  `${field} > 1e3`,
  `${field} between 1 to 5`,
  `${field} between 1 - 5`,
  `${field} > 3 and < 5`,
  `${field} > clicks`,
  `${field} = null`,
  `${field} > 30d`,
  `${field} > -`,
  `${field} IS NOT NULL`,
  `${field} in (1, 2, 3)`,
  `${field} > 3;`,
  `${field} >= 3 AND`,
  `${field} >= 3 and and clicks > 1`,
];

const dateHabits = (field: string): string[] => [
  `${field} > '2026-11-01'`,
  `${field} > "2026-11-01"`,
  `${field} > 11/01/2026`,
  `${field} > 2026-10`,
  `${field} > 1 Nov 2026`,
  `${field} > 2026/11/01`,
  `${field} > 01.11.2026`,
  `${field} > 2026-11-31`,
  `${field} > 2026-13-01`,
  `${field} > last 30 days`,
  `${field} in the last week`,
  `${field} within 30 days`,
  `${field} > now() - 7d`,
  `${field} > now - 7d`,
  `${field} > today - 7`,
  `${field} > 30 days ago`,
  `${field} > 7 day ago`,
  `${field} > yesterday()`,
  `${field} > 2026-11-01T25:00:00Z`,
  `${field} >= 2026-11-10 and ${field} <= 2026-11-30`,
  `${field} between 2026-11-10 and 2026-11-30`,
  `${field} > 2026-11-01 10:00`,
  `${field} is null`,
];

const quoteHabits = (field: string): string[] => [
  `${field} ends “gmail.com”`,
  `${field} ends ‘gmail.com’`,
  `${field} ends 'gmail.com'`,
  `${field} ends gmail.com`,
  `${field} ends "gmail.com`,
  `${field} ends \`gmail.com\``,
  `${field} ends «gmail.com»`,
  `${field} = "it"s"`,
  `${field} = "a\\qb"`,
  `${field} ends "gmail.com"" and opens > 1`,
];

const typoHabits: string[] = [
  `emial ends "gmail.com"`,
  `email end "gmail.com"`,
  `email ending "gmail.com"`,
  `email endswith "gmail.com"`,
  `email ends_with "gmail.com"`,
  `email contain "gmail"`,
  `email containss "gmail"`,
  `email start "john"`,
  `email starts with "john"`,
  `email begins "john"`,
  `opns > 3`,
  `open > 3`,
  `opened > 3`,
  `click > 3`,
  `status = "active"`,
  `last_opened > 2026-11-01`,
  `last_open > 2026-11-01`,
  `date > 2026-11-01`,
  `created > 2026-11-01`,
  `firstname = "Ann"`,
  `first-name = "Ann"`,
  `First_Name = "Ann"`,
  `cty = "Paris"`,
  `opens > 3 adn clicks > 1`,
  `opens > 3 annd clicks > 1`,
  `opens > 3 or clicks > 1 durring 30d`,
  `opens > 3 dring 30d`,
  `opens > 3 selct email`,
  `opens > 3 select emial`,
  `opens > 3 select email opens`,
  `opens > 3 select email,, opens`,
  `opens > 3 select email, opens,`,
  `opens > 3 during 30 d`,
  `opens > 3 during 30days`,
  `opens > 3 during thirty days`,
  `opens > 3 during 30`,
  `opens > 3 during last 30 days`,
  `opens > 3 during the last 30 days`,
  `opens > 3 users activ`,
  `opens > 3 users inactive`,
  `opens > 3 users everyone`,
  `opens > 3 tittle "x"`,
  `opens > 3 title x`,
  `opens > 3 title 'x'`,
  `opens > 3 favourite`,
  `opens > 3 flags include_behaviour`,
  `opens > 3 flags combined_as_and = maybe`,
  `in segment abc`,
  `in segmnet 5`,
  `segment = 5`,
  `segment 5`,
  `in segments [1, 2]`,
  `opened campaign "spring"`,
  `opened campaing 5`,
  `open campaign 5`,
  `clicked campaign`,
  `not opened campaign [1 2]`,
  `opens > 3 and (clicks > 1`,
  `opens > 3 and clicks > 1)`,
  `(opens > 3 or clicks > 1`,
  `opens > 3 and [clicks > 1]`,
  `opens > 3 and not`,
  `not not opens > 3`,
  `opens > 3 but clicks > 1`,
  `opens > 3 & clicks > 1`,
  `opens > 3 | clicks > 1`,
  `opens > 3, clicks > 1`,
  `opens > 3 then clicks > 1`,
  `opens more than 3`,
  `opens greater than 3`,
  `opens at least 3`,
  `opens is 3`,
  `opens equals 3`,
  `opens is not 3`,
  `email is "a@b.com"`,
  `email is not "a@b.com"`,
  `email is empty or`,
  `email empty`,
  `email not empty`,
  `email isnt empty`,
  `email case-sensitive = "A@b.com"`,
  `email = "A@b.com" case-sensitive`,
  `email = "A@b.com" case sensitive`,
  `email = "A@b.com" casesensitive`,
  `id = 05`,
  `id = -5`,
  `id = 5.0`,
  `customer_id = "abc"`,
  `during 30d`,
  `select email`,
  ``,
  `# just a comment`,
  `opens > 3 # and`,
  `opens > 3 // note`,
  `opens > 3 -- note`,
  `opens > 3 /* note */`,
  `where opens > 3`,
  `WHERE opens > 3 AND clicks > 1`,
  `find contacts where opens > 3`,
  `contacts who opened more than 3 times`,
  `opens > 3 and clicks > 1 or sent > 5`,
  `email ends "gmail.com" or email ends "yahoo.com" and opens > 3`,
  `opens > $n`,
  `opens > $`,
  `param n = 3 opens > $m`,
];

/** Every mistake of the corpus (at least 300). */
export function typicalMistakes(): Mistake[] {
  const mistakes: Mistake[] = [];
  const add = (habit: string, texts: readonly string[]) => {
    for (const text of texts) mistakes.push({ habit, text });
  };
  for (const field of textFields) add(`sql-text-${field}`, sqlHabits(field));
  for (const field of numberFields) add(`sql-number-${field}`, numberHabits(field));
  for (const field of dateFields) add(`date-${field}`, dateHabits(field));
  for (const field of ["email", "city"]) add(`quotes-${field}`, quoteHabits(field));
  add("typos", typoHabits);
  // Once more with clauses around them, where the mistake sits mid-query.
  add(
    "in-context",
    typoHabits.slice(0, 40).map((text) => `title "Check"\n${text}\nduring 30d\nselect email, opens`),
  );
  return mistakes;
}
