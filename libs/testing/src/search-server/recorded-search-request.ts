import type { RecordedRequest } from '../llm-server/recorded-request';
import type { TavilySearchRequestBody } from './tavily-wire';

/** A recorded `POST /search`, with the fields scripts match on already pulled out. */
export interface RecordedSearchRequest extends RecordedRequest {
  kind: 'search';
  body: TavilySearchRequestBody;
  query: string;
  /** What the request asked for, Tavily's default 5 when absent. */
  maxResults: number;
  searchDepth?: string;
  topic?: string;
  includeAnswer: boolean;
  includeRawContent: boolean;
  includeImages: boolean;
  /** From `Authorization: Bearer …` (or the legacy `api_key` body field). */
  apiKey?: string;
}
