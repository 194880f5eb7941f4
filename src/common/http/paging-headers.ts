import type { Response } from 'express';

/** `X-Total-Count` and an RFC 8288 `Link` header with `next` / `prev` pages. */
export function setPagingHeaders(
  res: Response,
  path: string,
  page: number,
  pageSize: number,
  total: number,
  filters: Record<string, string | undefined>,
): void {
  res.setHeader('X-Total-Count', String(total));
  const link = (target: number, rel: string): string => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v !== undefined) params.set(k, v);
    params.set('page', String(target));
    params.set('page_size', String(pageSize));
    return `<${path}?${params.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page * pageSize < total) links.push(link(page + 1, 'next'));
  if (page > 1)
    links.push(link(Math.min(page - 1, Math.max(1, Math.ceil(total / pageSize))), 'prev'));
  if (links.length) res.setHeader('Link', links.join(', '));
}
