import type { ScriptedSearchResult } from './search-reply';

interface Template {
  /** `topic` is the query with a capital first letter, for titles that start with it. */
  title: (topic: string, query: string) => string;
  url: (slug: string) => string;
  content: (query: string) => string;
}

const TEMPLATES: Template[] = [
  {
    title: (t) => `${t}: an overview`,
    url: (s) => `https://en.example.org/wiki/${s}`,
    content: (q) =>
      `An overview of ${q}: where it comes from, the main ideas behind it and where it is used today.`,
  },
  {
    title: (_t, q) => `What is ${q}? A practical guide`,
    url: (s) => `https://docs.example.com/guides/${s}`,
    content: (q) =>
      `This guide walks through ${q} step by step, with the terms you need and a worked example at the end.`,
  },
  {
    title: (t) => `${t} explained with examples`,
    url: (s) => `https://blog.example.net/${s}-explained`,
    content: (q) =>
      `Three short examples show how ${q} works in practice and which trade-offs matter when choosing an approach.`,
  },
  {
    title: (_t, q) => `Recent developments in ${q}`,
    url: (s) => `https://news.example.com/articles/${s}`,
    content: (q) =>
      `A roundup of what changed recently around ${q}, with comments from practitioners and links to the primary sources.`,
  },
  {
    title: (t) => `${t}: frequently asked questions`,
    url: (s) => `https://help.example.org/${s}/faq`,
    content: (q) =>
      `Answers to the questions people most often ask about ${q}, from the basics to the less obvious edge cases.`,
  },
  {
    title: (_t, q) => `Common pitfalls with ${q}`,
    url: (s) => `https://forum.example.com/t/${s}`,
    content: (q) =>
      `A discussion thread collecting mistakes people made with ${q} and how they fixed them.`,
  },
  {
    title: (t) => `${t}: best practices`,
    url: (s) => `https://engineering.example.com/${s}-best-practices`,
    content: (q) =>
      `Lessons learned from applying ${q} at scale: what to measure, what to avoid and what to automate.`,
  },
  {
    title: (_t, q) => `A short history of ${q}`,
    url: (s) => `https://history.example.org/${s}`,
    content: (q) =>
      `How ${q} evolved over the years, told through the people and projects that shaped it.`,
  },
];

/**
 * Plausible, stable results for a query nobody scripted: the same query always yields the same
 * titles, URLs (on example.* domains) and scores, so unscripted searches keep tests deterministic.
 */
export function defaultSearchResults(query: string, count: number): ScriptedSearchResult[] {
  const q = query.trim().replace(/\s+/g, ' ').slice(0, 120) || 'this topic';
  const topic = q.charAt(0).toUpperCase() + q.slice(1);
  const slug = slugify(q);
  const jitter = (stableHash(q) % 40) / 1000;
  return Array.from({ length: count }, (_, i) => {
    const template = TEMPLATES[i % TEMPLATES.length];
    const round = Math.floor(i / TEMPLATES.length);
    return {
      title:
        round === 0 ? template.title(topic, q) : `${template.title(topic, q)} (part ${round + 1})`,
      url: round === 0 ? template.url(slug) : `${template.url(slug)}-${round + 1}`,
      content: template.content(q),
      score: Math.max(0.05, Number((0.93 - jitter - i * 0.06).toFixed(4))),
    };
  });
}

/** A made-up answer for `include_answer` requests, built from the results it summarises. */
export function defaultAnswer(query: string, results: ScriptedSearchResult[]): string {
  const first = results[0]?.content ?? `Little is known about ${query}.`;
  return `${first} ${results.length} sources were consulted.`;
}

function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'topic'
  );
}

/** FNV-1a: small, stable across runs and platforms, good enough to vary scores per query. */
function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
