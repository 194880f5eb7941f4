/**
 * The parts of Tavily's `POST /search` wire format the test server reads and writes, as
 * @tavily/core 0.7 sends and reads them (https://docs.tavily.com/documentation/api-reference/endpoint/search).
 */

export interface TavilySearchRequestBody {
  query: string;
  search_depth?: 'basic' | 'advanced' | 'fast' | 'ultra-fast';
  topic?: 'general' | 'news' | 'finance';
  max_results?: number;
  include_answer?: boolean | 'basic' | 'advanced';
  include_raw_content?: boolean | 'markdown' | 'text';
  include_images?: boolean;
  include_image_descriptions?: boolean;
  include_domains?: string[];
  exclude_domains?: string[];
  include_usage?: boolean;
  /** The key in the body is how older clients authenticated; the header is what 0.7 sends. */
  api_key?: string;
  [key: string]: unknown;
}

export interface TavilyImage {
  url: string;
  description?: string;
}

export interface TavilySearchResult {
  title: string;
  url: string;
  content: string;
  score: number;
  raw_content: string | null;
  published_date?: string;
  favicon?: string;
}

export interface TavilySearchResponse {
  query: string;
  follow_up_questions: null;
  answer?: string;
  images: (string | TavilyImage)[];
  results: TavilySearchResult[];
  response_time: number;
  request_id: string;
  usage?: { credits: number };
}

/** Tavily's error body, the one @tavily/core turns into an Error with `detail.error` as message. */
export interface TavilyErrorBody {
  detail: { error: string };
}
