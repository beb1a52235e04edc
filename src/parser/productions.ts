/*
 * The grammar as data: the productions chevrotain records from grammar.ts (its GAST, written to
 * grammarTables.generated.ts by `npm run cst:update`), and the questions chevrotain's recovery
 * asks of them, answered as chevrotain's walkers answer them (its first.js, rest.js and
 * interpreter.js), so that the recognizer (recognizer.ts) recovers from a mistake as chevrotain
 * does. recognizer.test.ts compares the answers with chevrotain's own.
 */

export type Production =
  | { type: "Terminal"; name: string; idx: number }
  | { type: "NonTerminal"; name: string; idx: number }
  | { type: "Option"; idx: number; definition: Production[] }
  | Repetition
  | SeparatedRepetition
  | { type: "Alternation"; idx: number; definition: Alternative[] }
  | Alternative;

export interface Repetition {
  type: "Repetition";
  idx: number;
  definition: Production[];
}

export interface SeparatedRepetition {
  type: "RepetitionMandatoryWithSeparator";
  idx: number;
  separator: string;
  definition: Production[];
}

interface Alternative {
  type: "Alternative";
  definition: Production[];
}

export type Rules = Record<string, Production[]>;

/** The token types that can start `production` (chevrotain's `first`). */
function first(production: Production, rules: Rules): string[] {
  switch (production.type) {
    case "Terminal":
      return [production.name];
    case "NonTerminal":
      return firstOfSequence(rules[production.name]!, rules);
    case "Alternation":
      return unique(production.definition.flatMap((alternative) => first(alternative, rules)));
    default:
      return firstOfSequence(production.definition, rules);
  }
}

/** The first of a sequence: of each element, up to the first that cannot be left out. */
function firstOfSequence(sequence: readonly Production[], rules: Rules): string[] {
  const result: string[] = [];
  for (const production of sequence) {
    result.push(...first(production, rules));
    if (!isOptional(production, rules)) break;
  }
  return unique(result);
}

/** Whether `production` can match nothing (chevrotain's `isOptionalProd`). */
function isOptional(production: Production, rules: Rules, visited: Production[] = []): boolean {
  switch (production.type) {
    case "Option":
    case "Repetition":
      return true;
    case "Terminal":
      return false;
    case "Alternation":
      return production.definition.some((alternative) => isOptional(alternative, rules, visited));
    case "NonTerminal":
      if (visited.includes(production)) return false;
      visited.push(production);
      return rules[production.name]!.every((inner) => isOptional(inner, rules, visited));
    default:
      return production.definition.every((inner) => isOptional(inner, rules, visited));
  }
}

const unique = (names: string[]) => [...new Set(names)];

/**
 * chevrotain's RestWalker: visits each production of `sequence` with what can come after it
 * (`rest`: the rest of its own sequence, then what came after the sequence). A repetition's
 * body is followed by another optional round of it (after the separator, for one with a
 * separator). `visit` returns true to stop going into a production.
 */
function walkRests(
  sequence: readonly Production[],
  after: readonly Production[],
  visit: (production: Production, rest: Production[]) => boolean,
): void {
  sequence.forEach((production, index) => {
    const rest = [...sequence.slice(index + 1), ...after];
    if (visit(production, rest)) return;
    switch (production.type) {
      case "Alternative":
      case "Option":
        walkRests(production.definition, rest, visit);
        break;
      case "Repetition":
        walkRests(
          production.definition,
          [{ type: "Option", idx: 0, definition: production.definition }, ...rest],
          visit,
        );
        break;
      case "RepetitionMandatoryWithSeparator": {
        const again: Production = {
          type: "Option",
          idx: 0,
          definition: [{ type: "Terminal", name: production.separator, idx: 0 }, ...production.definition],
        };
        walkRests(production.definition, [again, ...rest], visit);
        break;
      }
      case "Alternation":
        for (const alternative of production.definition) walkRests([alternative], rest, visit);
        break;
    }
  });
}

/**
 * The token types that can come after the terminal `token` (its occurrence `occurrence`) of the
 * rule at the end of `ruleStack`, reached through the rule calls of `ruleStack` with the
 * occurrences of `occurrenceStack` (chevrotain's NextAfterTokenWalker, for single-token insertion).
 */
export function nextPossibleTokenTypes(
  rules: Rules,
  ruleStack: readonly string[],
  occurrenceStack: readonly number[],
  token: string,
  occurrence: number,
): string[] {
  // chevrotain walks the path's rules from the first, seeking each next rule call in turn.
  let level = 1;
  let seekingTerminal = ruleStack.length === 1;
  let found: string[] | undefined;
  const walk = (sequence: readonly Production[], after: readonly Production[]) =>
    walkRests(sequence, after, (production, rest) => {
      if (found) return true;
      if (production.type === "Terminal") {
        if (seekingTerminal && production.name === token && production.idx === occurrence)
          found = firstOfSequence(rest, rules);
        return true;
      }
      if (production.type === "NonTerminal") {
        if (
          !seekingTerminal &&
          production.name === ruleStack[level] &&
          production.idx === occurrenceStack[level]
        ) {
          level++;
          seekingTerminal = level === ruleStack.length;
          walk(rules[production.name]!, rest);
        }
        return true;
      }
      return false;
    });
  walk(rules[ruleStack[0]!]!, []);
  return found ?? [];
}

export interface AfterRepetition {
  /** The terminal right after the repetition in its rule, if a terminal comes next. */
  token?: string;
  occurrence?: number;
  /** Nothing of the rule comes after the repetition. */
  isEndOfRule?: boolean;
}

/**
 * What comes right after the repetition of type `type` and occurrence `occurrence` in `rule`
 * (chevrotain's NextTerminalAfter...Walker, for recovery within a repetition).
 */
export function afterRepetition(
  rule: readonly Production[],
  type: Production["type"],
  occurrence: number,
): AfterRepetition {
  const result: AfterRepetition = {};
  walkRests(rule, [], (production, rest) => {
    if (production.type !== type || !("idx" in production) || production.idx !== occurrence) return false;
    const next = rest[0];
    result.isEndOfRule = next === undefined;
    if (next?.type === "Terminal") {
      result.token = next.name;
      result.occurrence = next.idx;
    }
    return true;
  });
  return result;
}
