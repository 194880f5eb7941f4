import type { RecordedSearchRequest } from './recorded-search-request';

/** Every given field must hold; `queryIncludes` is a case-insensitive substring check. */
export interface SearchMatchFields {
  queryIncludes?: string;
  topic?: string;
}

export type SearchMatch = ((req: RecordedSearchRequest) => boolean) | SearchMatchFields;

export function searchPredicate(match: SearchMatch = {}): (req: RecordedSearchRequest) => boolean {
  if (typeof match === 'function') return match;
  const needle = match.queryIncludes?.toLowerCase();
  return (req) =>
    (needle === undefined || req.query.toLowerCase().includes(needle)) &&
    (match.topic === undefined || req.topic === match.topic);
}
