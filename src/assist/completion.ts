import { builtinFields, type CustomFields } from "../check/fieldCatalog.js";
import type { FieldType } from "../language/vocabulary.js";
import { nextTokenKinds, type NextToken } from "../parser/contentAssist.js";
import { keywordOf, keywordSpellings, type KeywordName } from "../language/keywords.js";
import { campaignActions, userTypes } from "../language/vocabulary.js";
import { requestFlagNames } from "../check/checkedQuery.js";
import { meaningOf, operatorsByType } from "../check/operators.js";
import { operatorsStartedBy, startsOperator } from "../parser/operators.js";

/*
 * Tab completion: the grammar says which tokens may come next (parser/contentAssist.ts); this
 * file turns them into words, using the field catalog for names and the operator table for
 * what a field's type allows.
 */

/** The fields a query may name: the built-in ones, then the schema's custom ones. */
export function fieldTypes(custom: CustomFields | undefined): Map<string, FieldType> {
  const fields = new Map<string, FieldType>(builtinFields.map((field) => [field.name, field.type]));
  // A custom field cannot change the type of a built-in one (as in the compiler's catalog).
  for (const [name, type] of Object.entries(custom ?? {})) if (!fields.has(name)) fields.set(name, type);
  return fields;
}

/** The word being typed at the end of `text`: a name, a backquoted name or an operator's characters. */
function wordAtEnd(text: string): string {
  const quoted = /`[^`\n]*$/.exec(text);
  if (quoted && (text.slice(0, quoted.index).split("`").length - 1) % 2 === 0) return quoted[0];
  return /[A-Za-z_][A-Za-z0-9_]*$|[<>=!]+$/.exec(text)?.[0] ?? "";
}

/** Inside an open "string" or after a `#` comment: nothing to complete. */
function inStringOrComment(line: string): boolean {
  let quote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === '"') quote = false;
    } else if (c === '"') quote = true;
    else if (c === "#") return true;
  }
  return quote;
}

/** A field's name as a candidate writes it, without its backquotes. */
function unquoted(candidate: string): string {
  return candidate.startsWith("`") ? candidate.slice(1, -1) : candidate;
}

function printField(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && keywordOf(name) === undefined ? name : `\`${name}\``;
}

/**
 * Whether a field of this type takes an operator this token begins (after `not` when `negated`),
 * as the checker decides it: the operators the parser assembles from the token
 * (parser/operators.ts), each read as the Ongage operator it stands for, in the type's row of
 * the operator table (check/operators.ts). A token that begins no operator the parser knows is
 * offered nowhere.
 */
function operatorAllowed(type: FieldType, next: NextToken, negated: boolean): boolean {
  return operatorsStartedBy(next.kind, negated).some((operator) =>
    operatorsByType[type].includes(meaningOf(operator).operator),
  );
}

/** The words one expected token stands for. */
function wordsFor(
  next: NextToken,
  context: {
    fields: Map<string, FieldType>;
    field: FieldType | undefined;
    negated: boolean;
    quoted: boolean;
  },
): string[] {
  if (next.kind === "Identifier" || next.kind === "QuotedIdentifier") {
    if (next.rule === "field") {
      if (next.kind === "QuotedIdentifier" || context.quoted)
        return context.quoted ? [...context.fields.keys()].map((name) => `\`${name}\``) : [];
      return [...context.fields.keys()].map(printField);
    }
    if (next.rule === "behavioralTest") return [...campaignActions];
    if (next.rule === "usersClause") return [...userTypes];
    if (next.rule === "flagsClause") return [...requestFlagNames];
    return [];
  }
  if (context.quoted) return [];
  if (next.rule === "compareOperator" || next.rule === "comparisonTail") {
    if (context.field !== undefined && !operatorAllowed(context.field, next, context.negated)) return [];
  }
  if (next.kind in keywordSpellings) return [...keywordSpellings[next.kind as KeywordName]];
  return next.spelling === undefined ? [] : [next.spelling];
}

/** A keyword as the user is typing it: `AN` becomes `AND`, `an` and `An` become `and`. */
function inCaseOf(word: string, keyword: string): string {
  return word.length > 0 && word === word.toUpperCase()
    ? keyword.toUpperCase()
    : word + keyword.slice(word.length);
}

