/// <reference lib="dom" />
import {
  autocompletion,
  completionKeymap,
  type CompletionContext,
  type CompletionResult,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { lintGutter, setDiagnostics, type Diagnostic as LintDiagnostic } from "@codemirror/lint";
import { EditorState, RangeSetBuilder, StateEffect, StateField, type Extension } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  drawSelection,
  keymap,
  lineNumbers,
  type DecorationSet,
} from "@codemirror/view";
import { completionsAt } from "../assist/completionItems.js";
import type { QuickFix } from "../assist/quickFixes.js";
import { classifyTokens } from "../assist/tokenClasses.js";
import type { CustomFields } from "../check/fieldCatalog.js";
import type { Problem } from "./analysis.js";

/*
 * The page's CodeMirror 6 editor over the language service (src/assist/): colours from the
 * lexer's token classes, completion by field type, and the diagnostics as lint marks with their
 * quick fixes. The marks and colours come in from the page (showAnalysis), which works them out
 * when it updates its panes, so that one pass over the text feeds everything.
 */

/** Replaces the colouring with the token classes of the current text. */
const setColours = StateEffect.define<DecorationSet>();

const colours = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, transaction) {
    for (const effect of transaction.effects) if (effect.is(setColours)) return effect.value;
    return decorations.map(transaction.changes);
  },
  provide: (field) => EditorView.decorations.from(field),
});

function colouring(text: string): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const token of classifyTokens(text))
    builder.add(
      token.start,
      token.start + token.length,
      Decoration.mark({ class: `oq-${token.tokenClass}` }),
    );
  return builder.finish();
}

/** Applies a quick fix: its one edit. */
export function applyFix(view: EditorView, fix: QuickFix): void {
  view.dispatch({
    changes: { from: fix.edit.start, to: fix.edit.end, insert: fix.edit.newText },
    userEvent: "input.fix",
  });
  view.focus();
}

/** Shows an analysis of the editor's current text: lint marks with their fixes, and colours. */
export function showAnalysis(view: EditorView, text: string, problems: readonly Problem[]): void {
  if (view.state.doc.toString() !== text) return; // the text changed since: a newer one is coming
  const length = text.length;
  const marks: LintDiagnostic[] = problems.map((problem) => ({
    from: Math.min(problem.from, length),
    to: Math.min(Math.max(problem.to, problem.from), length),
    severity: problem.severity,
    message: problem.message,
    actions: problem.fixes.map((fix) => ({ name: fix.title, apply: (target) => applyFix(target, fix) })),
  }));
  view.dispatch(setDiagnostics(view.state, marks), { effects: setColours.of(colouring(text)) });
}

/** The editor's extensions; `fields` gives the schema's custom fields at the time of completing. */
export function editorExtensions(
  fields: () => CustomFields | undefined,
  onChange: (text: string) => void,
): Extension[] {
  const complete = (context: CompletionContext): CompletionResult | null => {
    const { items, start, end } = completionsAt(context.state.doc.toString(), context.pos, fields());
    if (items.length === 0) return null;
    return {
      from: start,
      to: end,
      options: items.map((item) => ({ label: item.label, type: item.isField ? "variable" : "keyword" })),
    };
  };
  return [
    lineNumbers(),
    history(),
    drawSelection(),
    colours,
    lintGutter(),
    autocompletion({ override: [complete] }),
    keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ "aria-label": "Query" }),
    EditorState.tabSize.of(2),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) onChange(update.state.doc.toString());
    }),
  ];
}
