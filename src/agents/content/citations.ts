import type { Citation } from '../../../libs/agent-kit/src';
import type { WebSearchResult } from '../../llm/web-search.service';

export interface ResolvedCitations {
  /** The text with every marker pointing at a real source, renumbered 1..k. */
  body: string;
  /** The cited sources, `index` matching the new numbers. */
  citations: Citation[];
}

/** `[3]`, `[1, 2]`, `[2-4]`; not a link's text (`[1](...)`) and not a footnote (`[^1]`). */
const MARKER = /(\s?)\[(\d+(?:\s*[,–-]\s*\d+)*)\](?!\()/g;
const CODE = /(```[\s\S]*?(?:```|$)|`[^`\n]*`)/;

/**
 * Makes the model's citation markers trustworthy: a number that matches no source is dropped,
 * the cited sources are renumbered 1..k in order of first appearance, and the citations list
 * holds exactly those. Code (fenced or inline) is left alone: `a[0]` is not a citation.
 */
export function resolveCitations(
  markdown: string,
  sources: readonly WebSearchResult[],
): ResolvedCitations {
  const renumbered = new Map<number, number>();
  const body = markdown
    .split(CODE)
    .map((part, i) => (i % 2 === 1 ? part : renumber(part, sources.length, renumbered)))
    .join('');
  const citations = [...renumbered.entries()].map(([original, index]) =>
    toCitation(sources[original - 1], index),
  );
  return { body, citations };
}

/**
 * What the References section lists: the sources the text cites, in citation order; when it
 * cites none (the model wrote no markers), every source the answer was written from, in search
 * order. So a search that found something always yields references.
 */
export function referencedSources(
  resolved: ResolvedCitations,
  sources: readonly WebSearchResult[],
): Citation[] {
  if (resolved.citations.length > 0) return resolved.citations;
  return sources.map((source, i) => toCitation(source, i + 1));
}

function toCitation(source: WebSearchResult, index: number): Citation {
  return { index, title: source.title, url: source.url, snippet: source.snippet, source: 'tavily' };
}

function renumber(text: string, sourceCount: number, renumbered: Map<number, number>): string {
  return text.replace(MARKER, (_match, space: string, list: string) => {
    const cited = expand(list).filter((n) => n >= 1 && n <= sourceCount);
    if (cited.length === 0) return '';
    const numbers = cited.map((n) => {
      if (!renumbered.has(n)) renumbered.set(n, renumbered.size + 1);
      return renumbered.get(n) as number;
    });
    return space + [...new Set(numbers)].map((n) => `[${n}]`).join('');
  });
}

function expand(list: string): number[] {
  return list.split(',').flatMap((item) => {
    const range = /^\s*(\d+)\s*[–-]\s*(\d+)\s*$/.exec(item);
    if (!range) return [Number(item.trim())];
    const [from, to] = [Number(range[1]), Number(range[2])];
    if (to < from || to - from > 20) return [];
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

const REFERENCES_TITLE =
  /^(?:#{1,6}\s*)?(?:\*\*|__)?\s*(references|sources|bibliography|works cited|citations|kaynaklar|kaynakça|referanslar)\s*:?\s*(?:\*\*|__)?\s*:?\s*$/i;

/**
 * Removes a references section the model wrote despite the prompt, so the one built from the
 * real sources is the only one. Names in a few languages are matched: this is a safety net, the
 * prompt asks for no such section in any language.
 */
export function stripReferencesSection(markdown: string): string {
  const lines = markdown.split('\n');
  const kept: string[] = [];
  let skippingUntilLevel: number | undefined;
  let inCode = false;
  for (const line of lines) {
    if (/^\s*```/.test(line)) inCode = !inCode;
    const heading = inCode ? undefined : /^(#{1,6})\s/.exec(line);
    if (skippingUntilLevel !== undefined) {
      if (heading && heading[1].length <= skippingUntilLevel) skippingUntilLevel = undefined;
      else continue;
    }
    if (!inCode && REFERENCES_TITLE.test(line.trim())) {
      skippingUntilLevel = heading ? heading[1].length : 6;
      continue;
    }
    kept.push(line);
  }
  return kept.join('\n').trimEnd();
}

/** `## References` listing each cited source by its number, title and URL. */
export function referencesSection(citations: readonly Citation[]): string {
  if (citations.length === 0) return '';
  const items = citations.map((c) => `- [${c.index}] ${escapeTitle(c.title)} — ${c.url}`);
  return ['## References', '', ...items].join('\n');
}

function escapeTitle(title: string): string {
  return title.replace(/\s+/g, ' ').replace(/([[\]*_`])/g, '\\$1');
}