/** The type of the field in the comparison the text ends in (`opens >= 3` → numeric), if known. */
function comparedField(
  tokens: { kind: string; text: string }[],
  fields: Map<string, FieldType>,
): FieldType | undefined {
  for (let i = tokens.length - 1; i >= 0; i--) {
    // `in segment 5`, `opened campaign [1, 2]`: ids.
    if (tokens[i]!.kind === "Segment" || tokens[i]!.kind === "Campaign") return "id";
    // The operator itself: `not` is looked past, to the field before it.
    if (!startsOperator(tokens[i]!.kind) || tokens[i]!.kind === "Not") continue;
    const field = tokens[i - 1]?.kind === "Not" ? tokens[i - 2] : tokens[i - 1];
    if (field?.kind === "Identifier") return fields.get(field.text);
    if (field?.kind === "QuotedIdentifier") return fields.get(field.text.slice(1, -1));
    return undefined;
  }
  return undefined;
}

/** The fields of the `select` list the text ends in (`select email, opens,`), if it does. */
function selectedFields(tokens: { kind: string; text: string }[]): Set<string> | undefined {
  const names = new Set<string>();
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i]!;
    if (token.kind === "Select") return names;
    if (token.kind === "Identifier") names.add(token.text);
    else if (token.kind === "QuotedIdentifier") names.add(token.text.slice(1, -1));
    else if (token.kind !== "Comma") return undefined;
  }
  return undefined;
}

/** The tokens after which a `[list]` is what usually comes: `in`, `campaign`, `segment`. */
const listAfter = new Set(["In", "Campaign", "Segment"]);

interface Completion {
  /** The candidates, each a whole replacement for `word`. */
  candidates: string[];
  /** The word at the cursor that the candidates replace. */
  word: string;
}

/**
 * What may be written at the end of `before` (the query so far, up to the cursor). The word
 * being typed is completed from the text before it; keywords in any case, names exactly.
 */
export function complete(before: string, custom: CustomFields | undefined): Completion {
  const line = before.slice(before.lastIndexOf("\n") + 1);
  const word = wordAtEnd(before);
  if (inStringOrComment(line.slice(0, line.length - word.length))) return { candidates: [], word };
  // A parameter's name is the user's own word: nothing of the language to offer after `$`.
  if (before.slice(0, before.length - word.length).endsWith("$")) return { candidates: [], word };
  const assist = nextTokenKinds(before.slice(0, before.length - word.length));
  const fields = fieldTypes(custom);
  const tokens = assist.tokens;
  const last = tokens.at(-1);
  const negated = last?.kind === "Not";
  const fieldToken = negated ? tokens.at(-2) : last;
  const fieldName =
    fieldToken?.kind === "Identifier"
      ? fieldToken.text
      : fieldToken?.kind === "QuotedIdentifier"
        ? fieldToken.text.slice(1, -1)
        : undefined;
  const isAction = fieldName !== undefined && (campaignActions as readonly string[]).includes(fieldName);
  const context = {
    fields,
    field: fieldName === undefined ? undefined : fields.get(fieldName),
    negated,
    quoted: word.startsWith("`"),
  };
  const compared = comparedField(tokens, fields);
  const selected = selectedFields(tokens);
  const candidates = new Set<string>();
  for (const next of assist.next) {
    // `case sensitive` is for text: not after a number or a date.
    if (next.kind === "Case" && compared !== undefined && compared !== "string" && compared !== "email")
      continue;
    // `opened campaign 5`: only after a campaign action; and an action is not a field.
    if (next.kind === "Campaign" && !isAction) continue;
    // Only values of the compared field's type: `today` is a date; a list where `in` takes one.
    if (next.kind === "DayWord" && compared !== undefined && compared !== "date") continue;
    if (next.kind === "LBracket" && next.rule === "valueOrList" && !listAfter.has(last?.kind ?? "")) continue;
    if (isAction && (next.rule === "compareOperator" || next.rule === "comparisonTail") && !context.field)
      continue;
    let words = wordsFor(next, context);
    // A field already in the select list is not offered again.
    if (next.rule === "selectClause" || next.rule === "field")
      if (selected !== undefined) words = words.filter((candidate) => !selected.has(unquoted(candidate)));
    // With nothing typed, a keyword's first spelling; its other spellings once they are being typed.
    // (`today` and `yesterday` are two values, not two spellings of one.)
    const offered =
      word === "" && next.kind in keywordSpellings && next.kind !== "DayWord" ? words.slice(0, 1) : words;
    for (const candidate of offered) {
      const isKeyword = next.kind in keywordSpellings;
      if (isKeyword ? candidate.startsWith(word.toLowerCase()) : candidate.startsWith(word))
        candidates.add(isKeyword ? inCaseOf(word, candidate) : candidate);
    }
  }
  return { candidates: [...candidates], word };
}
