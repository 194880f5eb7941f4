import type { RecordedRequest } from '../llm-server/recorded-request';
import type { RecordedSearchRequest } from './recorded-search-request';
import type { TavilySearchRequestBody } from './tavily-wire';

const TAVILY_DEFAULT_MAX_RESULTS = 5;
const TAVILY_MAX_RESULTS = 20;

export type ParsedSearchRequest = { request: RecordedSearchRequest } | { error: string };

/** Checks a `/search` body and turns the record (in place) into a search record. */
export function parseSearchRequest(record: RecordedRequest): ParsedSearchRequest {
  const body = record.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: 'Invalid JSON body.' };
  }
  const candidate = body as Partial<TavilySearchRequestBody>;
  if (typeof candidate.query !== 'string' || candidate.query.trim().length === 0) {
    return { error: 'Query is missing or empty.' };
  }
  const max = candidate.max_results;
  if (max !== undefined && (!Number.isInteger(max) || max < 0 || max > TAVILY_MAX_RESULTS)) {
    return { error: `max_results must be an integer between 0 and ${TAVILY_MAX_RESULTS}.` };
  }
  const searchBody = candidate as TavilySearchRequestBody;
  const header = record.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
  const fields: Omit<RecordedSearchRequest, keyof Omit<RecordedRequest, 'kind' | 'body'>> = {
    kind: 'search',
    body: searchBody,
    query: searchBody.query,
    maxResults: max ?? TAVILY_DEFAULT_MAX_RESULTS,
    searchDepth: searchBody.search_depth,
    topic: searchBody.topic,
    includeAnswer: Boolean(searchBody.include_answer),
    includeRawContent: Boolean(searchBody.include_raw_content),
    includeImages: searchBody.include_images === true,
    apiKey: bearer ?? searchBody.api_key,
  };
  return { request: Object.assign(record, fields) };
}
