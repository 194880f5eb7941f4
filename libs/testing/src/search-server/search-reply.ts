import type { Fault } from '../llm-server/fault';
import type { RecordedSearchRequest } from './recorded-search-request';
import type { TavilyImage } from './tavily-wire';

export interface ScriptedSearchResult {
  title: string;
  url: string;
  content: string;
  /** Descending from 0.9 by position when absent. */
  score?: number;
  /** Sent only when the request asks for raw content; derived from `content` when absent. */
  raw_content?: string;
  published_date?: string;
}

/** One scripted answer of the Tavily test server. */
export interface SearchReply {
  /** Absent: plausible results derived from the query. Cut to the request's `max_results`. */
  results?: ScriptedSearchResult[] | ((req: RecordedSearchRequest) => ScriptedSearchResult[]);
  /** Sent when the request asks for an answer (a default one is made up otherwise). */
  answer?: string;
  images?: (string | TavilyImage)[];
  delayMs?: number;
  fault?: Fault;
  /** Keeps the response pending (no byte written) until it resolves. */
  hold?: Promise<void>;
}

/** A reply decided per request, for scripts that answer differently by what was asked. */
export type SearchReplyFactory = (req: RecordedSearchRequest) => SearchReply;

export type SearchReplyScript = SearchReply | SearchReplyFactory;
