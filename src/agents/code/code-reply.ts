import { z } from 'zod';
import { firstFencedBlock, parseJsonReply } from '../json-reply';
import { DEFAULT_CODE_LANGUAGE, normaliseLanguage } from './code-language';

export interface CodeAnswer {
  language: string;
  description: string;
  code: string;
}

const codeAnswerSchema = z.object({
  language: z.string().optional(),
  description: z.string().optional(),
  code: z.string().min(1),
});

const NO_DESCRIPTION = 'Code generated for the task.';

/**
 * The CodeAgent's answer from the model's reply: the JSON asked for (bare or fenced); failing
 * that, the first fenced block and its language; failing that, the whole reply as Python.
 */
export function parseCodeReply(text: string): CodeAnswer & { parsedAs: 'json' | 'fence' | 'raw' } {
  const json = parseJsonReply(text);
  if (json.ok) {
    const parsed = codeAnswerSchema.safeParse(json.value);
    if (parsed.success) {
      return {
        parsedAs: 'json',
        language: normaliseLanguage(parsed.data.language),
        description: parsed.data.description?.trim() || NO_DESCRIPTION,
        code: stripFence(parsed.data.code),
      };
    }
  }
  const block = firstFencedBlock(text);
  if (block) {
    const outside = text.replace(/```[\s\S]*?(```|$)/g, '').trim();
    return {
      parsedAs: 'fence',
      language: normaliseLanguage(block.language),
      description: outside || NO_DESCRIPTION,
      code: block.code.replace(/\s+$/, ''),
    };
  }
  return {
    parsedAs: 'raw',
    language: DEFAULT_CODE_LANGUAGE,
    description: NO_DESCRIPTION,
    code: text.trim(),
  };
}

/** The spec's layout: a Description section, then the code in a fence tagged with its language. */
export function codeMarkdown(answer: CodeAnswer): string {
  // A fence inside the code would close ours early: use a longer one then.
  const longest = Math.max(0, ...(answer.code.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `### Description\n\n${answer.description}\n\n### Code\n\n${fence}${answer.language}\n${answer.code}\n${fence}`;
}

/** Models sometimes fence the code inside the JSON string too. */
function stripFence(code: string): string {
  const inner = /^\s*```[^\n]*\n([\s\S]*?)\n?```\s*$/.exec(code);
  return (inner ? inner[1] : code).replace(/\s+$/, '');
}
